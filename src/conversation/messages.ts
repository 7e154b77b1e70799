/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { IChatMessage, ITokenUsage, IWireMessage } from '../tokens';
import type { IErrorDescription } from '../llm/errors';

/**
 * The conversation as the model sees it: finished interpreter turns as they
 * were sent (their user message keeps the wire transcript), other turns as
 * their texts. Steps, errors and empty messages are not sent.
 *
 * #### Notes
 * Past `maxTokens` (estimated), the oldest turns are shortened to their
 * question and final answer (their code and outputs stay in the notebook),
 * then the oldest are dropped, until the history fits. Turns are shortened in
 * blocks of about half the budget, counted from the first turn, so the
 * history's beginning stays the same for many turns and prompt caching keeps
 * working.
 */
export function wireHistory(
  messages: ReadonlyArray<IChatMessage>,
  maxTokens = Infinity
): IWireMessage[] {
  const turns = Private.turnsOf(messages);
  const budget = maxTokens * Private.CHARACTERS_PER_TOKEN;
  const full = turns.map(turn => Private.characters(turn.full));
  const brief = turns.map(turn => Private.characters(turn.brief));
  const chosen = turns.map(turn => turn.full);
  let total = full.reduce((sum, size) => sum + size, 0);
  let block = 0;
  for (let i = 0; i < turns.length && total > budget; i++) {
    chosen[i] = turns[i].brief;
    total += brief[i] - full[i];
    block += full[i];
    // Finish the block even once the history fits.
    while (block < budget / 2 && i + 1 < turns.length) {
      i++;
      chosen[i] = turns[i].brief;
      total += brief[i] - full[i];
      block += full[i];
    }
    block = 0;
  }
  for (let i = 0; i < turns.length && total > budget; i++) {
    total -= Private.characters(chosen[i]);
    chosen[i] = [];
  }
  return chosen.flat();
}

/**
 * A cheap, deliberately high estimate of the tokens of some wire messages
 * (about four characters of JSON per token).
 */
export function estimateTokens(wire: ReadonlyArray<IWireMessage>): number {
  return Math.ceil(Private.characters(wire) / Private.CHARACTERS_PER_TOKEN);
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

namespace Private {
  /**
   * Roughly, for English text and JSON; other scripts use fewer per token,
   * which the half-budget blocks absorb.
   */
  export const CHARACTERS_PER_TOKEN = 4;

  /**
   * The size of some wire messages as JSON.
   */
  export function characters(wire: ReadonlyArray<IWireMessage>): number {
    let count = 0;
    for (const message of wire) {
      count += JSON.stringify(message).length;
    }
    return count;
  }

  /**
   * One turn of the history: as sent, and shortened to its texts.
   */
  export interface ITurnWire {
    full: IWireMessage[];
    brief: IWireMessage[];
  }

  /**
   * The history's turns, in order.
   */
  export function turnsOf(messages: ReadonlyArray<IChatMessage>): ITurnWire[] {
    const turns: ITurnWire[] = [];
    let current: ITurnWire | null = null;
    let inWireTurn = false;
    for (const message of messages) {
      if (message.role === 'user') {
        inWireTurn = !!message.wire;
        current = { full: [], brief: [] };
        turns.push(current);
        const asked: IWireMessage = { role: 'user', content: message.content };
        if (message.wire) {
          current.full.push(...message.wire);
          const answer = finalAnswer(message.wire);
          current.brief.push(
            asked,
            ...(answer ? [{ role: 'assistant' as const, content: answer }] : [])
          );
          continue;
        }
        if (message.content) {
          current.full.push(asked);
          current.brief.push(asked);
        }
        continue;
      }
      if (!inWireTurn && message.role === 'assistant' && message.content) {
        if (!current) {
          current = { full: [], brief: [] };
          turns.push(current);
        }
        const said: IWireMessage = {
          role: 'assistant',
          content: message.content
        };
        current.full.push(said);
        current.brief.push(said);
      }
    }
    return turns;
  }

  /**
   * The last text the assistant wrote in a transcript.
   */
  function finalAnswer(wire: ReadonlyArray<IWireMessage>): string | null {
    for (let i = wire.length - 1; i >= 0; i--) {
      const message = wire[i];
      if (message.role === 'assistant' && message.content) {
        return message.content;
      }
    }
    return null;
  }
}
