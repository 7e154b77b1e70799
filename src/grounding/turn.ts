/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { IChatMessage, IWireMessage } from '../tokens';
import type { IGroundingInput, IGroundingSource } from './match';

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
 * same way. A turn in which nothing ran has no sources: the view says its
 * numbers were not computed rather than marking each.
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
  const sources: IGroundingSource[] = [];
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
  return { input: { sources, given: given.join('\n') }, turnId: user.id };
}

/**
 * A namespace for private helpers.
 */
namespace Private {
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
