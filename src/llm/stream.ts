/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { type TranslateFn, untranslated } from '../translate';
import type {
  IStreamChunk,
  IToolCallDelta,
  ITokenUsage,
  IWireError,
  IWireToolCall
} from './wire';

/**
 * What a streamed chat completion has produced so far.
 */
export interface IStreamState {
  /**
   * The assistant text received so far.
   */
  readonly content: string;

  /**
   * Why the model stopped (`stop`, `length`, `content_filter`…), once known.
   */
  readonly finishReason: string | null;

  /**
   * Token counts, from the final usage chunk.
   */
  readonly usage: ITokenUsage | null;

  /**
   * An error event received inside the stream.
   */
  readonly error: IWireError | null;

  /**
   * The tool calls received so far, by index: ids and names as they came,
   * arguments concatenated across chunks (valid JSON only once complete).
   */
  readonly toolCalls: ReadonlyArray<IWireToolCall>;
}

/**
 * The state of a stream before its first chunk.
 */
export const EMPTY_STREAM: IStreamState = Object.freeze({
  content: '',
  finishReason: null,
  usage: null,
  error: null,
  toolCalls: Object.freeze([])
});

/**
 * Fold one chunk into the stream state.
 *
 * #### Notes
 * Only the first choice is read: the chat never asks for `n > 1`. The usage
 * chunk of `stream_options.include_usage` has empty `choices`. Returns the
 * same object when the chunk changes nothing, so callers can skip renders.
 *
 * @param state - the state before the chunk.
 * @param chunk - a parsed `chat.completion.chunk`, or an `{"error": …}` event.
 */
export function applyChunk(
  state: IStreamState,
  chunk: IStreamChunk
): IStreamState {
  if (chunk.error) {
    return { ...state, error: chunk.error };
  }
  let next = state;
  const choice = chunk.choices?.[0];
  const delta = choice?.delta?.content;
  if (typeof delta === 'string' && delta.length > 0) {
    next = { ...next, content: next.content + delta };
  }
  const toolCalls = choice?.delta?.tool_calls;
  if (toolCalls && toolCalls.length) {
    next = {
      ...next,
      toolCalls: applyToolCallDeltas(next.toolCalls, toolCalls)
    };
  }
  if (choice?.finish_reason) {
    next = { ...next, finishReason: choice.finish_reason };
  }
  if (chunk.usage) {
    next = { ...next, usage: chunk.usage };
  }
  return next;
}

/**
 * Fold streamed tool-call pieces into the calls received so far.
 *
 * #### Notes
 * Pieces are matched by `index`, as OpenAI streams them: the first piece of
 * a call brings its `id` and `name`, later ones bring fragments of its
 * `arguments`. Some servers repeat the id or name on later pieces: a repeat
 * is ignored rather than appended.
 *
 * @param calls - the calls so far, in index order.
 * @param deltas - the pieces of one chunk.
 */
export function applyToolCallDeltas(
  calls: ReadonlyArray<IWireToolCall>,
  deltas: ReadonlyArray<IToolCallDelta>
): IWireToolCall[] {
  const next = calls.slice();
  for (const delta of deltas) {
    const index = typeof delta.index === 'number' ? delta.index : next.length;
    const current: IWireToolCall = next[index] ?? {
      id: '',
      type: 'function',
      function: { name: '', arguments: '' }
    };
    const name = delta.function?.name ?? '';
    next[index] = {
      id: current.id || (delta.id ?? ''),
      type: 'function',
      function: {
        name:
          name && !current.function.name.endsWith(name)
            ? current.function.name + name
            : current.function.name || name,
        arguments:
          current.function.arguments + (delta.function?.arguments ?? '')
      }
    };
  }
  // A server that skips an index leaves a hole: fill it so callers can map.
  for (let index = 0; index < next.length; index++) {
    next[index] = next[index] ?? {
      id: '',
      type: 'function',
      function: { name: '', arguments: '' }
    };
  }
  return next;
}

/**
 * A note to show under an answer that the model cut short, or `null`.
 *
 * @param finishReason - the finish reason of the stream.
 * @param trans - translates the note.
 */
export function truncationNote(
  finishReason: string | null,
  trans: TranslateFn = untranslated
): string | null {
  switch (finishReason) {
    case 'length':
      return trans(
        'The answer was cut off because it reached the maximum length.'
      );
    case 'content_filter':
      return trans('The answer was cut off by the endpoint’s content filter.');
    default:
      return null;
  }
}
