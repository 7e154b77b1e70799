/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { Agent } from '../agent/loop';
import { DEFAULT_AGENT_SETTINGS } from '../agent/settings';
import type { ICheckResult, IStepResult } from '../agent/tokens';
import {
  describeFindings,
  failureOf,
  gaveUpMessage,
  judgeStep,
  resultHeader
} from '../agent/toolresults';
import type { TranslateFn } from '../translate';
import { untranslated } from '../translate';
import {
  callPython,
  errorOutput,
  FakeHost,
  run,
  ScriptedClient,
  text,
  TOOL_END
} from './agent-fakes';

/**
 * A translator that marks what went through it.
 */
const marking: TranslateFn = (msgid, ...args) =>
  untranslated('«' + msgid + '»', ...args);

const POLICY = { ...DEFAULT_AGENT_SETTINGS.policy };

const NETWORK: ICheckResult = {
  syntaxError: null,
  findings: [{ category: 'network', detail: 'calls requests.get', line: 2 }]
};

function ran(outcome: IStepResult['outcome']): IStepResult {
  return {
    outcome,
    code: 'x',
    edited: false,
    outputs: [],
    executionCount: 1,
    cellId: 'c1'
  };
}

describe('the approval reason', () => {
  it('is a translated sentence per category, quoting the detail', () => {
    const verdict = judgeStep(
      NETWORK,
      { ...POLICY, network: 'ask' },
      'auto',
      null,
      marking
    );
    expect(verdict.needsApproval).toBe(true);
    expect(verdict.approvalReason).toBe(
      '«Uses the network (line 2): “calls requests.get”»'
    );
  });

  it('joins several findings through the translator', () => {
    const reason = describeFindings(
      [
        { category: 'shell', detail: 'runs ls', line: 1 },
        { category: 'secrets', detail: 'reads OPENAI_API_KEY', line: 3 }
      ],
      marking
    );
    expect(reason).toBe(
      '««Runs a shell command (line 1): “runs ls”»; «Reads keys or server tokens (line 3): “reads OPENAI_API_KEY”»»'
    );
  });

  it('reaches the host and the chat translated, while the model gets the English refusal', async () => {
    const client = new ScriptedClient(
      [...callPython('x'), ...TOOL_END],
      text('ok')
    );
    const host = new FakeHost({ outcome: 'ok', outputs: [] });
    host.checkResults.set('x', NETWORK);
    const agent = new Agent({
      client,
      host,
      settings: {
        ...DEFAULT_AGENT_SETTINGS,
        approvalMode: 'auto',
        policy: { ...POLICY, network: 'ask' }
      },
      trans: marking
    });
    const { events } = await run(agent, 'fetch');
    expect(host.runs[0].approvalReason).toBe(
      '«Uses the network (line 2): “calls requests.get”»'
    );
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'step-status',
        status: 'proposed',
        approvalReason: '«Uses the network (line 2): “calls requests.get”»'
      })
    );
  });
});

describe('the failure of a step', () => {
  it('is translated where it is shown', () => {
    expect(failureOf(ran('timeout'), 30)?.(marking)).toBe(
      '«Timed out after 30 s»'
    );
    expect(failureOf(ran('kernel_died'), 30)?.(marking)).toBe(
      '«The kernel died (perhaps at its memory or time limit)»'
    );
    expect(failureOf(ran('error'), 30)?.(marking)).toBe('«Error»');
    expect(failureOf(ran('ok'), 30)).toBeNull();
  });

  it('of a kernel that died names the memory limit to the model', () => {
    expect(resultHeader(ran('kernel_died'), 30)).toMatch(
      /^The kernel died .*c\.CodeInterpreterKernelLimits\.memory_limit/
    );
  });

  it('keeps the exception of an error as Python wrote it', () => {
    const result = {
      ...ran('error'),
      outputs: [errorOutput('NameError', "name 'x' is not defined")]
    };
    expect(failureOf(result, 30)?.(marking)).toBe(
      "NameError: name 'x' is not defined"
    );
  });

  it('of a blocked step or a syntax error is translated, the refusal to the model is not', () => {
    const blocked = judgeStep(
      NETWORK,
      { ...POLICY, network: 'block' },
      'auto',
      null,
      marking
    );
    expect(blocked.failure?.(marking)).toBe('«Blocked: calls requests.get»');
    expect(blocked.refusal).toContain(
      'Not run: the code policy of this notebook blocks'
    );
    expect(blocked.refusal).not.toContain('«');
    const syntax = judgeStep(
      {
        syntaxError: {
          message: 'invalid syntax',
          line: 2,
          offset: 1,
          text: ''
        },
        findings: []
      },
      POLICY,
      'auto',
      null,
      marking
    );
    expect(syntax.failure?.(marking)).toBe(
      '«SyntaxError: invalid syntax (line 2)»'
    );
    expect(syntax.refusal).not.toContain('«');
  });

  it('reaches the gave-up message translated, and the tool results stay English', async () => {
    const timingOut = [...callPython('sleep()'), ...TOOL_END];
    const client = new ScriptedClient(timingOut, timingOut);
    const timeout = { outcome: 'timeout' as const, outputs: [] };
    const host = new FakeHost(timeout, timeout);
    const agent = new Agent({
      client,
      host,
      settings: {
        ...DEFAULT_AGENT_SETTINGS,
        repairBudget: 1,
        executionTimeoutSeconds: 30
      },
      trans: marking
    });
    const { result } = await run(agent, 'wait');
    expect(result.status).toBe('gave_up');
    expect(result.reason).toBe(
      '«Stopped after %1 failed attempts: %2»'
        .replace('%1', '2')
        .replace('%2', '«Timed out after 30 s»')
    );
    const tools = result.messages.filter(m => m.role === 'tool');
    expect(tools.map(m => m.content)).toEqual([
      expect.stringMatching(
        /^Timed out after 30 s; the kernel was interrupted/
      ),
      expect.stringMatching(/^Timed out after 30 s; the kernel was interrupted/)
    ]);
  });

  it('of an unknown tool is translated for the gave-up message', async () => {
    const client = new ScriptedClient(
      [...callPython('x', { name: 'run_shell', id: 'shell' }), ...TOOL_END],
      [...callPython('x', { name: 'run_shell', id: 'shell2' }), ...TOOL_END]
    );
    const agent = new Agent({
      client,
      host: new FakeHost(),
      settings: { ...DEFAULT_AGENT_SETTINGS, repairBudget: 1 },
      trans: marking
    });
    const { result } = await run(agent, 'go');
    expect(result.reason).toContain('«Unknown tool run_shell»');
    const tools = result.messages.filter(m => m.role === 'tool');
    expect(tools[0].content).toContain('no tool named "run_shell"');
  });

  it('is in the language of the answer inside the gave-up message', () => {
    const timeout = failureOf(ran('timeout'), 30);
    expect(timeout).not.toBeNull();
    expect(gaveUpMessage('repair', 2, timeout!, 'fr', marking)).toBe(
      'Arrêté après 2 tentatives échouées : Délai dépassé après 30 s'
    );
  });
});
