/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { DEFAULT_PROMPTS } from '../agent/defaultPrompts';
import type { AgentEvent } from '../agent/events';
import { renderPrompt } from '../agent/prompts';
import { DEFAULT_AGENT_SETTINGS } from '../agent/settings';
import { contextMessage } from '../agent/toolresults';
import { estimateTokens } from '../conversation/messages';
import type {
  IChatRequest,
  IStreamChunk,
  IWireMessage,
  ToolProtocol
} from '../tokens';
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

/**
 * A scripted client whose endpoint uses `protocol`.
 */
class ProtocolClient extends ScriptedClient {
  constructor(
    readonly protocol: ToolProtocol,
    ...replies: IStreamChunk[][]
  ) {
    super(...replies);
  }

  aliases: string[] = [];

  async toolProtocol(model: string): Promise<ToolProtocol> {
    this.aliases.push(model);
    return this.protocol;
  }
}

const LOOK =
  '```python\nimport pandas as pd\nprint(pd.read_csv("a.csv").head())\n```';
const MEAN = '```python\nprint(pd.read_csv("a.csv")["x"].mean())\n```';

function texts(events: AgentEvent[]): string {
  return events
    .map(event => (event.type === 'text' ? event.delta : ''))
    .join('');
}

function userText(message: IWireMessage): string {
  expect(message.role).toBe('user');
  expect(typeof message.content).toBe('string');
  return message.content as string;
}

