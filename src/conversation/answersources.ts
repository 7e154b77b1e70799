/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { IChatMessage, IWireMessage } from '../tokens';
import type { IGroundingInput, IGroundingSource } from '../grounding/match';

/**
 * What an answer of the chat is checked against.
 */
export interface IAnswerGrounding {
  /**
   * The outputs of the answer's runs and the text it may quote.
   */
  input: IGroundingInput;

  /**
   * The id of the turn's user message (step ids are `<turnId>/<number>`).
   */
  turnId: string;

  /**
   * Whether anything ran for this answer (its turn's steps, or the cell a
   * command quoted).
   */
  ran: boolean;
}

/**
 * The grounding of the message at `index`, when it is an answer to check.
 *
 * #### Notes
 * Checked: the final answer of a turn (done, not a draft the loop set aside,
 * nothing after it in its turn) and the answer to a cell command that quoted
 * a cell's outputs. Not checked: texts between steps, answers still under
 * way, and other command answers (a fix is code). The sources are the tool
 * results of the turn's steps, stored the same way whichever tool protocol
 * made them, and kept with the conversation, so a reloaded chat checks the
 * same way; earlier turns' tool results count too, as the model got them
 * in its history (a follow-up may quote them without a new run). With no
 * source at all, the view says the numbers were not computed rather than
 * marking each.
 *
 * @param messages - the conversation.
 * @param index - the message's index.
 */
export function answerGrounding(
  messages: ReadonlyArray<IChatMessage>,
  index: number
): IAnswerGrounding | null {
  const answer = messages[index];
  if (
    !answer ||
    answer.role !== 'assistant' ||
    answer.status !== 'done' ||
    answer.draft ||
    !answer.content.trim()
  ) {
    return null;
  }
  for (let k = index + 1; k < messages.length; k++) {
    const later = messages[k];
    if (later.role === 'user') {
      break;
    }
    if (later.role === 'assistant' || later.role === 'step') {
      return null;
    }
  }
  let start = index - 1;
  while (start >= 0 && messages[start].role !== 'user') {
    start--;
  }
  const user = messages[start];
  if (!user || (user.format === 'markdown' && !user.quotedCell)) {
    return null;
  }
  const sources: IGroundingSource[] = Private.earlierSteps(messages, start);
  const earlier = sources.length;
  const given: string[] = [Private.promptOf(user)];
  if (user.quotedCell) {
    sources.push({
      step: null,
      cellId: user.quotedCell.cellId,
      text: user.quotedCell.outputs
    });
  }
  for (const message of messages.slice(start + 1, index)) {
    const step = message.step;
    if (message.role === 'step' && step) {
      given.push(step.code);
      if (step.summary) {
        sources.push({
          step: step.number,
          ...(step.cellId ? { cellId: step.cellId } : {}),
          text: step.summary
        });
      }
    }
  }
  return {
    input: { sources, given: given.join('\n') },
    turnId: user.id,
    ran: sources.length > earlier
  };
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * The tool results of the steps before message `end`, with their turns.
   */
  export function earlierSteps(
    messages: ReadonlyArray<IChatMessage>,
    end: number
  ): IGroundingSource[] {
    const found: IGroundingSource[] = [];
    let turn = '';
    for (const message of messages.slice(0, end)) {
      if (message.role === 'user') {
        turn = message.id;
      }
      const step = message.step;
      if (message.role === 'step' && step?.summary && turn) {
        found.push({
          step: step.number,
          ...(step.cellId ? { cellId: step.cellId } : {}),
          earlierTurn: turn,
          text: step.summary
        });
      }
    }
    return found;
  }

  /**
   * The question as the model got it: the wire's first user message (the
   * prompt and the notebook's context) or, without one, the shown text.
   */
  export function promptOf(user: IChatMessage): string {
    const first = user.wire?.find(
      (m): m is Extract<IWireMessage, { role: 'user' }> => m.role === 'user'
    );
    if (!first) {
      return user.content;
    }
    const content = first.content;
    const text =
      typeof content === 'string'
        ? content
        : content
            .map(part => (part.type === 'text' ? part.text : ''))
            .join('\n');
    return `${user.content}\n${text}`;
  }
}
