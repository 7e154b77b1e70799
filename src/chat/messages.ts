/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { IChatMessage, ITokenUsage, IWireMessage } from '../tokens';
import type { IErrorDescription } from './errors';

/**
 * The conversation as the model sees it: finished interpreter turns as they
 * were sent (their user message keeps the wire transcript), other turns as
 * their texts. Steps, errors and empty messages are not sent.
 */
export function wireHistory(
  messages: ReadonlyArray<IChatMessage>
): IWireMessage[] {
  const history: IWireMessage[] = [];
  let inWireTurn = false;
  for (const message of messages) {
    if (message.role === 'user') {
      inWireTurn = !!message.wire;
      if (message.wire) {
        history.push(...message.wire);
        continue;
      }
    }
    if (
      !inWireTurn &&
      (message.role === 'user' || message.role === 'assistant') &&
      message.content
    ) {
      history.push({ role: message.role, content: message.content });
    }
  }
  return history;
}

/**
 * The messages with a failed request's error added; a partial answer stays
 * (marked as an error), an empty one is dropped. Unchanged (the same array)
 * when `assistantId` names a message that is gone.
 */
export function withError(
  messages: ReadonlyArray<IChatMessage>,
  assistantId: string | null,
  description: IErrorDescription,
  errorId: string
): ReadonlyArray<IChatMessage> {
  const assistant = messages.find(m => m.id === assistantId);
  if (!assistant && assistantId !== null) {
    return messages;
  }
  const kept = !assistant
    ? messages
    : assistant.content
      ? messages.map(m =>
          m.id === assistantId ? { ...m, status: 'error' as const } : m
        )
      : messages.filter(m => m.id !== assistantId);
  return [
    ...kept,
    {
      id: errorId,
      role: 'error',
      content: description.message,
      errorKind: description.kind
    }
  ];
}

/**
 * Token usage added up over a conversation's requests.
 */
export function addUsage(
  total: Readonly<Required<ITokenUsage>>,
  usage: ITokenUsage
): Required<ITokenUsage> {
  const prompt = usage.prompt_tokens ?? 0;
  const completion = usage.completion_tokens ?? 0;
  return {
    prompt_tokens: total.prompt_tokens + prompt,
    completion_tokens: total.completion_tokens + completion,
    total_tokens:
      total.total_tokens + (usage.total_tokens ?? prompt + completion)
  };
}