describe('the text tool protocol', () => {
  it('runs the python block of a prose reply as a step and sends its output back as a user message', async () => {
    const client = new ProtocolClient(
      'text',
      text('First the columns.\n\n', LOOK.slice(0, 12), LOOK.slice(12), '\nok'),
      text('The mean is 4.5.')
    );
    const host = new FakeHost({
      outputs: [stdout('   x\n0  4\n1  5\nmean 4.5\n')]
    });
    const { result, events } = await run(agent(client, host), 'Mean of x?');

    expect(result.status).toBe('done');
    expect(client.aliases).toEqual(['default']);
    expect(host.runs).toHaveLength(1);
    expect(host.runs[0]).toMatchObject({
      step: 1,
      toolCallId: 'call_turn-1_1',
      code: 'import pandas as pd\nprint(pd.read_csv("a.csv").head())'
    });
    // The chat never saw the fence, the code or the text after the block.
    expect(texts(events)).toBe('First the columns.\n\nThe mean is 4.5.');
    expect(events.filter(e => e.type === 'step-created')).toHaveLength(1);

    const [first, second] = client.requests;
    for (const request of client.requests) {
      expect(request.tools).toBeUndefined();
      expect(request.tool_choice).toBeUndefined();
    }
    expect(first.messages[0]).toEqual({
      role: 'system',
      content: expect.stringContaining('one fenced ```python block and stop')
    });
    // The prompt and the notebook's context as one string.
    expect(userText(first.messages[1])).toMatch(
      /^Mean of x\?\n\n\[Context from the notebook/
    );
    expect(second.messages[2]).toEqual({
      role: 'assistant',
      content: 'First the columns.\n\n' + LOOK
    });
    const output = userText(second.messages[3]);
    expect(output).toMatch(/^Output of your code:\n```\nRan without error/);
    expect(output).toContain('0  4');
    expect(second.messages).toHaveLength(4);

    // The conversation keeps the native form: a call and its tool result.
    expect(result.messages[1]).toMatchObject({
      role: 'assistant',
      content: 'First the columns.',
      tool_calls: [{ id: 'call_turn-1_1', function: { name: 'run_python' } }]
    });
    expect(result.messages[2]).toMatchObject({
      role: 'tool',
      tool_call_id: 'call_turn-1_1'
    });
    expect(result.messages[3]).toEqual({
      role: 'assistant',
      content: 'The mean is 4.5.'
    });
  });

  it('keeps the prefix of each request byte-identical to the previous request', async () => {
    const client = new ProtocolClient(
      'text',
      text('Look.\n', LOOK),
      text('Now the mean.\n', MEAN),
      text('The mean is 4.5.')
    );
    const host = new FakeHost(
      { outputs: [stdout('   x\n0  4\n1  5\n')] },
      { outputs: [stdout('4.5\n')] }
    );
    await run(agent(client, host), 'Mean of x?');

    const bytes = (request: IChatRequest) =>
      request.messages.map(message => JSON.stringify(message));
    const [one, two, three] = client.requests.map(bytes);
    expect(two.slice(0, one.length)).toEqual(one);
    expect(three.slice(0, two.length)).toEqual(two);
    expect(two.length).toBeGreaterThan(one.length);
  });

  it('answers a syntax error with the repair hint in the text form', async () => {
    const bad = 'print(1';
    const client = new ProtocolClient(
      'text',
      text('```python\n' + bad + '\n```'),
      text('Sorry, the answer is 1.')
    );
    const host = new FakeHost();
    host.checkResults.set(bad, {
      syntaxError: {
        message: "'(' was never closed",
        line: 1,
        offset: 7,
        text: bad
      },
      findings: []
    });
    await run(agent(client, host), 'Print one');
    const output = userText(client.requests[1].messages[3]);
    expect(output).toContain('SyntaxError');
    expect(output).toContain('send the corrected python block');
    expect(output).not.toContain('run_python');
  });

  it('ends the turn on a reply without a block', async () => {
    const client = new ProtocolClient(
      'text',
      text('Hello! Ask me about data.')
    );
    const host = new FakeHost();
    const { result } = await run(agent(client, host), 'What can you do?');
    expect(result.status).toBe('done');
    expect(host.runs).toHaveLength(0);
  });
});

describe('the auto tool protocol', () => {
  it('falls back to text for the rest of the turn when the model writes a block instead of a call', async () => {
    const client = new ProtocolClient(
      'auto',
      text('I will compute it.\n\n', MEAN, '\nThe mean is 5.'),
      text('The mean is 4.5.')
    );
    const host = new FakeHost({ outputs: [stdout('4.5\n')] });
    const { result, events } = await run(agent(client, host), 'Mean of x?');

    expect(result.status).toBe('done');
    expect(host.runs).toHaveLength(1);
    expect(host.runs[0].code).toBe('print(pd.read_csv("a.csv")["x"].mean())');
    expect(texts(events)).toBe('I will compute it.\n\nThe mean is 4.5.');
    const [first, second] = client.requests;
    // Offered native tools first, then the text form.
    expect(first.tools?.[0].function.name).toBe('run_python');
    expect(first.messages[0].content).toContain('`run_python` tool');
    expect(second.tools).toBeUndefined();
    expect(second.messages[0].content).toContain(
      'one fenced ```python block and stop'
    );
    expect(userText(second.messages[3])).toContain('Output of your code:');
  });

  it('stays native, and runs no block of an answer, once the model made a call', async () => {
    const client = new ProtocolClient(
      'auto',
      [...callPython('print(4.5)'), ...TOOL_END],
      text('The mean is 4.5. To redo it:\n\n', MEAN)
    );
    const host = new FakeHost({ outputs: [stdout('4.5\n')] });
    const { result, events } = await run(agent(client, host), 'Mean of x?');

    expect(result.status).toBe('done');
    expect(host.runs).toHaveLength(1);
    expect(client.requests[1].tools).toHaveLength(1);
    expect(texts(events)).toContain(MEAN);
  });

  it('is native for a client that cannot tell', async () => {
    const client = new ScriptedClient(text('Here:\n', MEAN));
    const host = new FakeHost();
    const { result } = await run(agent(client, host), 'Mean of x?');
    expect(result.status).toBe('done');
    expect(host.runs).toHaveLength(0);
  });
});

describe('the text protocol prompt', () => {
  it('matches prompts/system-text.md (run prompts/generate.mjs)', () => {
    const file = readFileSync(
      join(__dirname, '..', '..', 'prompts', 'system-text.md'),
      'utf8'
    );
    expect(DEFAULT_PROMPTS.systemText).toBe(file);
  });

  it('stays under 600 tokens, as the app estimates them', () => {
    const system = renderPrompt('systemText', {
      language: 'English',
      language_tag: 'en',
      max_steps: DEFAULT_AGENT_SETTINGS.maxStepsPerTurn,
      timeout_seconds: DEFAULT_AGENT_SETTINGS.executionTimeoutSeconds
    });
    expect(system.warning).toBeNull();
    expect(system.text).not.toMatch(/\{\{/);
    const tokens = estimateTokens([{ role: 'system', content: system.text }]);
    expect(tokens).toBeLessThan(600);
    // With a typical notebook's context the first request stays small too.
    const context = contextMessage(
      {
        variables: [{ name: 'df', type: 'DataFrame', shape: '(120, 5)' }],
        packages: { pandas: '2.2.3', numpy: '2.1.0', matplotlib: '3.9.2' },
        cwd: '/home/user/work',
        files: ['sales.csv', 'analysis.ipynb'],
        headers: { 'sales.csv': 'order_id,date,region,units,unit_price' }
      },
      false,
      {
        prompt: 'What is the mean of units in sales.csv?',
        dataPackagesOnly: true
      }
    );
    expect(context).toContain("sales.csv header line: 'order_id,");
    const first = estimateTokens([
      { role: 'system', content: system.text },
      {
        role: 'user',
        content: `What is the mean of units in sales.csv?\n\n${context}`
      }
    ]);
    expect(first).toBeLessThan(400);
  });
});
