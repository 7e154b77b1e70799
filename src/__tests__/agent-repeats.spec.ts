/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

/**
 * Code the model sends again unchanged after it failed is not run again:
 * the decision (agent/repeats.ts), and the loop in both tool protocols.
 */

import type { AgentEvent } from '../agent/events';
import {
  IRanStep,
  normalizedCode,
  ranStep,
  repeatedFailure,
  repeatMessage
} from '../agent/repeats';
import type { IStepResult } from '../agent/tokens';
import {
  applyAgentEvent,
  EMPTY_CONVERSATION,
  startTurn
} from '../conversation/turnview';
import type { IStreamChunk, IWireMessage, ToolProtocol } from '../tokens';
import {
  agent,
  callPython,
  errorOutput,
  FakeHost,
  run,
  ScriptedClient,
  stdout,
  text,
  TOOL_END
} from './agent-fakes';

const DEPT = [
  'import pandas as pd',
  '',
  '# Load the employees dataset',
  "employees = pd.read_csv('employees.csv')",
  "sales = employees[employees['Dept'] == 'Sales']",
  "print(int(sales['Annual Salary'].median()))"
].join('\n');

const FIXED = DEPT.replace("['Dept']", "['Dept ']");

const KEY_ERROR: Partial<IStepResult> = {
  outcome: 'error',
  outputs: [errorOutput('KeyError', "'Dept'")],
  dataFrames: [
    {
      name: 'employees',
      rows: 40,
      columns: ['Employee ID', 'Dept ', 'Annual Salary']
    }
  ]
};

const FAILED: IRanStep = {
  step: 1,
  code: DEPT,
  error: { ename: 'KeyError', evalue: "'Dept'", hint: null }
};

class ProtocolClient extends ScriptedClient {
  constructor(
    readonly protocol: ToolProtocol,
    ...replies: IStreamChunk[][]
  ) {
    super(...replies);
  }

  async toolProtocol(): Promise<ToolProtocol> {
    return this.protocol;
  }
}

function toolMessages(messages: IWireMessage[]): string[] {
  return messages.filter(m => m.role === 'tool').map(m => m.content as string);
}

function finished(events: AgentEvent[]) {
  return events.filter(
    (e): e is Extract<AgentEvent, { type: 'step-finished' }> =>
      e.type === 'step-finished'
  );
}

function block(code: string): IStreamChunk[] {
  return text('```python\n' + code + '\n```');
}

function call(code: string): IStreamChunk[] {
  return [...callPython(code), ...TOOL_END];
}

describe('normalizedCode', () => {
  it('ignores comments, blank lines and trailing whitespace', () => {
    const noisy = [
      'import pandas as pd   ',
      '',
      '',
      '# Load the employees dataset',
      "employees = pd.read_csv('employees.csv')  # the file",
      "sales = employees[employees['Dept'] == 'Sales']\t",
      '    ',
      "print(int(sales['Annual Salary'].median()))",
      ''
    ].join('\n');
    expect(normalizedCode(noisy)).toBe(normalizedCode(DEPT));
    expect(normalizedCode('a = 1\r\n\r\nb = 2\r\n')).toBe('a = 1\nb = 2');
  });

  it('keeps what Python runs: code, indentation and strings', () => {
    const differ = (a: string, b: string) =>
      expect(normalizedCode(a)).not.toBe(normalizedCode(b));
    differ(DEPT, FIXED);
    differ('if x:\n    y()\nz()', 'if x:\n    y()\n    z()');
    differ("print('# not a comment')", "print('')");
    differ('s = """a\n\nb"""', 's = """a\nb"""');
    differ('s = """a\n# kept\nb"""', 's = """a\nb"""');
    differ("s = '''a  \nb'''", "s = '''a\nb'''");
    differ('s = "a \\" # b"', 's = "a \\"');
  });
});

