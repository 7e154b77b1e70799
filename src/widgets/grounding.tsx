/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IGroundingReport, INumberOrigin } from '../grounding/match';
import {
  answerGrounding,
  IAnswerGrounding
} from '../conversation/answersources';
import type { ChatStatus, IChatMessage } from '../tokens';
import { markNumbers } from './numbermarks';
import { attachNumberTips } from './numbertips';

/**
 * Where a click on a matched number goes: the step's cell, or the quoted
 * cell.
 */
export interface INumberTarget {
  /** The step id (`<turn id>/<number>`), for a step's output. */
  stepId?: string;
  /** The cell, for a quoted cell's outputs. */
  cellId?: string;
}

/**
 * The grounding of each message (`null` for those not checked), the same
 * object for a message as long as its turn does not change, so memoised
 * message views do not re-render.
 *
 * @param messages - the conversation.
 * @param status - the conversation's status: the last turn is checked only
 *   once it is over.
 */
export function useAnswerGroundings(
  messages: ReadonlyArray<IChatMessage>,
  status: ChatStatus
): ReadonlyArray<IAnswerGrounding | null> {
  const cache = React.useRef(new WeakMap<IChatMessage, Private.ICached>());
  const lastUser = messages.map(m => m.role).lastIndexOf('user');
  return messages.map((message, index) => {
    if (
      message.role !== 'assistant' ||
      (status !== 'idle' && index > lastUser)
    ) {
      return null;
    }
    const turn = Private.turnOf(messages, index);
    const cached = cache.current.get(message);
    if (
      cached &&
      cached.turn.length === turn.length &&
      cached.turn.every((m, k) => m === turn[k])
    ) {
      return cached.grounding;
    }
    const grounding = answerGrounding(messages, index);
    cache.current.set(message, { turn, grounding });
    return grounding;
  });
}

/**
 * Marks the numbers of a final answer and says how many were found.
 *
 * @returns the callback for `MarkdownBody.onFinalRender` (undefined when
 *   the answer is not checked) and the report of the last marking.
 */
export function useNumberMarks(
  grounding: IAnswerGrounding | null | undefined,
  trans: TranslationBundle,
  onReveal: ((target: INumberTarget) => void) | undefined
): {
  onFinalRender?: (node: HTMLElement) => void;
  report: IGroundingReport | null;
} {
  const [report, setReport] = React.useState<IGroundingReport | null>(null);
  const detach = React.useRef<(() => void) | null>(null);
  const revealRef = React.useRef(onReveal);
  revealRef.current = onReveal;

  React.useEffect(() => () => detach.current?.(), []);

  const onFinalRender = React.useCallback(
    (node: HTMLElement) => {
      if (!grounding) {
        return;
      }
      const checkable = grounding.input.sources.length > 0;
      const next = markNumbers(node, grounding.input, checkable, {
        origin: origin => Private.originText(origin, trans),
        unmatched: trans.__('not found in any output of this answer')
      });
      const host = node.parentElement;
      detach.current?.();
      detach.current = host
        ? attachNumberTips(host, mark => {
            const step = mark.dataset.step;
            const turn = mark.dataset.turn ?? grounding.turnId;
            revealRef.current?.(
              step
                ? { stepId: `${turn}/${step}` }
                : { cellId: mark.dataset.cell }
            );
          })
        : null;
      setReport(next);
    },
    [grounding, trans]
  );

  React.useEffect(() => {
    if (!grounding) {
      setReport(null);
    }
  }, [grounding]);

  return {
    onFinalRender: grounding ? onFinalRender : undefined,
    report: grounding ? report : null
  };
}

/**
 * The line under a checked answer: how many numbers were checked and found,
 * and whether code ran for it.
 */
export function GroundingSummary(props: {
  report: IGroundingReport;
  grounding: IAnswerGrounding;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { report, grounding, trans } = props;
  const { ran } = grounding;
  const text = Private.summaryText(
    report,
    ran,
    grounding.input.sources.length > 0,
    trans
  );
  if (!text) {
    return null;
  }
  return (
    <div
      className="jp-CodeInterpreter-grounding"
      data-checked={report.checked}
      data-found={report.found}
      data-unmatched={report.unmatched}
      data-ran={ran}
    >
      {text}
    </div>
  );
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * A cached grounding and the messages of the turn it was made from.
   */
  export interface ICached {
    turn: ReadonlyArray<IChatMessage>;
    grounding: IAnswerGrounding | null;
  }

  /**
   * The messages of the turn holding `index`: from its user message to the
   * next one.
   */
  export function turnOf(
    messages: ReadonlyArray<IChatMessage>,
    index: number
  ): ReadonlyArray<IChatMessage> {
    let start = index;
    while (start > 0 && messages[start].role !== 'user') {
      start--;
    }
    let end = index + 1;
    while (end < messages.length && messages[end].role !== 'user') {
      end++;
    }
    return messages.slice(start, end);
  }

  /**
   * Where a matched number came from, for its tooltip and accessible name.
   */
  export function originText(
    origin: INumberOrigin,
    trans: TranslationBundle
  ): string {
    const line =
      origin.line.length > 120 ? `${origin.line.slice(0, 117)}…` : origin.line;
    if (origin.step === null) {
      return trans.__('Found in the cell’s output: %1', line);
    }
    return origin.earlierTurn
      ? trans.__(
          'Found in the output of step %1 of an earlier question: %2',
          origin.step,
          line
        )
      : trans.__('Found in the output of step %1: %2', origin.step, line);
  }

  /**
   * The summary line, or '' when the answer states no number to check.
   */
  export function summaryText(
    report: IGroundingReport,
    ran: boolean,
    checkable: boolean,
    trans: TranslationBundle
  ): string {
    const claimed = report.checked - report.given;
    if (!checkable) {
      return claimed > 0
        ? trans._n(
            'No code ran for this answer: its %1 number was not computed',
            'No code ran for this answer: none of its %1 numbers was computed',
            claimed
          )
        : '';
    }
    if (report.checked === 0) {
      return '';
    }
    const parts = [
      trans._n(
        '%1 number checked, %2 found in outputs',
        '%1 numbers checked, %2 found in outputs',
        report.checked,
        report.found
      )
    ];
    if (report.given > 0) {
      parts.push(trans.__('%1 from the question or code', report.given));
    }
    if (report.unmatched > 0) {
      parts.push(trans.__('%1 not found', report.unmatched));
    }
    if (!ran) {
      parts.push(trans.__('no code ran for this answer'));
    }
    return parts.join(trans.__(', '));
  }
}
