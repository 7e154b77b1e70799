/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { AgentEvent } from '../agent/events';
import { nudgeMessage } from '../agent/nudge';
import {
  applyAgentEvent,
  EMPTY_CONVERSATION,
  finishTurn,
  startTurn
} from '../conversation/turnview';
import type { IStreamChunk, IWireMessage, ToolProtocol } from '../tokens';
import { untranslated } from '../translate';
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

  async toolProtocol(): Promise<ToolProtocol> {
    return this.protocol;
  }
}

const QUESTION = 'What is the mean of units in sales.csv?';
const CODE =
  'import pandas as pd\nprint(pd.read_csv("sales.csv")["units"].mean())';

function nudges(events: AgentEvent[]): AgentEvent[] {
  return events.filter(event => event.type === 'nudge');
}

function lastMessage(messages: IWireMessage[]): IWireMessage | undefined {
  return messages[messages.length - 1];
}

describe('the nudge in the loop', () => {
  it('asks once to compute an uncomputed number, then runs the step the model writes', async () => {
    const client = new ScriptedClient(
      text('The mean is 42.5.'),
      [...callPython(CODE), ...TOOL_END],
      text('The mean is 41.3.')
    );
    const host = new FakeHost({ outputs: [stdout('41.3\n')] });
    const { result, events } = await run(agent(client, host), QUESTION);

    expect(result.status).toBe('done');
    expect(client.requests).toHaveLength(3);
    expect(nudges(events)).toEqual([
      { type: 'nudge', segment: 0, reason: 'uncomputed' }
    ]);
    // The second request is the first one and the nudge: the set-aside
    // answer is left out, the prefix is the same.
    const [first, second] = client.requests;
    expect(second.messages).toEqual([
      ...first.messages,
      { role: 'user', content: nudgeMessage('native', ['sales.csv']) }
    ]);
    expect(JSON.stringify(second)).not.toContain('42.5');
    expect(second.tools).toHaveLength(1);
    // The turn's transcript keeps the nudge, not the draft.
    expect(result.messages.map(m => m.role)).toEqual([
      'user',
      'user',
      'assistant',
      'tool',
      'assistant'
    ]);
    expect(JSON.stringify(result.messages)).not.toContain('42.5');
    expect(host.runs).toHaveLength(1);
    expect(lastMessage(result.messages)).toEqual({
      role: 'assistant',
      content: 'The mean is 41.3.'
    });
    // The nudge event comes after the draft's text and before the step.
    const order = events
      .filter(e => e.type !== 'usage' && e.type !== 'step-status')
      .map(e => e.type);
    expect(order.indexOf('nudge')).toBeGreaterThan(order.indexOf('text'));
    expect(order.indexOf('nudge')).toBeLessThan(order.indexOf('step-created'));
  });

  it('nudges only once: a second uncomputed answer ends the turn', async () => {
    const client = new ScriptedClient(
      text('The mean is 42.5.'),
      text('The mean is roughly 40; this is an estimate, not computed.')
    );
    const host = new FakeHost();
    const { result, events } = await run(agent(client, host), QUESTION);

    expect(result.status).toBe('done');
    expect(client.requests).toHaveLength(2);
    expect(nudges(events)).toHaveLength(1);
    expect(host.runs).toHaveLength(0);
    expect(lastMessage(result.messages)?.content).toContain('estimate');
  });

  it('does not nudge with the setting off', async () => {
    const client = new ScriptedClient(text('The mean is 42.5.'));
    const { result, events } = await run(
      agent(client, new FakeHost(), { checkUncomputedNumbers: false }),
      QUESTION
    );
    expect(result.status).toBe('done');
    expect(client.requests).toHaveLength(1);
    expect(nudges(events)).toEqual([]);
  });

  it('does not nudge an answer after a step, nor one without numbers, nor small talk', async () => {
    const afterStep = new ScriptedClient(
      [...callPython(CODE), ...TOOL_END],
      text('The mean is 41.3, and the median 40.')
    );
    const stepped = await run(
      agent(afterStep, new FakeHost({ outputs: [stdout('41.3\n')] })),
      QUESTION
    );
    expect(afterStep.requests).toHaveLength(2);
    expect(nudges(stepped.events)).toEqual([]);

    const noNumbers = new ScriptedClient(
      text('Shall I read the file and compute it?')
    );
    const plain = await run(agent(noNumbers, new FakeHost()), QUESTION);
    expect(noNumbers.requests).toHaveLength(1);
    expect(nudges(plain.events)).toEqual([]);

    const hello = new ScriptedClient(text('Hello! Ask me about your 2 files.'));
    const small = await run(agent(hello, new FakeHost()), 'hi');
    expect(hello.requests).toHaveLength(1);
    expect(nudges(small.events)).toEqual([]);
  });

  it('sets aside an answer in words about an unread file, and runs the block that reads it', async () => {
    const client = new ProtocolClient(
      'text',
      text('Apple'),
      text(
        '```python\nimport pandas as pd\nprint(pd.read_csv("sales.csv").groupby("product")["units"].sum().idxmax())\n```'
      ),
      text('Gizmo')
    );
    const host = new FakeHost({ outputs: [stdout('Gizmo\n')] });
    const { result, events } = await run(
      agent(client, host),
      'Which product in sales.csv has the most units sold? Answer with the name only.'
    );

    expect(result.status).toBe('done');
    expect(nudges(events)).toEqual([
      { type: 'nudge', segment: 0, reason: 'unread' }
    ]);
    expect(host.runs).toHaveLength(1);
    const second = client.requests[1];
    const nudge = lastMessage(second.messages);
    expect(nudge?.content).toContain(
      nudgeMessage('text', ['sales.csv'], 'unread')
    );
    expect(JSON.stringify(second.messages)).not.toContain('Apple');
    expect(result.messages.at(-1)).toMatchObject({
      role: 'assistant',
      content: 'Gizmo'
    });
  });

  it('with the text protocol, sets aside an answer after a step whose numbers no output holds', async () => {
    const client = new ProtocolClient(
      'text',
      text('```python\n' + CODE + '\n```'),
      text('21.0'),
      text('21.1')
    );
    const host = new FakeHost({ outputs: [stdout('21.075743348982787\n')] });
    const { result, events } = await run(
      agent(client, host),
      'What is the mean of units in sales.csv? Answer with 1 decimal.'
    );

    expect(result.status).toBe('done');
    expect(nudges(events)).toEqual([
      { type: 'nudge', segment: 1, reason: 'ungrounded' }
    ]);
    expect(host.runs).toHaveLength(1);
    const third = client.requests[2];
    expect(JSON.stringify(third.messages)).toContain(
      'The numbers of your answer (21.0) are not in any output above'
    );
    expect(result.messages.at(-1)).toMatchObject({
      role: 'assistant',
      content: '21.1'
    });
    // An answer the output holds ends the turn at once.
    const grounded = new ProtocolClient(
      'text',
      text('```python\n' + CODE + '\n```'),
      text('21.1')
    );
    const once = await run(
      agent(
        grounded,
        new FakeHost({ outputs: [stdout('21.075743348982787\n')] })
      ),
      'What is the mean of units in sales.csv? Answer with 1 decimal.'
    );
    expect(nudges(once.events)).toEqual([]);
    expect(grounded.requests).toHaveLength(2);
  });

  it('asks for a python block with the text protocol, and runs it', async () => {
    const client = new ProtocolClient(
      'text',
      text('平均值是 42.5。'),
      text('我来计算。\n\n```python\n' + CODE + '\n```'),
      text('平均值是 41.3。')
    );
    const host = new FakeHost({ outputs: [stdout('41.3\n')] });
    const { result, events } = await run(
      agent(client, host),
      'sales.csv 中 units 的平均值是多少？'
    );

    expect(result.status).toBe('done');
    expect(nudges(events)).toEqual([
      { type: 'nudge', segment: 0, reason: 'uncomputed' }
    ]);
    const [first, second] = client.requests;
    expect(second.tools).toBeUndefined();
    // Roles alternate in the text protocol: the nudge joins the prompt's
    // message, and the draft is left out.
    expect(second.messages).toHaveLength(first.messages.length);
    const nudge = lastMessage(second.messages);
    expect(nudge?.role).toBe('user');
    expect(nudge?.content).toBe(
      `${lastMessage(first.messages)?.content}\n\n${nudgeMessage('text', ['sales.csv'])}`
    );
    expect(String(nudge?.content)).toContain('reads sales.csv');
    expect(String(nudge?.content)).toContain('```python');
    expect(JSON.stringify(second)).not.toContain('42.5');
    expect(host.runs).toHaveLength(1);
    expect(host.runs[0].code).toBe(CODE);
  });

  it('respects the step limit: the step the nudge asked for is the last one', async () => {
    const client = new ScriptedClient(
      text('The mean is 42.5.'),
      [...callPython(CODE), ...TOOL_END],
      text('The mean is 41.3.')
    );
    const host = new FakeHost({ outputs: [stdout('41.3\n')] });
    const { result } = await run(
      agent(client, host, { maxStepsPerTurn: 1 }),
      QUESTION
    );
    expect(host.runs).toHaveLength(1);
    expect(client.requests).toHaveLength(3);
    // The answer after the step was asked without tools.
    expect(client.requests[2].tool_choice).toBe('none');
    expect(result.status).toBe('gave_up');
  });
});

