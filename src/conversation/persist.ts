/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { IChatMessage, MessageRole, TranslateFn } from '../tokens';

/**
 * A conversation read back from JSON.
 */
export interface IRestoredConversation {
  /**
   * The messages, repaired: nothing streams or runs any more.
   */
  messages: IChatMessage[];

  /**
   * The saved conversation id, if any.
   */
  conversationId: string | null;

  /**
   * The highest `message-N` counter used, so new ids do not collide.
   */
  lastCounter: number;
}

/**
 * Read a saved conversation (`ChatModel.toJSON`), defensively.
 *
 * #### Notes
 * The data may come from an older version or a damaged notebook: messages
 * without an id, a known role or string content are dropped. A turn saved
 * mid-way (a message `streaming`, a step `checking`, `proposed` or
 * `running`) is restored as stopped, with a note saying it was interrupted,
 * because nothing can resume it.
 *
 * @param data - the saved JSON.
 * @param trans - translates the note.
 */
export function restoreMessages(
  data: unknown,
  trans: TranslateFn
): IRestoredConversation {
  const record =
    data && typeof data === 'object' ? (data as Record<string, unknown>) : {};
  const raw = Array.isArray(record.messages) ? record.messages : [];
  const messages: IChatMessage[] = [];
  let lastCounter = 0;
  for (const item of raw) {
    const message = Private.message(item);
    if (!message) {
      continue;
    }
    const counter = /^message-(\d+)$/.exec(message.id);
    if (counter) {
      lastCounter = Math.max(lastCounter, Number(counter[1]));
    }
    messages.push(Private.settle(message, trans));
  }
  return {
    messages,
    conversationId:
      typeof record.conversationId === 'string' && record.conversationId
        ? record.conversationId
        : null,
    lastCounter
  };
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  const ROLES: ReadonlyArray<MessageRole> = [
    'user',
    'assistant',
    'error',
    'step'
  ];

  const OPEN_STEPS = new Set(['checking', 'proposed', 'running']);

  /**
   * A message, if the item looks like one.
   */
  export function message(item: unknown): IChatMessage | null {
    if (!item || typeof item !== 'object') {
      return null;
    }
    const candidate = item as Partial<IChatMessage>;
    if (
      typeof candidate.id !== 'string' ||
      typeof candidate.content !== 'string' ||
      !ROLES.includes(candidate.role as MessageRole)
    ) {
      return null;
    }
    if (
      candidate.role === 'step' &&
      (!candidate.step || typeof candidate.step.code !== 'string')
    ) {
      return null;
    }
    return candidate as IChatMessage;
  }

  /**
   * A message as it can be after a reload: nothing in progress.
   */
  export function settle(
    message: IChatMessage,
    trans: TranslateFn
  ): IChatMessage {
    if (message.status === 'streaming') {
      return {
        ...message,
        status: 'stopped',
        note: trans('Interrupted: the page was closed before the turn ended.')
      };
    }
    if (message.step && OPEN_STEPS.has(message.step.status)) {
      return { ...message, step: { ...message.step, status: 'stopped' } };
    }
    return message;
  }
}
