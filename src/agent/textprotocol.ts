/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { isCallFence, readTextCall, TextCallRead } from './textcalls';

/**
 * The text tool protocol's reading of a reply: the first fenced python
 * block is the step, the text before it the visible prose.
 *
 * #### Notes
 * A block counts when its opening fence (three or more backticks, at most
 * three spaces in) names python (`python`, `py`, `python3`, `ipython`).
 * A bare fence does not: small models use it for outputs and data as often
 * as for code, and running a table of numbers as Python helps nobody.
 * Blocks in another language are prose, and a python fence inside one of
 * them is their content, as Markdown renders it. A `run_python` call written
 * as text (textcalls.ts) is a step too, read like a block: at the start of
 * a line, or as the content of a `json` or bare fence; the one that comes
 * first is the step.
 */
export interface IPythonBlock {
  /**
   * Where its opening fence's line starts: the prose ends there.
   */
  start: number;

  /**
   * The code between the fences (or of the call written as text).
   */
  code: string;

  /**
   * Whether a closing fence was found (a reply may end inside the block).
   */
  closed: boolean;
}

/**
 * What a reply (or the part of it streamed so far) holds.
 */
export interface IReplyScan {
  /**
   * The first python block with code, or `null`.
   */
  block: IPythonBlock | null;

  /**
   * How much of the text may be shown: up to the block's fence, or up to a
   * line that could still become one.
   */
  visibleEnd: number;
}

/**
 * Scan a reply for its first python block.
 *
 * @param content - the reply's text so far.
 * @param complete - whether the reply has ended; before it has, a last line
 *   that could still open a python block is held back.
 */
export function scanReply(content: string, complete: boolean): IReplyScan {
  let other = 0; // the fence length of a non-python block we are inside
  let pos = 0;
  while (pos < content.length) {
    const newline = content.indexOf('\n', pos);
    const lineEnd = newline < 0 ? content.length : newline;
    const line = content.slice(pos, lineEnd);
    if (newline < 0 && !complete) {
      const call = other ? null : Private.callOnLine(content, pos, line, false);
      if (call) {
        return Private.scanOf(call, pos);
      }
      const held = !other && Private.MAY_OPEN.test(line);
      return { block: null, visibleEnd: held ? pos : content.length };
    }
    const next = lineEnd + 1;
    if (other) {
      if (Private.closes(line, other)) {
        other = 0;
      }
      pos = next;
      continue;
    }
    const open = Private.OPEN.exec(line);
    if (open && Private.PYTHON.test(open[2])) {
      const block = Private.blockAt(content, pos, next, open[1].length);
      if (!block.closed && !complete) {
        return { block: null, visibleEnd: pos };
      }
      if (block.code.trim()) {
        // A call written as text inside a python fence: its code is the step.
        const inner = readTextCall(block.code, 0, true);
        if (inner.kind === 'call') {
          block.code = inner.code;
        }
        return { block, visibleEnd: pos };
      }
      // An empty block is no step: read on after it.
      pos = block.end;
      continue;
    }
    const call =
      open && isCallFence(open[2])
        ? readTextCall(content, next, complete)
        : open
          ? null
          : Private.callOnLine(content, pos, line, complete);
    if (call && call.kind !== 'none') {
      return Private.scanOf(call, pos);
    }
    if (open) {
      other = open[1].length;
    }
    pos = next;
  }
  return { block: null, visibleEnd: content.length };
}

/**
 * The step of a finished reply: the prose before its first python block and
 * the block's code, or `null` when it has none (the reply is an answer).
 *
 * @param content - the whole reply.
 */
export function parseTextReply(
  content: string
): { prose: string; code: string } | null {
  const { block } = scanReply(content, true);
  return block
    ? { prose: content.slice(0, block.start).trimEnd(), code: block.code }
    : null;
}

/**
 * Passes a streamed reply's text on to the chat without a python block's
 * fence and code (or a call written as text): text from a line that may
 * open one is held until the line is known.
 *
 * #### Notes
 * Pure (no timers): `push` returns the text that may be shown now, `finish`
 * what is left to show at the end. Everything from a python block's opening
 * fence (or a call's first character) on stays hidden: the block becomes a
 * step card, and text after it was written before its output existed.
 */
export class ProseFilter {
  /**
   * Take the next piece of the reply.
   *
   * @returns the text that may be shown now (often empty).
   */
  push(delta: string): string {
    this._content += delta;
    return this._release(scanReply(this._content, false).visibleEnd);
  }

  /**
   * The reply has ended.
   *
   * @returns the rest that may be shown.
   */
  finish(): string {
    return this._release(scanReply(this._content, true).visibleEnd);
  }

  private _release(visibleEnd: number): string {
    if (visibleEnd <= this._shown) {
      return '';
    }
    const text = this._content.slice(this._shown, visibleEnd);
    this._shown = visibleEnd;
    return text;
  }

  private _content = '';
  private _shown = 0;
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * An opening fence: its backticks and the first word of its info string
   * (which may not hold backticks).
   */
  export const OPEN = /^ {0,3}(`{3,})[ \t]*([^`\s]*)[^`]*$/;

  /**
   * The info words that mean Python.
   */
  export const PYTHON = /^(python3?|py|ipython3?)$/i;

  /**
   * An unfinished line that could still become an opening fence.
   */
  export const MAY_OPEN = /^ {0,3}(`|$)/;

  /**
   * A line whose first character may start a call written as text.
   */
  const CALL_LINE = /^[ \t]*[{<]/;

  /**
   * The call written as text that the line at `pos` starts, if it may.
   */
  export function callOnLine(
    content: string,
    pos: number,
    line: string,
    complete: boolean
  ): TextCallRead | null {
    const start = CALL_LINE.exec(line);
    if (!start) {
      return null;
    }
    const read = readTextCall(content, pos + start[0].length - 1, complete);
    return read.kind === 'none' ? null : read;
  }

  /**
   * The scan of a reply whose text from `start` is a call written as text,
   * or may still become one (hidden until known).
   */
  export function scanOf(call: TextCallRead, start: number): IReplyScan {
    return call.kind === 'call'
      ? {
          block: { start, code: call.code, closed: call.closed },
          visibleEnd: start
        }
      : { block: null, visibleEnd: start };
  }

  /**
   * Whether `line` closes a block opened with `length` backticks.
   */
  export function closes(line: string, length: number): boolean {
    const match = /^ {0,3}(`{3,})[ \t]*\r?$/.exec(line);
    return !!match && match[1].length >= length;
  }

  /**
   * The block whose opening fence's line starts at `start`, its code from
   * `codeStart`; `end` is where the text after its closing fence starts.
   */
  export function blockAt(
    content: string,
    start: number,
    codeStart: number,
    fence: number
  ): IPythonBlock & { end: number } {
    let pos = codeStart;
    while (pos < content.length) {
      const newline = content.indexOf('\n', pos);
      const lineEnd = newline < 0 ? content.length : newline;
      if (closes(content.slice(pos, lineEnd), fence)) {
        return {
          start,
          code: content.slice(codeStart, pos).replace(/\r?\n$/, ''),
          closed: true,
          end: lineEnd + 1
        };
      }
      pos = lineEnd + 1;
    }
    return {
      start,
      code: content.slice(codeStart).replace(/\r?\n$/, ''),
      closed: false,
      end: content.length
    };
  }
}
