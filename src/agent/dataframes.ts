/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { IDataFrameInfo } from './tokens';

/**
 * The columns shown of a DataFrame (the helper sends one more when cut).
 */
const MAX_COLUMNS = 30;

/**
 * The kernel's DataFrames with their columns, as Python would print the
 * names (`'Dept '`: a trailing space shows), so the model uses the names
 * a frame really has instead of guessing them.
 *
 * @param frames - the DataFrames, as the helpers' listing describes them.
 */
export function describeDataFrames(
  frames: ReadonlyArray<IDataFrameInfo>
): string {
  const described = frames.map(frame => {
    const shown = frame.columns.slice(0, MAX_COLUMNS);
    const names = shown.map(pythonString);
    if (frame.columns.length > shown.length) {
      names.push('…');
    }
    const rows = `${frame.rows} row${frame.rows === 1 ? '' : 's'}`;
    return `${frame.name} (${rows}): columns [${names.join(', ')}]`;
  });
  return `DataFrames now: ${described.join('; ')}`;
}

/**
 * A string as Python's repr shows it, in single quotes (a trailing space
 * or a tab in a column name shows).
 *
 * @param text - the string.
 */
export function pythonString(text: string): string {
  const escaped = text
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t');
  return `'${escaped}'`;
}

/**
 * The hint for an error on a column: a `KeyError` on a column a DataFrame
 * nearly has, `.dt` on strings; or `null`.
 *
 * #### Notes
 * A small model that wrote `df['Dept']` for a column named `'Dept '`, or
 * read a `;`-separated file with the default separator, sees the columns
 * after the step and still writes the same key: it does not compare them.
 * The hint names the exact column (or the separator) and the usual fix;
 * likewise for `.dt` on a column of date strings.
 *
 * @param ename - the error's name.
 * @param evalue - the error's value (`'Dept'` for `KeyError: 'Dept'`).
 * @param frames - the kernel's DataFrames after the step.
 */
export function columnHint(
  ename: string,
  evalue: string,
  frames: ReadonlyArray<IDataFrameInfo>
): string | null {
  if (ename === 'AttributeError' && evalue.includes('.dt accessor')) {
    return (
      'Hint: the column holds strings, not dates. Convert it first: ' +
      "df['col'] = pd.to_datetime(df['col']), or read the file with parse_dates=['col']."
    );
  }
  if (ename !== 'KeyError') {
    return null;
  }
  const key = Private.keyOf(evalue);
  if (key === null || frames.some(frame => frame.columns.includes(key))) {
    return null;
  }
  for (const frame of frames) {
    const close = frame.columns.find(
      column => Private.loose(column) === Private.loose(key)
    );
    if (close !== undefined) {
      return (
        `Hint: ${frame.name} has no column ${pythonString(key)}; its column is ` +
        `${pythonString(close)} (spaces and case count). Write ` +
        `[${pythonString(close)}] where your code has [${pythonString(key)}], or ` +
        `strip the names first: ${frame.name}.columns = ${frame.name}.columns.str.strip()`
      );
    }
  }
  for (const frame of frames) {
    if (frame.columns.length !== 1) {
      continue;
    }
    const [only] = frame.columns;
    const separator = Private.SEPARATORS.find(sep =>
      only.split(sep).some(part => Private.loose(part) === Private.loose(key))
    );
    if (separator !== undefined) {
      return (
        `Hint: ${frame.name} was read as one column ${pythonString(only)}: the file ` +
        `is separated by ${pythonString(separator)}. Read it again with ` +
        `sep=${pythonString(separator)} in pd.read_csv.`
      );
    }
  }
  return null;
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * Separators a file read with the default one may really use.
   */
  export const SEPARATORS = [';', '\t', '|'];

  /**
   * The key of a `KeyError`'s value when it is one quoted string.
   */
  export function keyOf(evalue: string): string | null {
    const match = /^\s*(['"])(.*)\1\s*$/su.exec(evalue);
    return match ? match[2] : null;
  }

  /**
   * A name with case, spaces and underscores ignored.
   */
  export function loose(name: string): string {
    return name
      .trim()
      .toLowerCase()
      .replace(/[\s_]+/g, ' ');
  }
}
