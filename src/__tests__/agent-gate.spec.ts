/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import * as fs from 'fs';
import * as path from 'path';

import { DEFAULT_AGENT_SETTINGS } from '../agent/settings';
import { categoriesRunUnasked, judgeStep } from '../agent/toolresults';
import { POLICY_CATEGORIES } from '../agent/tokens';
import type {
  ApprovalMode,
  ICheckResult,
  IGatedStep,
  IStepRequest,
  PolicyAction,
  PolicyCategory,
  StepStatus
} from '../agent/tokens';
import {
  agent,
  callPython,
  FakeHost,
  run,
  ScriptedClient,
  stdout,
  text,
  TOOL_END
} from './agent-fakes';

const CATEGORIES: readonly PolicyCategory[] = POLICY_CATEGORIES;

/**
 * A host whose gate decides as the kernel helpers' `gate` does: no syntax
 * error and every finding's category allowed.
 */
class GatingHost extends FakeHost {
  gated: Array<{ code: string; allowed: readonly PolicyCategory[] }> = [];
  unavailable = false;

  async runGatedStep(
    request: IStepRequest,
    allowed: readonly PolicyCategory[],
    signal: AbortSignal,
    onStatus: (status: StepStatus) => void
  ): Promise<IGatedStep> {
    if (this.unavailable) {
      return { kind: 'unavailable' };
    }
    this.gated.push({ code: request.code, allowed });
    const check = this.checkResults.get(request.code) ?? {
      syntaxError: null,
      findings: []
    };
    const passes =
      !check.syntaxError &&
      check.findings.every(finding => allowed.includes(finding.category));
    if (!passes) {
      return { kind: 'refused', check };
    }
    return {
      kind: 'ran',
      check,
      result: await this.runStep(request, signal, onStatus)
    };
  }
}

function lastToolResult(client: ScriptedClient, request: number): string {
  const tools = client.requests[request].messages.filter(
    m => m.role === 'tool'
  );
  return tools[tools.length - 1].content as string;
}

const INSTALL: ICheckResult = {
  syntaxError: null,
  findings: [
    {
      category: 'install',
      detail: 'installs packages: qrcode',
      line: 1,
      packages: ['qrcode']
    }
  ]
};

describe('gated steps', () => {
  it('runs an unasked step through the gate, without a separate check', async () => {
    const client = new ScriptedClient(
      [...callPython('print(1)'), ...TOOL_END],
      text('one')
    );
    const host = new GatingHost({ outputs: [stdout('1\n')] });
    await run(
      agent(client, host, {
        approvalMode: 'auto',
        policy: {
          install: 'block',
          shell: 'ask',
          delete_outside: 'allow',
          network: 'allow',
          dynamic: 'ask',
          secrets: 'ask'
        }
      }),
      'print one'
    );
    expect(host.gated).toEqual([
      { code: 'print(1)', allowed: ['delete_outside', 'network'] }
    ]);
    expect(host.checks).toEqual([]);
    expect(host.runs[0].needsApproval).toBe(false);
    expect(lastToolResult(client, 1)).toContain('1');
  });

  it('tells the model why a refused step did not run, as a checked one', async () => {
    const client = new ScriptedClient(
      [...callPython('!pip install qrcode'), ...TOOL_END],
      text('no installs')
    );
    const host = new GatingHost();
    host.checkResults.set('!pip install qrcode', INSTALL);
    const { events } = await run(
      agent(client, host, { approvalMode: 'auto' }),
      'make a QR code'
    );
    expect(host.runs).toHaveLength(0);
    expect(host.checks).toEqual([]);
    expect(lastToolResult(client, 1)).toContain(
      'package installs: installs packages: qrcode (line 1)'
    );
    expect(events.find(e => e.type === 'step-finished')).toMatchObject({
      status: 'blocked'
    });
  });

  it('asks about a step the gate refused for a finding that asks', async () => {
    const client = new ScriptedClient(
      [...callPython('!ls'), ...TOOL_END],
      text('listed')
    );
    const host = new GatingHost();
    host.checkResults.set('!ls', {
      syntaxError: null,
      findings: [{ category: 'shell', detail: 'runs ls', line: 1 }]
    });
    await run(agent(client, host, { approvalMode: 'auto' }), 'list');
    expect(host.gated).toHaveLength(1);
    expect(host.runs).toHaveLength(1);
    expect(host.runs[0]).toMatchObject({
      needsApproval: true,
      approvalReason: 'Runs a shell command (line 1): “runs ls”'
    });
  });

  it('never gates in ask mode, and falls back when the host cannot gate', async () => {
    const asked = new GatingHost();
    await run(
      agent(
        new ScriptedClient([...callPython('x = 1'), ...TOOL_END], text('ok')),
        asked,
        { approvalMode: 'ask' }
      ),
      'x'
    );
    expect(asked.gated).toEqual([]);
    expect(asked.checks).toEqual(['x = 1']);
    expect(asked.runs[0].needsApproval).toBe(true);

    const fallback = new GatingHost();
    fallback.unavailable = true;
    await run(
      agent(
        new ScriptedClient([...callPython('x = 1'), ...TOOL_END], text('ok')),
        fallback,
        { approvalMode: 'auto' }
      ),
      'x'
    );
    expect(fallback.checks).toEqual(['x = 1']);
    expect(fallback.runs[0].needsApproval).toBe(false);
  });
});

