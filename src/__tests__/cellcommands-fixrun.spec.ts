/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { CodeCell } from '@jupyterlab/cells';
import { nullTranslator } from '@jupyterlab/translation';
import type { TranslationBundle } from '@jupyterlab/translation';

import { DEFAULT_AGENT_SETTINGS, IAgentSettings } from '../agent/settings';
import type {
  ICheckResult,
  IGatedStep,
  IStepResult,
  PolicyCategory,
  StepOutcome
} from '../agent/tokens';
import { runFixedCell } from '../cellcommands/fixrun';
import { ChatModel } from '../conversation/model';
import type { NotebookExecutionHost } from '../notebook/host';
import { untranslated } from '../translate';
import { ScriptedClient } from './agent-fakes';

const trans = nullTranslator.load('jupyterlab_code_interpreter');

const CLEAN: ICheckResult = { syntaxError: null, findings: [] };
const DELETES: ICheckResult = {
  syntaxError: null,
  findings: [
    {
      category: 'delete_outside',
      detail: "calls os.remove('/etc/hosts')",
      line: 1
    }
  ]
};
const NETWORK: ICheckResult = {
  syntaxError: null,
  findings: [
    {
      category: 'network',
      detail: 'network call requests.get',
      line: 2
    }
  ]
};

/**
 * A host that records what the fix asked of it. `runCell` ends as told, or
 * with `stopped` when its signal aborts first (as `executeCell` does).
 */
class FakeHost implements Pick<
  NotebookExecutionHost,
  'check' | 'runCell' | 'runGatedCell'
> {
  constructor(
    private _options: {
      check?: ICheckResult | Error;
      gate?: (allowed: readonly PolicyCategory[]) => IGatedStep;
      outcome?: StepOutcome;
    }
  ) {}

  calls: string[] = [];
  timeouts: number[] = [];
  allowed: ReadonlyArray<PolicyCategory>[] = [];
  /** Resolves the pending `runCell` (when `outcome` was not given). */
  finish: ((outcome: StepOutcome) => void) | null = null;

  async check(code: string): Promise<ICheckResult> {
    this.calls.push(`check ${code}`);
    const check = this._options.check ?? CLEAN;
    if (check instanceof Error) {
      throw check;
    }
    return check;
  }

  async runGatedCell(
    _cell: CodeCell,
    allowed: readonly PolicyCategory[],
    options: NotebookExecutionHost.IRunCellOptions
  ): Promise<IGatedStep> {
    this.calls.push('gate');
    this.allowed.push(allowed);
    this.timeouts.push(options.timeoutMs);
    return this._options.gate?.(allowed) ?? { kind: 'unavailable' };
  }

  runCell(
    _cell: CodeCell,
    options: NotebookExecutionHost.IRunCellOptions
  ): Promise<IStepResult> {
    this.calls.push('run');
    this.timeouts.push(options.timeoutMs);
    return new Promise(resolve => {
      const done = (outcome: StepOutcome) => resolve(result(outcome));
      options.signal.addEventListener('abort', () => done('stopped'));
      if (this._options.outcome) {
        done(this._options.outcome);
      } else {
        this.finish = done;
      }
    });
  }
}

function result(outcome: StepOutcome): IStepResult {
  return {
    outcome,
    code: FIXED,
    edited: false,
    outputs: [],
    executionCount: 1,
    cellId: 'c1'
  };
}

const FIXED = 'import os\nos.remove("/etc/hosts")';
const cell = {
  model: { sharedModel: { getSource: () => FIXED } }
} as unknown as CodeCell;

function chatModel(settings: Partial<IAgentSettings> = {}): ChatModel {
  return new ChatModel({
    client: new ScriptedClient(),
    agentSettings: { ...DEFAULT_AGENT_SETTINGS, ...settings }
  });
}

/**
 * Run the fix; `answer` is the user's Run (true) or Skip (false) if asked.
 */
async function fix(
  host: FakeHost,
  model: ChatModel,
  answer: boolean | null = null,
  bundle: TranslationBundle = trans
) {
  const asked: (string | undefined)[] = [];
  const end = await runFixedCell(
    { cell, model, host },
    {
      trans: bundle,
      approve: async reason => {
        asked.push(reason);
        if (answer === null) {
          throw new Error('asked, but the test expected no question');
        }
        return answer;
      },
      running: () => host.calls.push('running')
    }
  );
  return { end, asked };
}