describe('repeatedFailure', () => {
  it('finds the same code as the last step that ran and raised', () => {
    expect(repeatedFailure(DEPT + '\n\n', FAILED)).toBe(FAILED);
    expect(repeatedFailure(`# again\n${DEPT}`, FAILED)).toBe(FAILED);
  });

  it('lets changed code run, and any code after a step that did not raise', () => {
    expect(repeatedFailure(FIXED, FAILED)).toBeNull();
    expect(repeatedFailure(DEPT, null)).toBeNull();
    expect(repeatedFailure(DEPT, { ...FAILED, error: null })).toBeNull();
  });

  it('keeps an exception only for steps that raised, and nothing of a skipped step', () => {
    const base = {
      code: DEPT,
      edited: false,
      outputs: [errorOutput('KeyError', "'Dept'")],
      executionCount: 1,
      cellId: 'c1'
    };
    expect(ranStep(2, { ...base, outcome: 'error' })?.error).toEqual({
      ename: 'KeyError',
      evalue: "'Dept'",
      hint: null
    });
    for (const outcome of [
      'ok',
      'timeout',
      'kernel_died',
      'stopped'
    ] as const) {
      expect(ranStep(2, { ...base, outcome })).toEqual({
        step: 2,
        code: DEPT,
        error: null
      });
    }
    expect(ranStep(2, { ...base, outcome: 'skipped' })).toBeNull();
  });

  it('tells the model the step, the error and the hint', () => {
    const message = repeatMessage({
      ...FAILED,
      error: { ...FAILED.error!, hint: "Hint: use ['Dept ']" }
    });
    expect(message).toBe(
      "Not run: this is the same code as step 1, which raised KeyError: 'Dept', and nothing ran since. Running it again would fail the same way.\n" +
        "Hint: use ['Dept ']\n" +
        'Change the code to fix the cause (write the complete corrected code), then call run_python again.'
    );
  });
});

