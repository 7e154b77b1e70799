/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

/**
 * A reply that copies our report of an output ("Ran without error.
 * Outputs: Doohickey") is not the answer: it is set aside once and the
 * model asked to answer in a sentence (`echoed`, agent/nudge.ts).
 */

import type { AgentEvent } from '../agent/events';
import {
  echoesReport,
  IUncomputedCheck,
  nudgeMessage,
  nudgeReason
} from '../agent/nudge';
import {
  applyAgentEvent,
  EMPTY_CONVERSATION,
  startTurn
} from '../conversation/turnview';
import type { IStreamChunk, ToolProtocol } from '../tokens';
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

const QUESTION =
  'Which product sold the most units in sales.csv? Answer with the name only.';
const CODE =
  'import pandas as pd\nprint(pd.read_csv("sales.csv").groupby("product")["units"].sum().idxmax())';

function check(answer: string, overrides: Partial<IUncomputedCheck> = {}) {
  return nudgeReason({
    enabled: true,
    prompt: QUESTION,
    answer,
    history: [],
    state: null,
    smallTalk: false,
    calls: true,
    turnMessages: [],
    protocol: 'text',
    nudged: false,
    finalRequest: false,
    ...overrides
  });
}

describe('echoesReport', () => {
  it('knows the headers of our reports of an output', () => {
    expect(echoesReport('Ran without error. Outputs: Doohickey')).toBe(true);
    expect(echoesReport('Ran without error. Outputs:\nDoohickey')).toBe(true);
    expect(echoesReport('  The code raised an error. Outputs: …')).toBe(true);
    expect(echoesReport('Output of your code:\n```\nDoohickey\n```')).toBe(
      true
    );
  });

  it('takes answers, the bare output among them, as answers', () => {
    for (const answer of [
      'Doohickey',
      'The product that sold the most is Doohickey.',
      'The code ran without error; the answer is Doohickey.',
      'Outputs show Doohickey.'
    ]) {
      expect(echoesReport(answer)).toBe(false);
    }
  });
});

describe('the echoed nudge', () => {
  it('sets aside a copied report after steps, once, and never at the step limit', () => {
    const echo = 'Ran without error. Outputs: Doohickey';
    expect(check(echo)).toBe('echoed');
    expect(check(echo, { protocol: 'native' })).toBe('echoed');
    expect(check(echo, { nudged: true })).toBeNull();
    expect(check(echo, { finalRequest: true })).toBeNull();
    expect(check(echo, { enabled: false })).toBeNull();
    expect(check('Doohickey')).toBeNull();
  });

  it('asks for the answer in the format the request asks for', () => {
    expect(nudgeMessage('text', [], 'echoed')).toBe(
      '[Context, not written by the user] Your reply copied the report of the output instead of answering, so it was set aside. Answer the request now from the outputs above, in the format it asks for, without copying the report.'
    );
  });

  it('asks again in the loop, with the text protocol, and takes the next answer', async () => {
    const client = new ProtocolClient(
      'text',
      text('```python\n' + CODE + '\n```'),
      text('Ran without error. Outputs:\nDoohickey'),
      text('Doohickey')
    );
    const host = new FakeHost({ outputs: [stdout('Doohickey\n')] });
    const { result, events } = await run(agent(client, host), QUESTION);

    expect(result.status).toBe('done');
    expect(events.filter(e => e.type === 'nudge')).toEqual([
      { type: 'nudge', segment: 1, reason: 'echoed' }
    ]);
    const third = client.requests[2].messages;
    expect(String(third[third.length - 1].content)).toContain(
      'Your reply copied the report of the output instead of answering'
    );
    // The copied report is left out of the request.
    expect(
      third.filter(
        m => m.role === 'assistant' && String(m.content).startsWith('Ran')
      )
    ).toEqual([]);
    expect(result.messages.at(-1)).toEqual({
      role: 'assistant',
      content: 'Doohickey'
    });
    let state = startTurn(EMPTY_CONVERSATION, QUESTION);
    for (const event of events) {
      state = applyAgentEvent(state, event as AgentEvent);
    }
    expect(state.messages.map(m => m.draft)).toContain('echoed');
  });

  it('asks again with native calls', async () => {
    const client = new ScriptedClient(
      [...callPython(CODE), ...TOOL_END],
      text('Ran without error. Outputs: Doohickey'),
      text('Doohickey sold the most units.')
    );
    const host = new FakeHost({ outputs: [stdout('Doohickey\n')] });
    const { result, events } = await run(agent(client, host), QUESTION);
    expect(events.filter(e => e.type === 'nudge')).toHaveLength(1);
    expect(result.messages.at(-1)).toEqual({
      role: 'assistant',
      content: 'Doohickey sold the most units.'
    });
  });
});
