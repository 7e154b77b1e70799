/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { estimateTokens, wireHistory } from '../conversation/messages';
import type { IChatMessage, IWireMessage } from '../tokens';

/** An interpreter turn: the prompt, one step with a big output, the answer. */
function interpreterTurn(n: number, outputChars = 4000): IChatMessage[] {
  const wire: IWireMessage[] = [
    { role: 'user', content: `question ${n}` },
    {
      role: 'assistant',
      content: null,
      tool_calls: [
        {
          id: `call-${n}`,
          type: 'function',
          function: { name: 'run_python', arguments: '{"code":"print(1)"}' }
        }
      ]
    },
    {
      role: 'tool',
      tool_call_id: `call-${n}`,
      content: 'x'.repeat(outputChars)
    },
    { role: 'assistant', content: `answer ${n}` }
  ];
  return [
    { id: `u${n}`, role: 'user', content: `question ${n}`, wire },
    {
      id: `s${n}`,
      role: 'step',
      content: '',
      step: {
        number: 1,
        toolCallId: `call-${n}`,
        code: 'print(1)',
        status: 'done'
      }
    },
    { id: `a${n}`, role: 'assistant', content: `answer ${n}`, status: 'done' }
  ];
}

describe('wireHistory', () => {
  it('sends interpreter turns as they were sent and plain turns as texts', () => {
    const messages: IChatMessage[] = [
      ...interpreterTurn(1, 10),
      { id: 'u2', role: 'user', content: 'hello' },
      { id: 'a2', role: 'assistant', content: 'hi', status: 'done' },
      { id: 'e2', role: 'error', content: 'rate limited' }
    ];
    const history = wireHistory(messages);
    expect(history.map(m => m.role)).toEqual([
      'user',
      'assistant',
      'tool',
      'assistant',
      'user',
      'assistant'
    ]);
    expect(history.at(-1)).toEqual({ role: 'assistant', content: 'hi' });
  });

  it('keeps everything while within the budget', () => {
    const messages = [1, 2, 3].flatMap(n => interpreterTurn(n));
    const all = wireHistory(messages);
    expect(wireHistory(messages, estimateTokens(all))).toEqual(all);
  });

  it('shortens the oldest turns to question and answer first, a block at a time', () => {
    const messages = [1, 2, 3, 4].flatMap(n => interpreterTurn(n));
    // Each turn is ~1,050 tokens; the budget holds about three; a block is
    // half the budget, so the two oldest turns are shortened together.
    const history = wireHistory(messages, 3000);
    expect(estimateTokens(history)).toBeLessThanOrEqual(3000);
    expect(history.slice(0, 4)).toEqual([
      { role: 'user', content: 'question 1' },
      { role: 'assistant', content: 'answer 1' },
      { role: 'user', content: 'question 2' },
      { role: 'assistant', content: 'answer 2' }
    ]);
    // The later turns are still whole, their outputs included.
    expect(history.filter(m => m.role === 'tool')).toHaveLength(2);
    expect(history.at(-1)).toEqual({ role: 'assistant', content: 'answer 4' });
  });

  it('keeps the beginning unchanged over the next turns (prompt caching)', () => {
    const four = wireHistory(
      [1, 2, 3, 4].flatMap(n => interpreterTurn(n)),
      4000
    );
    const five = wireHistory(
      [1, 2, 3, 4, 5].flatMap(n => interpreterTurn(n)),
      4000
    );
    // Shortened already, yet the next turn only appends.
    expect(four[1]).toEqual({ role: 'assistant', content: 'answer 1' });
    expect(five.slice(0, four.length)).toEqual(four);
  });

  it('drops the oldest turns when even their texts do not fit', () => {
    const messages: IChatMessage[] = [1, 2, 3].flatMap(n => [
      { id: `u${n}`, role: 'user' as const, content: `${n}`.repeat(2000) },
      {
        id: `a${n}`,
        role: 'assistant' as const,
        content: 'ok',
        status: 'done' as const
      }
    ]);
    const history = wireHistory(messages, 1000);
    expect(estimateTokens(history)).toBeLessThanOrEqual(1000);
    expect(history[0]).toEqual({ role: 'user', content: '3'.repeat(2000) });
  });
});