describe('the loop with a repeated failed step', () => {
  it('does not run the same code again with native calls, and tells the model why', async () => {
    const client = new ScriptedClient(
      call(DEPT),
      call(`${DEPT}\n\n# same again\n`),
      call(FIXED),
      text('The median is 52260.')
    );
    const host = new FakeHost(KEY_ERROR, { outputs: [stdout('52260\n')] });
    const { result, events } = await run(agent(client, host), 'median?');

    expect(result.status).toBe('done');
    expect(host.runs.map(r => [r.step, r.code])).toEqual([
      [1, DEPT],
      [3, FIXED]
    ]);
    // Not run: neither checked nor asked about.
    expect(host.checks).toEqual([DEPT, FIXED]);
    const [, repeated] = toolMessages(client.requests[2].messages);
    expect(repeated).toContain(
      "Not run: this is the same code as step 1, which raised KeyError: 'Dept'"
    );
    // The column hint the failed step got, repeated.
    expect(repeated).toContain("its column is 'Dept ' (spaces and case count)");
    // The repair, written after the refusal, still takes the failed cell.
    expect(host.runs[1].mayReplaceFailed).toBe(true);
    const steps = finished(events);
    expect(steps.map(s => [s.step, s.status, s.repeatOf])).toEqual([
      [1, 'failed', undefined],
      [2, 'blocked', 1],
      [3, 'done', undefined]
    ]);
    expect(events.some(e => e.type === 'step-status' && e.step === 2)).toBe(
      false
    );
  });

  it('does not run the same python block again with the text protocol', async () => {
    const client = new ProtocolClient(
      'text',
      block(DEPT),
      block(DEPT),
      block(FIXED),
      text('The median is 52260.')
    );
    const host = new FakeHost(KEY_ERROR, { outputs: [stdout('52260\n')] });
    const { result, events } = await run(agent(client, host), 'median?');

    expect(result.status).toBe('done');
    expect(host.runs.map(r => r.code)).toEqual([DEPT, FIXED]);
    const sent = client.requests[2].messages;
    const last = sent[sent.length - 1];
    expect(last.role).toBe('user');
    expect(last.content).toContain(
      "Not run: this is the same code as step 1, which raised KeyError: 'Dept'"
    );
    expect(last.content).toContain('send the corrected python block');
    expect(last.content).not.toContain('run_python');
    expect(finished(events).map(s => s.repeatOf)).toEqual([
      undefined,
      1,
      undefined
    ]);
  });

  it('still ends a model that sends the same code forever, at the step limit', async () => {
    const client = new ProtocolClient(
      'text',
      block(DEPT),
      block(DEPT),
      block(DEPT),
      block(DEPT),
      text('I could not compute it.')
    );
    const host = new FakeHost(KEY_ERROR);
    const { result } = await run(
      agent(client, host, { maxStepsPerTurn: 4, repairBudget: 10 }),
      'median?'
    );
    expect(host.runs).toHaveLength(1);
    expect(client.requests).toHaveLength(5);
    expect(result.status).toBe('gave_up');
    expect(result.reason).toBe(
      'Stopped after reaching the limit of 4 steps for one request.'
    );
  });

  it('counts a repeat as a failed attempt, so the repair budget ends the turn with the error', async () => {
    const client = new ScriptedClient(call(DEPT), call(DEPT), call(DEPT));
    const host = new FakeHost(KEY_ERROR);
    const { result } = await run(
      agent(client, host, { repairBudget: 2 }),
      'median?'
    );
    expect(host.runs).toHaveLength(1);
    expect(result.status).toBe('gave_up');
    expect(result.reason).toBe(
      "Stopped after 3 failed attempts: KeyError: 'Dept'"
    );
  });

  it('runs the same code again once another step ran in between', async () => {
    const client = new ScriptedClient(
      call(DEPT),
      call("employees = pd.read_csv('employees.csv', sep=';')"),
      call(DEPT),
      text('Done.')
    );
    const host = new FakeHost(KEY_ERROR, {}, { outputs: [stdout('52260\n')] });
    await run(agent(client, host), 'median?');
    expect(host.runs.map(r => r.code)).toEqual([
      DEPT,
      "employees = pd.read_csv('employees.csv', sep=';')",
      DEPT
    ]);
  });

  it('runs the same code again after the user edited the failed step, or skipped it', async () => {
    const edited = new ScriptedClient(call(DEPT), call(DEPT), text('Done.'));
    const editedHost = new FakeHost(
      { ...KEY_ERROR, code: FIXED, edited: true },
      {}
    );
    await run(agent(edited, editedHost), 'median?');
    expect(editedHost.runs).toHaveLength(2);

    const skipped = new ScriptedClient(call(DEPT), call(DEPT), text('Done.'));
    const skippedHost = new FakeHost({ outcome: 'skipped' }, {});
    await run(agent(skipped, skippedHost), 'median?');
    expect(skippedHost.runs).toHaveLength(2);
  });

  it('runs the same code again after a timeout', async () => {
    const client = new ScriptedClient(call(DEPT), call(DEPT), text('Done.'));
    const host = new FakeHost({ outcome: 'timeout' }, {});
    await run(agent(client, host), 'median?');
    expect(host.runs).toHaveLength(2);
  });

  it('runs the same code again when the kernel ran something else meanwhile (the user’s own cell), not otherwise', async () => {
    class CountingHost extends FakeHost {
      count = 0;
      kernelRuns(): number {
        return this.count;
      }
    }
    const moved = new ScriptedClient(call(DEPT), call(DEPT), text('Done.'));
    const movedHost = new CountingHost(async request => {
      movedHost.count++;
      return {
        ...KEY_ERROR,
        code: request.code,
        edited: false,
        executionCount: 1,
        cellId: 'cell-1'
      } as IStepResult;
    }, {});
    // The user runs a cell of their own while the model writes.
    moved.onChunk = (request, chunk) => {
      if (request === 1 && chunk === 0) {
        movedHost.count++;
      }
    };
    await run(agent(moved, movedHost), 'median?');
    expect(movedHost.runs).toHaveLength(2);

    const still = new ScriptedClient(call(DEPT), call(DEPT), text('Done.'));
    const stillHost = new CountingHost(async request => {
      stillHost.count++;
      return {
        ...KEY_ERROR,
        code: request.code,
        edited: false,
        executionCount: 1,
        cellId: 'cell-1'
      } as IStepResult;
    });
    await run(agent(still, stillHost), 'median?');
    expect(stillHost.runs).toHaveLength(1);
  });

  it('shows the chat a note on the step not run', async () => {
    const client = new ScriptedClient(call(DEPT), call(DEPT), text('Sorry.'));
    const host = new FakeHost(KEY_ERROR);
    const { events } = await run(agent(client, host), 'median?');
    let state = startTurn(EMPTY_CONVERSATION, 'median?');
    for (const event of events) {
      state = applyAgentEvent(state, event);
    }
    const cards = state.messages.filter(m => m.step).map(m => m.step);
    expect(cards.map(s => [s?.number, s?.status, s?.repeatOf])).toEqual([
      [1, 'failed', undefined],
      [2, 'blocked', 1]
    ]);
  });
});
