/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

/**
 * One line of an inline diff.
 */
export interface IDiffLine {
  /** `same`: in both; `removed`: only in the old code; `added`: only in the new. */
  kind: 'same' | 'removed' | 'added';
  text: string;
  /** 1-based line number in the old code, for `same` and `removed`. */
  oldNumber?: number;
  /** 1-based line number in the new code, for `same` and `added`. */
  newNumber?: number;
}

/**
 * One row of a side-by-side diff: the old line on the left, the new on the
 * right; a side is `null` where the other side has a line of its own.
 */
export interface IDiffRow {
  left: IDiffLine | null;
  right: IDiffLine | null;
}

/**
 * The view model of a diff between a cell's source and a proposed fix.
 */
export interface ILineDiff {
  /** The lines in order, for an inline view. */
  lines: IDiffLine[];
  /** The same, paired for a side-by-side view. */
  rows: IDiffRow[];
  /** Lines added and removed. */
  added: number;
  removed: number;
}

/**
 * Diff two texts line by line (longest common subsequence).
 *
 * #### Notes
 * Cells are short, so the quadratic table is fine; past `maxCells` lines²
 * (huge cells) the whole old text is shown removed and the new one added.
 * Trailing whitespace differences count as changes: they are changes.
 */
export function lineDiff(
  oldText: string,
  newText: string,
  maxCells = 4_000_000
): ILineDiff {
  const a = oldText.split('\n');
  const b = newText.split('\n');
  const ops =
    a.length * b.length > maxCells
      ? [...a.map(() => 'removed' as const), ...b.map(() => 'added' as const)]
      : Private.lcsOps(a, b);
  const lines: IDiffLine[] = [];
  let i = 0;
  let j = 0;
  for (const op of ops) {
    if (op === 'same') {
      lines.push({ kind: op, text: a[i], oldNumber: i + 1, newNumber: j + 1 });
      i++;
      j++;
    } else if (op === 'removed') {
      lines.push({ kind: op, text: a[i], oldNumber: i + 1 });
      i++;
    } else {
      lines.push({ kind: op, text: b[j], newNumber: j + 1 });
      j++;
    }
  }
  return {
    lines,
    rows: Private.pair(lines),
    added: lines.filter(l => l.kind === 'added').length,
    removed: lines.filter(l => l.kind === 'removed').length
  };
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * The edit script from `a` to `b`, removals before additions in each hunk.
   */
  export function lcsOps(
    a: string[],
    b: string[]
  ): ('same' | 'removed' | 'added')[] {
    const n = a.length;
    const m = b.length;
    // lengths[i][j]: LCS length of a[i:] and b[j:].
    const lengths: Uint32Array[] = [];
    for (let i = 0; i <= n; i++) {
      lengths.push(new Uint32Array(m + 1));
    }
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lengths[i][j] =
          a[i] === b[j]
            ? lengths[i + 1][j + 1] + 1
            : Math.max(lengths[i + 1][j], lengths[i][j + 1]);
      }
    }
    const ops: ('same' | 'removed' | 'added')[] = [];
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[i] === b[j]) {
        ops.push('same');
        i++;
        j++;
      } else if (j >= m || (i < n && lengths[i + 1][j] >= lengths[i][j + 1])) {
        ops.push('removed');
        i++;
      } else {
        ops.push('added');
        j++;
      }
    }
    return ops;
  }

  /**
   * Pair each run of removals with the additions after it.
   */
  export function pair(lines: IDiffLine[]): IDiffRow[] {
    const rows: IDiffRow[] = [];
    let k = 0;
    while (k < lines.length) {
      const line = lines[k];
      if (line.kind === 'same') {
        rows.push({ left: line, right: line });
        k++;
        continue;
      }
      const removed: IDiffLine[] = [];
      const added: IDiffLine[] = [];
      while (k < lines.length && lines[k].kind === 'removed') {
        removed.push(lines[k++]);
      }
      while (k < lines.length && lines[k].kind === 'added') {
        added.push(lines[k++]);
      }
      for (let r = 0; r < Math.max(removed.length, added.length); r++) {
        rows.push({ left: removed[r] ?? null, right: added[r] ?? null });
      }
    }
    return rows;
  }
}
