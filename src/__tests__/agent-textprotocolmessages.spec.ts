/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import {
  outputMessage,
  TEXT_MAX_TOKENS,
  toTextRequest
} from '../agent/textprotocolmessages';
import { REPLACEMENT_NOTE } from '../agent/toolresults';
import type { IWireMessage } from '../llm/wire';

const PROMPT = 'Mean of x in data.csv? Answer with 2 decimals.';

describe('outputMessage', () => {
  it('restates the request after an output that ran', () => {
    const message = outputMessage('Ran without error. Outputs:\n2.5', PROMPT);
    expect(message).toBe(
      'Output of your code:\n```\nRan without error. Outputs:\n2.5\n```\n' +
        `The request: ${PROMPT}\n` +
        'If this output answers it (computed from all the rows, not read off a preview), reply with the answer in the format the request asks for, and no code block; otherwise send the next python block.'
    );
  });

  it('asks for the corrected block after a failed step, keeping the replacement note', () => {
    const content = `The code raised an error. Outputs:\nKeyError: 'Dept'\n${REPLACEMENT_NOTE}`;
    const message = outputMessage(content, PROMPT);
    expect(message).toContain(REPLACEMENT_NOTE);
    expect(message).toMatch(
      /\n```\nFix the cause and send the corrected python block\.$/
    );
    expect(message).not.toContain('If this output answers');
    expect(message).not.toContain('The request:');
  });

  it('treats an edited step that failed, a syntax error and a block as failures', () => {
    for (const content of [
      "The user edited the code before running it; this is the code that ran:\n```python\nx\n```\nThe code raised an error. Outputs:\nNameError: name 'x' is not defined",
      'SyntaxError: invalid syntax (line 1: x =); the code was not run. Fix it and call run_python again.',
      'Timed out after 120 s; the kernel was interrupted. Outputs so far:\n(no output)'
    ]) {
      expect(outputMessage(content, PROMPT)).toMatch(
        /Fix the cause and send the corrected python block\.$/
      );
    }
  });

  it('keeps the plain closing sentence without a prompt', () => {
    expect(outputMessage('Ran without error. Outputs:\n1')).toMatch(
      /\nIf this answers the request, reply with the answer and no code block; otherwise send the next python block\.$/
    );
  });

  it('clips a long prompt', () => {
    const long = 'a'.repeat(2000);
    expect(
      outputMessage('Ran without error. Outputs:\n1', long).length
    ).toBeLessThan(1000);
  });
});

describe('toTextRequest', () => {
  const call = (id: string): IWireMessage => ({
    role: 'assistant',
    content: '',
    tool_calls: [
      {
        id,
        type: 'function',
        function: { name: 'run_python', arguments: '{"code":"print(1)"}' }
      }
    ]
  });
  const messages: IWireMessage[] = [
    { role: 'system', content: 'system' },
    // An earlier turn (history).
    { role: 'user', content: 'Earlier question?' },
    call('a'),
    {
      role: 'tool',
      tool_call_id: 'a',
      content: 'Ran without error. Outputs:\n1'
    },
    { role: 'assistant', content: '1' },
    // This turn.
    { role: 'user', content: PROMPT },
    call('b'),
    {
      role: 'tool',
      tool_call_id: 'b',
      content: 'Ran without error. Outputs:\n2'
    }
  ];

  it('caps the reply and restates only the current turn’s prompt', () => {
    const request = toTextRequest(
      { model: 'm', temperature: 0, messages },
      { prompt: PROMPT, turnStart: 5 }
    );
    expect(request.max_tokens).toBe(TEXT_MAX_TOKENS);
    expect(request.tools).toBeUndefined();
    const earlier = request.messages[3].content as string;
    const current = request.messages[7].content as string;
    expect(earlier).not.toContain('The request:');
    expect(current).toContain(`The request: ${PROMPT}\n`);
  });

  it('sends the same prefix as the turn grows', () => {
    const options = { prompt: PROMPT, turnStart: 5 };
    const first = toTextRequest(
      { model: 'm', temperature: 0, messages: messages.slice(0, 6) },
      options
    );
    const second = toTextRequest(
      { model: 'm', temperature: 0, messages },
      options
    );
    expect(second.messages.slice(0, first.messages.length)).toEqual(
      first.messages
    );
  });
});
