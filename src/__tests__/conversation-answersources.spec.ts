/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { answerGrounding } from '../conversation/answersources';
import type { IChatMessage } from '../tokens';

function step(number: number, summary?: string): IChatMessage {
  return {
    id: `step-${number}`,
    role: 'step',
    content: '',
    step: {
      number,
      toolCallId: `call-${number}`,
      code: `df.head(${number + 9})`,
      status: 'done',
      cellId: `cell-${number}`,
      ...(summary !== undefined ? { summary } : {})
    }
  };
}

const user: IChatMessage = {
  id: 'u1',
  role: 'user',
  content: 'What is the mean height in people.csv?',
  wire: [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'What is the mean height in people.csv?' },
        { type: 'text', text: 'Files: people_2024.csv (120 rows)' }
      ]
    }
  ]
};

function answer(id: string, content: string, extra = {}): IChatMessage {
  return { id, role: 'assistant', content, status: 'done', ...extra };
}

describe('answerGrounding', () => {
  it('takes the tool results of the turn’s steps and the question', () => {
    const messages = [
      user,
      answer('a1', 'Let me look.'),
      step(1, 'Ran without error. Outputs:\nmean 171.44'),
      step(2, 'Ran without error. Outputs:\n12'),
      answer('a2', 'The mean is 171.44.')
    ];
    const grounding = answerGrounding(messages, 4);
    expect(grounding?.turnId).toBe('u1');
    expect(grounding?.ran).toBe(true);
    expect(grounding?.input.sources).toEqual([
      {
        step: 1,
        cellId: 'cell-1',
        text: 'Ran without error. Outputs:\nmean 171.44'
      },
      { step: 2, cellId: 'cell-2', text: 'Ran without error. Outputs:\n12' }
    ]);
    // The question, its context as sent and the code that ran.
    expect(grounding?.input.given).toContain('people_2024.csv (120 rows)');
    expect(grounding?.input.given).toContain('df.head(10)');
  });

  it('checks only the final answer, once it is done', () => {
    const messages = [
      user,
      answer('a1', 'Let me look.'),
      step(1, 'out'),
      answer('a2', 'The mean is 171.44.', { status: 'streaming' })
    ];
    expect(answerGrounding(messages, 1)).toBeNull();
    expect(answerGrounding(messages, 3)).toBeNull();
    expect(answerGrounding(messages, 2)).toBeNull();
  });

  it('skips an answer the loop set aside', () => {
    const messages = [
      user,
      answer('a1', 'It is 171.', { draft: 'uncomputed' }),
      step(1, 'out'),
      answer('a2', 'It is 171.44.')
    ];
    expect(answerGrounding(messages, 1)).toBeNull();
    expect(answerGrounding(messages, 3)?.input.sources).toHaveLength(1);
  });

  it('has no sources when nothing ran, and skips steps without a result', () => {
    const messages = [user, step(1), answer('a1', 'It is 171.')];
    expect(answerGrounding(messages, 2)?.input.sources).toEqual([]);
    expect(answerGrounding(messages, 2)?.ran).toBe(false);
    const plain = [
      { id: 'u2', role: 'user', content: 'hi 3' } as IChatMessage,
      answer('a3', 'Hello 4')
    ];
    expect(answerGrounding(plain, 1)?.input).toEqual({
      sources: [],
      given: 'hi 3'
    });
  });

  it('takes a cell command’s quoted outputs, and skips other commands', () => {
    const explain: IChatMessage = {
      id: 'u3',
      role: 'user',
      content: '**Explain this cell**',
      format: 'markdown',
      quotedCell: { cellId: 'cell-9', outputs: '4.5' }
    };
    expect(
      answerGrounding([explain, answer('a4', 'It prints 4.5.')], 1)?.input
        .sources
    ).toEqual([{ step: null, cellId: 'cell-9', text: '4.5' }]);
    const fix: IChatMessage = {
      id: 'u4',
      role: 'user',
      content: '**Fix this cell**',
      format: 'markdown'
    };
    expect(answerGrounding([fix, answer('a5', 'Line 3 fails.')], 1)).toBeNull();
  });

  it('ends a turn at the next user message; earlier steps count, oldest first', () => {
    const messages = [
      user,
      step(1, 'mean 171.44'),
      answer('a1', 'It is 171.44.'),
      { id: 'u5', role: 'user', content: 'and in %?' } as IChatMessage,
      answer('a2', 'About 17%.'),
      { id: 'u6', role: 'user', content: 'and the max?' } as IChatMessage,
      step(1, 'max 199'),
      answer('a3', 'It is 199.')
    ];
    expect(answerGrounding(messages, 2)?.input.sources).toHaveLength(1);
    const followUp = answerGrounding(messages, 4);
    expect(followUp?.ran).toBe(false);
    expect(followUp?.input.sources).toEqual([
      { step: 1, cellId: 'cell-1', earlierTurn: 'u1', text: 'mean 171.44' }
    ]);
    const third = answerGrounding(messages, 7);
    expect(third?.ran).toBe(true);
    expect(third?.input.sources.map(s => s.earlierTurn)).toEqual([
      'u1',
      undefined
    ]);
  });
});
