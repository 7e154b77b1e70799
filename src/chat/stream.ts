/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type {
  IStreamChunk,
  ITokenUsage,
  IWireError,
  TranslateFn
} from '../tokens';
import { untranslated } from './translate';

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
}

/**
 * The state of a stream before its first chunk.
 */
export const EMPTY_STREAM: IStreamState = Object.freeze({
  content: '',
  finishReason: null,
  usage: null,
  error: null
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
  if (choice?.finish_reason) {
    next = { ...next, finishReason: choice.finish_reason };
  }
  if (chunk.usage) {
    next = { ...next, usage: chunk.usage };
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
