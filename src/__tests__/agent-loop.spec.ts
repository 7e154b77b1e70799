/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { IAgentSettings } from '../agent/settings';
import type { ICheckResult } from '../agent/tokens';
import type { IWireMessage } from '../tokens';
import {
  agent,
  callPython,
  errorOutput,
  FakeHost,
  rawCall,
  run,
  ScriptedClient,
  stdout,
  text,
  TOOL_END
} from './agent-fakes';

function toolMessages(messages: IWireMessage[]): string[] {
  return messages.filter(m => m.role === 'tool').map(m => m.content as string);
}

describe('Agent', () => {
  it('runs one step and answers', async () => {
    const code =
      "import pandas as pd\ndf = pd.read_csv('sales.csv')\nprint(len(df))";
    const client = new ScriptedClient(
      [...text('Loading. '), ...callPython(code, { size: 5 }), ...TOOL_END],
      text('The file has ', '4 rows.')
    );
    const host = new FakeHost({ outputs: [stdout('4\n')] });
    const { result, events } = await run(
      agent(client, host),
      'How many rows in sales.csv?'
    );

    expect(result.status).toBe('done');
    expect(host.checks).toEqual([code]);
    expect(host.runs).toHaveLength(1);
    expect(host.runs[0]).toMatchObject({
      conversationId: 'conv',
      turnId: 'turn-1',
      step: 1,
      toolCallId: 'call_0',
      code,
      needsApproval: true,
      timeoutMs: 120_000
    });
    const [first, second] = client.requests;
    expect(first.tools?.[0].function.name).toBe('run_python');
    expect(first.messages[0].role).toBe('system');
    // The prompt is the last user message; the kernel's state rides with it
    // as a second text part, not in the system prompt.
    expect(first.messages).toHaveLength(2);
    const prompt = first.messages[1];
    expect(prompt.role).toBe('user');
    const parts = prompt.content as { type: string; text: string }[];
    expect(parts[0]).toEqual({
      type: 'text',
      text: 'How many rows in sales.csv?'
    });
    expect(parts[1].text).toContain('df (DataFrame, (4, 2))');
    expect(parts[1].text).toContain('pandas 2.2.3');
    expect(first.messages[0].content).not.toContain('pandas 2.2.3');
    // The second request carries the call and its result.
    const call = second.messages[2];
    expect(call).toEqual({
      role: 'assistant',
      content: 'Loading. ',
      tool_calls: [
        {
          id: 'call_0',
          type: 'function',
          function: { name: 'run_python', arguments: JSON.stringify({ code }) }
        }
      ]
    });
    expect(second.messages[3]).toEqual({
      role: 'tool',
      tool_call_id: 'call_0',
      content: 'Ran without error. Outputs:\n4'
    });
    expect(result.messages.map(m => m.role)).toEqual([
      'user',
      'assistant',
      'tool',
      'assistant'
    ]);
    expect(result.messages[3].content).toBe('The file has 4 rows.');
    expect(events.map(e => e.type)).toEqual([
      'text',
      'usage',
      'step-created',
      'step-status',
      'step-status',
      'step-finished',
      'text',
      'text',
      'usage'
    ]);
    expect(events.find(e => e.type === 'step-finished')).toMatchObject({
      step: 1,
      status: 'done',
      outcome: 'ok',
      cellId: 'cell-1'
    });
    expect(
      events
        .filter(e => e.type === 'text')
        .map(e => (e as { segment: number }).segment)
    ).toEqual([0, 1, 1]);
  });

  it('keeps the system prompt and tools byte-identical across steps', async () => {
    const client = new ScriptedClient(
      [...callPython('x = 1'), ...TOOL_END],
      [...callPython('print(x)'), ...TOOL_END],
      text('Done.')
    );
    const host = new FakeHost({}, { outputs: [stdout('1\n')] });
    await run(agent(client, host), 'compute x', {
      history: [
        { role: 'user', content: 'earlier' },
        { role: 'assistant', content: 'answer' }
      ]
    });
    expect(client.requests).toHaveLength(3);
    const prefixes = client.requests.map(r =>
      JSON.stringify([r.messages[0], r.tools, r.messages.slice(1, 4)])
    );
    expect(new Set(prefixes).size).toBe(1);
    // Each request extends the previous one (context message aside).
    const [a, b] = client.requests;
    expect(JSON.stringify(b.messages.slice(0, a.messages.length - 1))).toBe(
      JSON.stringify(a.messages.slice(0, -1))
    );
  });

  it('repairs a runtime error on step 2', async () => {
    const client = new ScriptedClient(
      [...callPython("df['price']"), ...TOOL_END],
      [...callPython("df['revenue']"), ...TOOL_END],
      text('Revenue is 50.')
    );
    const host = new FakeHost(
      { outcome: 'error', outputs: [errorOutput('KeyError', "'price'")] },
      { outputs: [stdout('50\n')] }
    );
    const { result, events } = await run(agent(client, host), 'total revenue');
    expect(result.status).toBe('done');
    expect(host.runs.map(r => r.step)).toEqual([1, 2]);
    expect(toolMessages(client.requests[1].messages)[0]).toContain(
      "The code raised an error. Outputs:\nKeyError: 'price'"
    );
    const finished = events.filter(e => e.type === 'step-finished');
    expect(finished.map(e => (e as { status: string }).status)).toEqual([
      'failed',
      'done'
    ]);
  });

  it('never sends code with a syntax error to runStep', async () => {
    const client = new ScriptedClient(
      [...callPython('print(1'), ...TOOL_END],
      [...callPython('print(1)'), ...TOOL_END],
      text('1')
    );
    const host = new FakeHost({ outputs: [stdout('1\n')] });
    host.checkResults.set('print(1', {
      syntaxError: {
        message: "'(' was never closed",
        line: 1,
        offset: 6,
        text: 'print(1'
      },
      findings: []
    });
    const { events } = await run(agent(client, host), 'print one');
    expect(host.runs.map(r => r.code)).toEqual(['print(1)']);
    expect(toolMessages(client.requests[1].messages)[0]).toBe(
      "SyntaxError: '(' was never closed (line 1: print(1); the code was not run. Fix it and call run_python again."
    );
    expect(events.find(e => e.type === 'step-finished')).toMatchObject({
      step: 1,
      status: 'blocked'
    });
    expect(host.runs[0].step).toBe(2);
  });

  it('blocks !pip install and lists the available packages', async () => {
    const client = new ScriptedClient(
      [...callPython('!pip install qrcode'), ...TOOL_END],
      text('qrcode is not installed.')
    );
    const host = new FakeHost();
    host.checkResults.set('!pip install qrcode', {
      syntaxError: null,
      findings: [
        {
          category: 'install',
          detail: 'installs packages: qrcode',
          line: 1,
          packages: ['qrcode']
        }
      ]
    });
    await run(agent(client, host), 'make a QR code');
    expect(host.runs).toHaveLength(0);
    const [result] = toolMessages(client.requests[1].messages);
    expect(result).toContain(
      'package installs: installs packages: qrcode (line 1)'
    );
    expect(result).toContain(
      'Use what is installed: pandas 2.2.3, matplotlib 3.9.2; and the standard library.'
    );
  });

  it('asks for approval per policy and approval mode', async () => {
    const shell: ICheckResult = {
      syntaxError: null,
      findings: [{ category: 'shell' as const, detail: 'runs ls', line: 1 }]
    };
    const network: ICheckResult = {
      syntaxError: null,
      findings: [
        { category: 'network' as const, detail: 'calls requests.get', line: 1 }
      ]
    };
    const cases: Array<
      [IAgentSettings['approvalMode'], ICheckResult | null, boolean]
    > = [
      ['ask', null, true],
      ['auto', null, false],
      ['auto-safe', null, false],
      ['auto-safe', network, true],
      ['auto', network, false],
      ['auto', shell, true]
    ];
    for (const [approvalMode, check, expected] of cases) {
      const client = new ScriptedClient(
        [...callPython('x'), ...TOOL_END],
        text('ok')
      );
      const host = new FakeHost();
      if (check) {
        host.checkResults.set('x', check);
      }
      await run(agent(client, host, { approvalMode }), 'do x');
      expect([
        approvalMode,
        check?.findings[0].category,
        host.runs[0].needsApproval
      ]).toEqual([approvalMode, check?.findings[0].category, expected]);
      if (expected && check) {
        expect(host.runs[0].approvalReason).toContain(
          `(line ${check.findings[0].line}): “${check.findings[0].detail}”`
        );
      }
    }
  });

  it('tells the model when the user skips, and goes on', async () => {
    const client = new ScriptedClient(
      [...callPython('import os'), ...TOOL_END],
      text('Fine, I will not run it.')
    );
    const host = new FakeHost({ outcome: 'skipped' });
    const { result, events } = await run(agent(client, host), 'list files');
    expect(result.status).toBe('done');
    expect(toolMessages(client.requests[1].messages)).toEqual([
      'The user declined to run this code.'
    ]);
    expect(events.find(e => e.type === 'step-finished')).toMatchObject({
      status: 'skipped'
    });
  });

  it('reports edited code as what ran', async () => {
    const client = new ScriptedClient(
      [...callPython('print(1)'), ...TOOL_END],
      text('It printed 2.')
    );
    const host = new FakeHost({
      code: 'print(2)',
      edited: true,
      outputs: [stdout('2\n')]
    });
    const { events } = await run(agent(client, host), 'print');
    expect(toolMessages(client.requests[1].messages)[0]).toBe(
      'The user edited the code before running it; this is the code that ran:\n```python\nprint(2)\n```\nRan without error. Outputs:\n2'
    );
    expect(events.find(e => e.type === 'step-finished')).toMatchObject({
      code: 'print(2)',
      edited: true
    });
  });

  it('sends no tools for a greeting', async () => {
    const client = new ScriptedClient(text('你好！有什么可以帮你？'));
    const host = new FakeHost();
    const { result } = await run(agent(client, host), '你好');
    expect(client.requests[0].tools).toBeUndefined();
    expect(client.requests[0].messages[0].content).toContain(
      'answer in Simplified Chinese'
    );
    expect(result.language).toEqual({
      tag: 'zh-Hans',
      name: 'Simplified Chinese'
    });
    expect(result.status).toBe('done');
  });

  it('reports bad JSON and unknown tools to the model, counting failures', async () => {
    const client = new ScriptedClient(
      [...rawCall('{"code": "print(1)', { id: 'bad' }), ...TOOL_END],
      [...callPython('x', { name: 'run_shell', id: 'shell' }), ...TOOL_END],
      text('Sorry.')
    );
    const host = new FakeHost();
    const { result } = await run(
      agent(client, host, { repairBudget: 1 }),
      'go'
    );
    expect(host.runs).toHaveLength(0);
    const tools = toolMessages(result.messages);
    expect(tools[0]).toContain('not valid JSON');
    expect(tools[1]).toContain('no tool named "run_shell"');
    expect(result.status).toBe('gave_up');
    expect(result.reason).toBe(
      'Stopped after 2 failed attempts: Unknown tool run_shell'
    );
  });

  it('sends images to vision models after the tool messages', async () => {
    const png =
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    const client = new ScriptedClient(
      [...callPython('plot()'), ...TOOL_END],
      text('Here is the plot.')
    );
    const host = new FakeHost({
      outputs: [
        {
          output_type: 'display_data',
          metadata: {},
          data: { 'image/png': png }
        }
      ]
    });
    const { result } = await run(
      agent(client, host, { visionCapable: true }),
      'plot it'
    );
    const sent = client.requests[1].messages;
    const images = sent[4];
    expect(images.role).toBe('user');
    expect(JSON.stringify(images.content)).toContain(
      `data:image/png;base64,${png}`
    );
    // History keeps no image bytes.
    expect(JSON.stringify(result.messages)).not.toContain(png);
  });

  it('warns about a bad system prompt override and uses the default', async () => {
    const client = new ScriptedClient(text('hi'));
    const { events } = await run(
      agent(client, new FakeHost(), {
        prompts: { system: 'Answer in {{lang}}' }
      }),
      'hi'
    );
    expect(events[0]).toMatchObject({ type: 'warning' });
    expect(client.requests[0].messages[0].content).toContain(
      'Code Interpreter'
    );
  });
});
