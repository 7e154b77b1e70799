/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import {
  checkNumbers,
  ICheckedNumber,
  IGroundingInput,
  IGroundingReport,
  INumberOrigin
} from '../grounding/match';
import { extractNumbers } from '../grounding/numbers';

/**
 * The class of a checked number's element.
 */
export const NUMBER_CLASS = 'jp-CodeInterpreter-number';

/**
 * The texts of the marks, translated by the caller.
 */
export interface INumberMarkTexts {
  /**
   * Where a matched number came from (tooltip and accessible name).
   */
  origin(origin: INumberOrigin): string;

  /**
   * Said of an unmatched number.
   */
  unmatched: string;
}

/**
 * Check the numbers of a rendered answer and mark them in its DOM.
 *
 * #### Notes
 * Reads the text the reader sees (code, preformatted blocks, maths and
 * links are left alone, as are numbers split across elements), so that
 * every number the summary counts is one the reader can find. Each checked
 * number becomes a button whose text is the number alone (copying the
 * answer copies it unchanged) and whose accessible name says what was
 * found: where it came from (`data-tip` holds the tooltip, `data-step` /
 * `data-turn` / `data-cell` where a click goes), or that it was not found,
 * shown by a dotted underline and a "?" drawn by the style sheet, so the
 * mark is never colour alone. With
 * `ran` false (nothing ran, no outputs) nothing is marked: the summary
 * says so once. Earlier marks are removed first, so it can run again.
 *
 * @param node - the rendered Markdown.
 * @param input - the outputs and the given text.
 * @param ran - whether any run gave outputs to check against (this
 *   answer's or an earlier one's).
 * @param texts - the marks' texts.
 */
export function markNumbers(
  node: HTMLElement,
  input: IGroundingInput,
  ran: boolean,
  texts: INumberMarkTexts
): IGroundingReport {
  clearNumberMarks(node);
  const { text, pieces } = Private.readText(node);
  const mentions = extractNumbers(text);
  const report = checkNumbers(mentions, input);
  if (!ran) {
    return report;
  }
  // Backwards, so a split never moves the offsets still to be marked.
  for (let k = report.numbers.length - 1; k >= 0; k--) {
    const checked = report.numbers[k];
    if (checked.status === 'given') {
      continue;
    }
    const piece = pieces.find(
      p =>
        checked.mention.start >= p.offset &&
        checked.mention.end <= p.offset + p.node.data.length
    );
    if (piece) {
      Private.wrap(piece, checked, texts);
    }
  }
  return report;
}

/**
 * Remove the marks of `markNumbers`, leaving the text as it was.
 */
export function clearNumberMarks(node: HTMLElement): void {
  for (const mark of Array.from(
    node.querySelectorAll<HTMLElement>(`.${NUMBER_CLASS}`)
  )) {
    const text = document.createTextNode(mark.dataset.number ?? '');
    mark.replaceWith(text);
    text.parentNode?.normalize();
  }
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * Elements whose text is not prose: its numbers are not claims.
   */
  const SKIP =
    'code, pre, a, kbd, samp, script, style, svg, math, button, mjx-container, .MathJax, .katex';

  /**
   * Elements that start a new line of text.
   */
  const BLOCK =
    /^(?:P|DIV|LI|UL|OL|H[1-6]|TABLE|TR|TD|TH|BLOCKQUOTE|BR|HR|DT|DD)$/;

  /**
   * A text node and its offset in the text read.
   */
  export interface IPiece {
    node: Text;
    offset: number;
  }

  /**
   * The node's readable text, with a line break between blocks and a space
   * where skipped content was, and the text nodes it came from.
   */
  export function readText(root: HTMLElement): {
    text: string;
    pieces: IPiece[];
  } {
    let text = '';
    const pieces: IPiece[] = [];
    const walk = (parent: Node): void => {
      for (const child of Array.from(parent.childNodes)) {
        if (child.nodeType === Node.TEXT_NODE) {
          pieces.push({ node: child as Text, offset: text.length });
          text += (child as Text).data;
        } else if (child instanceof Element) {
          const block = BLOCK.test(child.tagName);
          if (block) {
            text += '\n';
          }
          if (child.matches(SKIP)) {
            text += ' ';
          } else {
            walk(child);
          }
          if (block) {
            text += '\n';
          }
        }
      }
    };
    walk(root);
    return { text, pieces };
  }

  /**
   * Put the checked number's characters in their mark.
   */
  export function wrap(
    piece: IPiece,
    checked: ICheckedNumber,
    texts: INumberMarkTexts
  ): void {
    const { mention, origin } = checked;
    const start = mention.start - piece.offset;
    const tail = piece.node.splitText(start);
    tail.splitText(mention.end - mention.start);
    const mark =
      checked.status === 'matched' && origin
        ? matchedMark(mention.text, origin, texts)
        : unmatchedMark(mention.text, texts);
    mark.dataset.number = mention.text;
    tail.replaceWith(mark);
  }

  function matchedMark(
    shown: string,
    origin: INumberOrigin,
    texts: INumberMarkTexts
  ): HTMLElement {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = `${NUMBER_CLASS} jp-mod-matched`;
    button.dataset.status = 'matched';
    const tip = texts.origin(origin);
    button.dataset.tip = tip;
    if (origin.step !== null) {
      button.dataset.step = String(origin.step);
    }
    if (origin.cellId) {
      button.dataset.cell = origin.cellId;
    }
    if (origin.earlierTurn) {
      button.dataset.turn = origin.earlierTurn;
    }
    button.textContent = shown;
    button.setAttribute('aria-label', `${shown}: ${tip}`);
    return button;
  }

  function unmatchedMark(shown: string, texts: INumberMarkTexts): HTMLElement {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = `${NUMBER_CLASS} jp-mod-unmatched`;
    button.dataset.status = 'unmatched';
    button.dataset.tip = texts.unmatched;
    button.textContent = shown;
    button.setAttribute('aria-label', `${shown}: ${texts.unmatched}`);
    return button;
  }
}