describe('the nudge in the chat', () => {
  it('folds the uncomputed answer as a draft and shows the next reply as the answer', () => {
    const events: AgentEvent[] = [
      { type: 'text', segment: 0, delta: 'The mean is 42.5.' },
      { type: 'nudge', segment: 0, reason: 'uncomputed' },
      {
        type: 'step-created',
        step: 1,
        toolCallId: 'call_1',
        code: CODE,
        status: 'checking'
      },
      {
        type: 'step-finished',
        step: 1,
        status: 'done',
        outcome: 'ok',
        code: CODE,
        edited: false,
        summary: '41.3'
      },
      { type: 'text', segment: 1, delta: 'The mean is 41.3.' }
    ];
    const folded = events.reduce(
      applyAgentEvent,
      startTurn(EMPTY_CONVERSATION, QUESTION)
    );
    const state = finishTurn(
      folded,
      { status: 'done', finishReason: 'stop' },
      untranslated
    );
    const assistant = state.messages.filter(m => m.role === 'assistant');
    expect(assistant.map(m => [m.content, m.status, m.draft])).toEqual([
      ['The mean is 42.5.', 'done', 'uncomputed'],
      ['The mean is 41.3.', 'done', undefined]
    ]);
  });

  it('shows the note even when the draft streamed no text', () => {
    const state = applyAgentEvent(startTurn(EMPTY_CONVERSATION, QUESTION), {
      type: 'nudge',
      segment: 0,
      reason: 'uncomputed'
    });
    expect(state.messages.at(-1)).toMatchObject({
      role: 'assistant',
      content: '',
      draft: 'uncomputed'
    });
    expect(state.status).toBe('waiting');
  });
});
