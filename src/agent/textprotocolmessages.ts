/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type {
  IChatRequest,
  IWireContentPart,
  IWireMessage,
  IWireToolCall
} from '../llm/wire';
import { RUN_PYTHON_TOOL } from './toolresults';

/**
 * The most tokens a text-protocol reply may take: an answer or one python
 * block fits well within it, and a small model that starts repeating itself
 * (one ran 15 minutes to the server's cap) is cut off.
 */
export const TEXT_MAX_TOKENS = 700;

/**
 * What the text form restates after the outputs of the current turn.
 */
export interface ITextRequestOptions {
  /**
   * The user's prompt of the turn, restated after each of its outputs.
   */
  prompt?: string;

  /**
   * The index of the turn's first message in `request.messages`: results
   * before it (earlier turns) keep the plain closing sentence, so their
   * bytes never change.
   */
  turnStart?: number;
}

/**
 * A request of the native protocol in the text protocol's form: no tools,
 * calls written as fenced python blocks, results as user messages.
 *
 * #### Notes
 * Pure, and the same messages always give the same bytes, so the prefix of
 * a turn's next request equals its previous request (prompt caches reuse
 * it). The conversation keeps the native form; this runs at request time.
 *
 * @param request - the request as the native protocol sends it; its system
 *   message should already be the text protocol's prompt.
 */
export function toTextRequest(
  request: IChatRequest,
  options: ITextRequestOptions = {}
): IChatRequest {
  const messages: IWireMessage[] = [];
  const turnStart = options.turnStart ?? request.messages.length;
  request.messages.forEach((message, index) => {
    Private.append(
      messages,
      Private.convert(message, index >= turnStart ? options.prompt : undefined)
    );
  });
  return {
    model: request.model,
    temperature: request.temperature,
    messages,
    max_tokens: TEXT_MAX_TOKENS
  };
}

/**
 * The fenced block a `run_python` call is written as.
 *
 * @param code - the call's code.
 */
export function pythonBlock(code: string): string {
  return '```python\n' + code.replace(/\n+$/, '') + '\n```';
}

/**
 * A tool result as the text protocol's user message.
 *
 * #### Notes
 * A failed step ends asking for the corrected block (a small model told
 * "if this answers the request" answers from memory instead); otherwise
 * the turn's request is restated after the output, so the model answers in
 * the format it asks for. Both come after the output: the prefix a prompt
 * cache holds is unchanged.
 *
 * @param content - the tool message's text: outcome, outputs and hints.
 * @param prompt - the turn's prompt, to restate; absent for earlier turns.
 */
export function outputMessage(content: string, prompt?: string): string {
  const text = content.replace(
    Private.CALL_AGAIN,
    (match: string) =>
      (match[0] === 'C' ? 'S' : 's') + 'end the corrected python block'
  );
  const fence = '`'.repeat(Math.max(3, Private.longestBackticks(text) + 1));
  const output = `Output of your code:\n${fence}\n${text}\n${fence}\n`;
  if (Private.FAILED.test(content)) {
    return output + 'Fix the cause and send the corrected python block.';
  }
  if (prompt?.trim()) {
    return (
      output +
      `The request: ${Private.clipPrompt(prompt.trim())}\n` +
      'If this output answers it (computed from all the rows, not read off a preview), reply with the answer in the format the request asks for, and no code block; ' +
      'otherwise send the next python block.'
    );
  }
  return (
    output +
    'If this answers the request, reply with the answer and no code block; ' +
    'otherwise send the next python block.'
  );
}

/**
 * A `run_python` call made from a text reply's block, as the native
 * protocol would have sent it.
 *
 * @param id - the call's id.
 * @param code - the block's code.
 */
export function textCall(id: string, code: string): IWireToolCall {
  return {
    id,
    type: 'function',
    function: {
      name: RUN_PYTHON_TOOL.function.name,
      arguments: JSON.stringify({ code })
    }
  };
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * The native results' repair hint, which names the tool.
   */
  export const CALL_AGAIN = /[Cc]all run_python again/g;

  /**
   * The headers of a step that failed or did not run for an error
   * (toolresults.ts: `resultHeader`, `judgeStep`), after the note on an
   * edit.
   */
  export const FAILED =
    /^(?:The user edited [^]*?\n```\n)?(?:The code raised an error|Timed out after|The kernel died|SyntaxError: |Not run: )/;

  /**
   * The most characters of the prompt restated after an output.
   */
  const PROMPT_CHARS = 600;

  /**
   * A long prompt's head and tail.
   */
  export function clipPrompt(prompt: string): string {
    if (prompt.length <= PROMPT_CHARS) {
      return prompt;
    }
    const half = PROMPT_CHARS / 2;
    return `${prompt.slice(0, half)} […] ${prompt.slice(-half)}`;
  }

  /**
   * One message in the text protocol's form.
   */
  export function convert(
    message: IWireMessage,
    prompt?: string
  ): IWireMessage {
    switch (message.role) {
      case 'assistant': {
        if (!message.tool_calls?.length) {
          return { role: 'assistant', content: message.content ?? '' };
        }
        const blocks = message.tool_calls.map(call =>
          pythonBlock(codeOf(call))
        );
        const prose = (message.content ?? '').trim();
        return {
          role: 'assistant',
          content: [...(prose ? [prose] : []), ...blocks].join('\n\n')
        };
      }
      case 'tool':
        return {
          role: 'user',
          content: outputMessage(message.content, prompt)
        };
      case 'user':
        return { role: 'user', content: flatten(message.content) };
      default:
        return message;
    }
  }

  /**
   * Add a message; a user message right after another joins it, as some
   * chat templates want the roles to alternate.
   */
  export function append(messages: IWireMessage[], message: IWireMessage) {
    const last = messages[messages.length - 1];
    if (message.role !== 'user' || last?.role !== 'user') {
      messages.push(message);
      return;
    }
    const joined =
      typeof last.content === 'string' && typeof message.content === 'string'
        ? `${last.content}\n\n${message.content}`
        : [...parts(last.content), ...parts(message.content)];
    messages[messages.length - 1] = { role: 'user', content: joined };
  }

  /**
   * Text parts as one string (small servers take strings best); content
   * with images stays in parts.
   */
  export function flatten(
    content: string | IWireContentPart[]
  ): string | IWireContentPart[] {
    if (typeof content === 'string') {
      return content;
    }
    const texts: string[] = [];
    for (const part of content) {
      if (part.type !== 'text') {
        return content;
      }
      texts.push(part.text);
    }
    return texts.join('\n\n');
  }

  function parts(content: string | IWireContentPart[]): IWireContentPart[] {
    return typeof content === 'string'
      ? [{ type: 'text', text: content }]
      : content;
  }

  /**
   * The code of a call, or its raw arguments when they are not ours.
   */
  function codeOf(call: IWireToolCall): string {
    try {
      const args = JSON.parse(call.function.arguments) as { code?: unknown };
      if (typeof args?.code === 'string') {
        return args.code;
      }
    } catch {
      // Not JSON: shown as it came.
    }
    return call.function.arguments;
  }

  /**
   * The longest run of backticks in `text`, so a fence around it is longer.
   */
  export function longestBackticks(text: string): number {
    let longest = 0;
    for (const run of text.match(/`+/g) ?? []) {
      longest = Math.max(longest, run.length);
    }
    return longest;
  }
}
