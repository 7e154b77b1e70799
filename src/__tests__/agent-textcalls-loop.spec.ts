/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { AgentEvent } from '../agent/events';
import type { IStreamChunk, ToolProtocol } from '../tokens';
import {
  agent,
  FakeHost,
  run,
  ScriptedClient,
  stdout,
  text
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

  async toolProtocol(): Promise<ToolProtocol> {
    return this.protocol;
  }
}

const CODE =
  "import pandas as pd\nsales = pd.read_csv('sales.csv')\nprint(f\"{sales['units'].mean():.2f}\")";

/**
 * A call as Qwen2.5-Coder-1.5B wrote it into its reply (llama.cpp, whose
 * parser left it as text: the code is in Python triple quotes).
 */
const CALL =
  '```json\n{\n  "name": "run_python",\n  "arguments": {\n    "code": """\n' +
  CODE +
  '\n"""\n  }\n}\n```';

function texts(events: AgentEvent[]): string {
  return events
    .map(event => (event.type === 'text' ? event.delta : ''))
    .join('');
}

/**
 * The reply streamed in pieces of `size` characters.
 */
function pieces(reply: string, size: number): string[] {
  const out: string[] = [];
  for (let start = 0; start < reply.length; start += size) {
    out.push(reply.slice(start, start + size));
  }
  return out;
}

describe('a run_python call written as text', () => {
  it('runs as a step with the auto protocol, and the turn goes on in the text form', async () => {
    const client = new ProtocolClient(
      'auto',
      text(...pieces('You can achieve this:\n\n' + CALL, 7)),
      text('The mean of units is 11.67.')
    );
    const host = new FakeHost({ outputs: [stdout('11.67\n')] });
    const { result, events } = await run(agent(client, host), 'Mean units?');

    expect(result.status).toBe('done');
    expect(host.runs).toHaveLength(1);
    expect(host.runs[0].code).toBe(CODE);
    expect(events.filter(e => e.type === 'step-created')).toHaveLength(1);
    // The chat shows the sentence and the answer, never the call.
    expect(texts(events)).toBe(
      'You can achieve this:\n\nThe mean of units is 11.67.'
    );
    const second = client.requests[1];
    expect(second.tools).toBeUndefined();
    // The model sees its call as the text protocol writes steps.
    expect(second.messages[2]).toEqual({
      role: 'assistant',
      content: 'You can achieve this:\n\n```python\n' + CODE + '\n```'
    });
    expect(second.messages[3].content).toMatch(/^Output of your code:/);
    expect(result.messages[1]).toMatchObject({
      role: 'assistant',
      content: 'You can achieve this:',
      tool_calls: [{ function: { name: 'run_python' } }]
    });
  });

  it("runs a call in Qwen's tags with the text protocol", async () => {
    const call = JSON.stringify({
      name: 'run_python',
      arguments: { code: CODE }
    });
    const client = new ProtocolClient(
      'text',
      text('<tool_call>\n', call, '\n</tool_call>'),
      text('The mean of units is 11.67.')
    );
    const host = new FakeHost({ outputs: [stdout('11.67\n')] });
    const { result, events } = await run(agent(client, host), 'Mean units?');

    expect(result.status).toBe('done');
    expect(host.runs.map(step => step.code)).toEqual([CODE]);
    expect(texts(events)).toBe('The mean of units is 11.67.');
  });

  it('ends the turn on an answer that shows JSON but makes no call', async () => {
    const answer =
      'A record of the file looks like this:\n```json\n{"name": "run_python", "region": "North"}\n```\nand as a call: {"name": "run_python", "arguments": {"code": "print(1)"}}';
    const client = new ProtocolClient('auto', text(...pieces(answer, 5)));
    const host = new FakeHost();
    // Without the nudge, which asks for code before an answer with numbers.
    const settings = { checkUncomputedNumbers: false };
    const { result, events } = await run(
      agent(client, host, settings),
      'Show a row.'
    );

    expect(result.status).toBe('done');
    expect(host.runs).toHaveLength(0);
    expect(client.requests).toHaveLength(1);
    expect(texts(events)).toBe(answer);
  });

  it('is not run with the native protocol, which the user chose for real calls', async () => {
    const client = new ProtocolClient('native', text(CALL));
    const host = new FakeHost();
    const { result, events } = await run(agent(client, host), 'Mean units?');

    expect(result.status).toBe('done');
    expect(host.runs).toHaveLength(0);
    expect(texts(events)).toBe(CALL);
  });
});