describe('categoriesRunUnasked', () => {
  it('knows every category the kernel helpers report', () => {
    expect([...CATEGORIES].sort()).toEqual([
      'delete_outside',
      'dynamic',
      'install',
      'network',
      'secrets',
      'shell'
    ]);
  });

  it('has the settings schema describe every category with the same defaults', () => {
    const schema = JSON.parse(
      fs.readFileSync(
        path.join(__dirname, '..', '..', 'schema', 'plugin.json'),
        'utf-8'
      )
    );
    const policy = schema.properties.policy;
    expect(Object.keys(policy.properties).sort()).toEqual(
      [...CATEGORIES].sort()
    );
    expect(policy.default).toEqual(DEFAULT_AGENT_SETTINGS.policy);
    for (const category of CATEGORIES) {
      expect(policy.properties[category].default).toBe(
        DEFAULT_AGENT_SETTINGS.policy[category]
      );
      expect(policy.properties[category].title).toBeTruthy();
    }
    expect(schema.properties.approvalMode.description).toContain(
      'not a sandbox'
    );
  });

  it('runs no step with code it cannot read or a read of secrets unasked by default', () => {
    const policy = DEFAULT_AGENT_SETTINGS.policy;
    expect(policy.dynamic).toBe('ask');
    expect(policy.secrets).toBe('ask');
    for (const mode of ['auto-safe', 'auto'] as ApprovalMode[]) {
      const allowed = categoriesRunUnasked(policy, mode) ?? [];
      expect(allowed).not.toContain('dynamic');
      expect(allowed).not.toContain('secrets');
      for (const category of ['dynamic', 'secrets'] as PolicyCategory[]) {
        const verdict = judgeStep(
          {
            syntaxError: null,
            findings: [{ category, detail: category, line: 1 }]
          },
          policy,
          mode,
          null
        );
        expect(verdict.refusal).toBeNull();
        expect(verdict.needsApproval).toBe(true);
      }
    }
  });

  it('lets exactly the steps judgeStep would run unasked through', () => {
    const actions: PolicyAction[] = ['allow', 'ask', 'block'];
    const modes: ApprovalMode[] = ['ask', 'auto-safe', 'auto'];
    const disagreements: unknown[] = [];
    let compared = 0;
    for (let p = 0; p < 3 ** CATEGORIES.length; p++) {
      const policy = Object.fromEntries(
        CATEGORIES.map((category, i) => [
          category,
          actions[Math.floor(p / 3 ** i) % 3]
        ])
      ) as Record<PolicyCategory, PolicyAction>;
      for (const mode of modes) {
        const allowed = categoriesRunUnasked(policy, mode);
        for (let f = 0; f < 2 ** CATEGORIES.length; f++) {
          for (const broken of [false, true]) {
            const check: ICheckResult = {
              syntaxError: broken
                ? { message: 'invalid syntax', line: 1, offset: 0, text: '' }
                : null,
              findings: CATEGORIES.filter((_, i) => f & (1 << i)).map(
                category => ({ category, detail: category, line: 1 })
              )
            };
            const verdict = judgeStep(check, policy, mode, null);
            const unasked = !verdict.refusal && !verdict.needsApproval;
            const gatePasses =
              allowed !== null &&
              !check.syntaxError &&
              check.findings.every(x => allowed.includes(x.category));
            if (gatePasses !== unasked) {
              disagreements.push({ mode, policy, check, gatePasses, unasked });
            }
            compared++;
          }
        }
      }
    }
    // Collected rather than expected one by one: 280,000 comparisons.
    expect(disagreements.slice(0, 3)).toEqual([]);
    expect(compared).toBe(3 ** 6 * 3 * 2 ** 6 * 2);
  });
});
