/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { diff } from '@codemirror/merge';

/**
 * How many lines a change adds and removes.
 */
export interface ILineStats {
  added: number;
  removed: number;
}

/**
 * Count the lines added and removed between two texts, as `git diff --stat`
 * does: a changed line is one removed and one added.
 *
 * #### Notes
 * Each distinct line is encoded as one character, so @codemirror/merge's
 * diff (the algorithm the merge view shows) compares whole lines. Past
 * `Private.MAX_LINES` distinct lines, which no cell reaches, every line
 * counts as changed.
 */
export function lineStats(oldText: string, newText: string): ILineStats {
  const a = oldText.split('\n');
  const b = newText.split('\n');
  const codes = new Map<string, string>();
  for (const line of [...a, ...b]) {
    if (!codes.has(line)) {
      codes.set(line, String.fromCharCode(Private.FIRST_CODE + codes.size));
    }
  }
  if (codes.size > Private.MAX_LINES) {
    return { added: b.length, removed: a.length };
  }
  const encode = (lines: string[]): string =>
    lines.map(line => codes.get(line)).join('');
  let added = 0;
  let removed = 0;
  for (const change of diff(encode(a), encode(b), { scanLimit: 500 })) {
    removed += change.toA - change.fromA;
    added += change.toB - change.fromB;
  }
  return { added, removed };
}

/**
 * A namespace for private constants.
 */
namespace Private {
  /**
   * The code of the first line: past the ASCII control characters.
   */
  export const FIRST_CODE = 0x100;

  /**
   * The most distinct lines encodable before the UTF-16 surrogates.
   */
  export const MAX_LINES = 0xd800 - FIRST_CODE;
}