describe('runFixedCell', () => {
  it('shows what the policy blocks and why it asks through the translator', async () => {
    const marking = {
      __: (msgid: string, ...args: (string | number)[]) =>
        untranslated('«' + msgid + '»', ...args)
    } as unknown as TranslationBundle;
    const blocked = await fix(
      new FakeHost({ check: DELETES }),
      chatModel({ approvalMode: 'ask' }),
      null,
      marking
    );
    expect(blocked.end.message).toContain(
      "«Changes files outside the notebook’s folder (line 1): “calls os.remove('/etc/hosts')”»"
    );
    const asking = await fix(
      new FakeHost({ gate: () => ({ kind: 'refused', check: NETWORK }) }),
      chatModel({ approvalMode: 'auto-safe' }),
      false,
      marking
    );
    expect(asking.asked).toEqual([
      '«Uses the network (line 2): “network call requests.get”»'
    ]);
    const syntax = await fix(
      new FakeHost({
        check: {
          syntaxError: {
            message: 'invalid syntax',
            line: 2,
            offset: 3,
            text: 'x ='
          },
          findings: []
        }
      }),
      chatModel({ approvalMode: 'ask' }),
      null,
      marking
    );
    expect(syntax.end.message).toBe(
      '«Fix applied but not run: «SyntaxError: invalid syntax (line 2)»»'
    );
  });

  it('blocks what the policy blocks in auto mode: the gate refuses, nothing runs, nobody is asked', async () => {
    const host = new FakeHost({
      gate: () => ({ kind: 'refused', check: DELETES })
    });
    const { end, asked } = await fix(host, chatModel({ approvalMode: 'auto' }));
    expect(host.calls).toEqual(['running', 'gate']);
    expect(host.allowed[0]).toEqual(['network']);
    expect(asked).toEqual([]);
    expect(end.phase).toBe('skipped');
    expect(end.message).toContain("calls os.remove('/etc/hosts')");
    expect(end.message).toContain('Fix applied but not run');
  });

  it('blocks in ask mode too, after the silent check', async () => {
    const host = new FakeHost({ check: DELETES });
    const { end, asked } = await fix(host, chatModel({ approvalMode: 'ask' }));
    expect(host.calls).toEqual([`check ${FIXED}`]);
    expect(asked).toEqual([]);
    expect(end.message).toBe(
      "Fix applied but not run: the code policy of this notebook blocks it (Changes files outside the notebook’s folder (line 1): “calls os.remove('/etc/hosts')”). Read the code, and run the cell yourself only if you mean it."
    );
  });

  it('does not run a fix with a syntax error, and says where it is', async () => {
    const host = new FakeHost({
      check: {
        syntaxError: {
          message: 'invalid syntax',
          line: 2,
          offset: 3,
          text: 'x ='
        },
        findings: []
      }
    });
    const { end, asked } = await fix(host, chatModel({ approvalMode: 'ask' }));
    expect(asked).toEqual([]);
    expect(host.calls).not.toContain('run');
    expect(end.message).toBe(
      'Fix applied but not run: SyntaxError: invalid syntax (line 2)'
    );
  });

  it('asks in auto-safe for any finding, and Skip runs nothing', async () => {
    const host = new FakeHost({
      gate: () => ({ kind: 'refused', check: NETWORK })
    });
    const { end, asked } = await fix(
      host,
      chatModel({ approvalMode: 'auto-safe' }),
      false
    );
    expect(host.allowed[0]).toEqual([]);
    expect(asked).toEqual([
      'Uses the network (line 2): “network call requests.get”'
    ]);
    expect(host.calls).not.toContain('run');
    expect(end).toEqual({
      phase: 'skipped',
      message: 'Fix applied; the cell was not run.'
    });
  });

  it('asks in ask mode, then runs with the run time limit', async () => {
    const host = new FakeHost({ outcome: 'ok' });
    const { end, asked } = await fix(
      host,
      chatModel({ approvalMode: 'ask', executionTimeoutSeconds: 7 }),
      true
    );
    expect(asked).toHaveLength(1);
    expect(host.calls).toEqual([`check ${FIXED}`, 'running', 'run']);
    expect(host.timeouts).toEqual([7000]);
    expect(end).toEqual({
      phase: 'succeeded',
      message: 'The fixed cell ran without error.'
    });
  });

  it('runs through the gate unasked when the gate passes', async () => {
    const host = new FakeHost({
      gate: () => ({ kind: 'ran', check: CLEAN, result: result('error') })
    });
    const { end } = await fix(
      host,
      chatModel({ approvalMode: 'auto', executionTimeoutSeconds: 3 })
    );
    expect(host.calls).toEqual(['running', 'gate']);
    expect(host.timeouts).toEqual([3000]);
    // A failed rerun: the fix flow tries again while its budget lasts.
    expect(end).toEqual({ phase: 'failed', message: '' });
  });

  it('says the time limit ended it, and does not try again', async () => {
    const host = new FakeHost({ outcome: 'timeout' });
    const { end } = await fix(
      host,
      chatModel({ approvalMode: 'ask', executionTimeoutSeconds: 5 }),
      true
    );
    expect(end.phase).toBe('skipped');
    expect(end.message).toContain('interrupted after 5 s');
  });

  it("is stopped by the panel's Stop, which the chat shows while it runs", async () => {
    const host = new FakeHost({});
    const model = chatModel({ approvalMode: 'ask' });
    const done = fix(host, model, true);
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(host.calls).toContain('run');
    expect(model.status).toBe('running');
    model.stop();
    const { end } = await done;
    expect(end.message).toBe('Stopped: the fixed cell was interrupted.');
    expect(model.status).toBe('idle');
  });

  it('runs nothing while the chat is busy with another answer', async () => {
    const host = new FakeHost({ outcome: 'ok' });
    const model = chatModel({ approvalMode: 'ask' });
    let release: () => void = () => undefined;
    const other = model.runStoppable(
      () => new Promise<void>(resolve => (release = resolve))
    );
    const { end } = await fix(host, model, true);
    expect(host.calls).not.toContain('run');
    expect(end.message).toContain('busy with another answer');
    release();
    await other;
    expect(model.status).toBe('idle');
  });

  it('asks when the code cannot be checked, even in auto mode', async () => {
    const host = new FakeHost({
      check: new Error('The kernel helpers could not be installed.'),
      outcome: 'ok'
    });
    const { end, asked } = await fix(
      host,
      chatModel({ approvalMode: 'auto' }),
      true
    );
    expect(asked).toEqual([
      'The code could not be checked against the code policy.'
    ]);
    expect(end.phase).toBe('succeeded');
  });
});
