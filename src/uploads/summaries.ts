/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { pythonString } from '../agent/dataframes';
import { formatBytes } from '../bytesize';

/**
 * What the kernel's helpers say about an uploaded file
 * (`kernel_helpers/summaries.py`).
 */
export interface IFileSummary {
  /** The file's name. */
  name: string;
  /** Its path from the notebook's folder, as code opens it. */
  path: string;
  /** `unreadable` files carry `error`. */
  kind: 'table' | 'image' | 'pdf' | 'text' | 'unreadable';
  size?: number;
  /** Why it could not be read. */
  error?: string;
  encoding?: string;
  separator?: string;
  columns?: { name: string; type: string }[];
  columnCount?: number;
  rows?: number | null;
  rowsEstimated?: boolean;
  badRows?: number;
  head?: string[][];
  sheets?: string[];
  jsonLines?: boolean;
  format?: string;
  width?: number;
  height?: number;
  mode?: string;
  frames?: number;
  pages?: number | null;
  encrypted?: boolean;
  lines?: number;
  firstLines?: string[];
  structure?: string;
}

/**
 * The summaries in a helper's reply; entries that are not objects with a
 * name and a path are dropped, unknown kinds read as `unreadable`.
 */
export function toFileSummaries(value: unknown): IFileSummary[] {
  if (!Array.isArray(value)) {
    return [];
  }
  const kinds = ['table', 'image', 'pdf', 'text', 'unreadable'];
  return value
    .filter(
      (item): item is Record<string, unknown> =>
        !!item &&
        typeof item === 'object' &&
        typeof (item as Record<string, unknown>).name === 'string' &&
        typeof (item as Record<string, unknown>).path === 'string'
    )
    .map(item => ({
      ...(item as unknown as IFileSummary),
      kind: kinds.includes(item.kind as string)
        ? (item.kind as IFileSummary['kind'])
        : 'unreadable'
    }));
}

/**
 * The context message part that tells the model about the files attached to
 * the prompt, within `maxTokens` (estimated, four characters a token).
 *
 * #### Notes
 * Each file starts with all its detail (columns and types, first rows or
 * lines); while the whole is over budget, the file with the longest text
 * loses a level (first rows, then types, then column names), down to one
 * line per file; files that still do not fit are named in a last line.
 * Paths are quoted as Python strings so code copies them exactly, with the
 * `read_csv` arguments a file needs when they are not the defaults.
 *
 * @param summaries - the kernel's summaries, in the order attached.
 * @param maxTokens - the budget of this part.
 */
export function attachmentsContext(
  summaries: ReadonlyArray<IFileSummary>,
  maxTokens: number
): string {
  if (!summaries.length) {
    return '';
  }
  const budget = Math.max(0, maxTokens) * Private.CHARACTERS_PER_TOKEN;
  const title = Private.TITLE;
  const levels = summaries.map(() => Private.MAX_LEVEL);
  const texts = summaries.map((s, i) => Private.describe(s, levels[i]));
  const total = () =>
    title.length + texts.reduce((sum, text) => sum + text.length + 1, 0);
  while (total() > budget) {
    let longest = -1;
    texts.forEach((text, i) => {
      if (
        levels[i] > 0 &&
        (longest < 0 || text.length > texts[longest].length)
      ) {
        longest = i;
      }
    });
    if (longest < 0) {
      break;
    }
    levels[longest]--;
    texts[longest] = Private.describe(summaries[longest], levels[longest]);
  }
  const lines = [title];
  let used = title.length;
  for (let i = 0; i < texts.length; i++) {
    const later = texts.length - i - 1;
    // Room is kept for the line that names the files left out.
    const reserve = later ? Private.MORE_LINE_CHARS : 0;
    if (i > 0 && used + texts[i].length + 1 + reserve > budget) {
      lines.push(Private.moreLine(summaries.slice(i), budget - used - 1));
      break;
    }
    lines.push(texts[i]);
    used += texts[i].length + 1;
  }
  return lines.join('\n');
}

/**
 * What the model is told about uploaded files: their summaries from the
 * kernel within `maxTokens`; when the kernel cannot summarise them, each is
 * still named, with the reason.
 *
 * @param files - the uploads, with their paths from the notebook's folder.
 * @param summarise - reads the summaries in the kernel; `null`: no kernel.
 * @param maxTokens - the budget (`attachmentTokenBudget`).
 */
export async function describeAttachments(
  files: ReadonlyArray<{ name: string; localPath: string; size: number }>,
  summarise: ((paths: string[]) => Promise<IFileSummary[]>) | null,
  maxTokens: number
): Promise<string> {
  if (!files.length) {
    return '';
  }
  let summaries: IFileSummary[];
  try {
    if (!summarise) {
      throw new Error('no notebook kernel to read them');
    }
    summaries = await summarise(files.map(file => file.localPath));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    summaries = files.map(file => ({
      name: file.name,
      path: file.localPath,
      size: file.size,
      kind: 'unreadable',
      error: `not summarised: ${reason}`
    }));
  }
  return attachmentsContext(summaries, maxTokens);
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  export const CHARACTERS_PER_TOKEN = 4;

  /**
   * The room kept for `moreLine` (its shortest form fits).
   */
  export const MORE_LINE_CHARS = 24;

  /**
   * `- and 3 more file(s): 'a.csv', 'b.csv', …`, cut to `room` characters
   * but never shorter than the count.
   */
  export function moreLine(
    left: ReadonlyArray<IFileSummary>,
    room: number
  ): string {
    const count = `- and ${left.length} more file(s)`;
    const named = `${count}: ${left.map(s => pythonString(s.path)).join(', ')}`;
    if (named.length <= room) {
      return named;
    }
    return room > count.length + 3 ? named.slice(0, room - 1) + '…' : count;
  }

  export const TITLE =
    '[Files the user attached to this message, saved in the notebook folder; summaries read in the kernel, not written by the user]';

  /**
   * 3: everything; 2: no first rows or lines; 1: column names only; 0: one
   * line.
   */
  export const MAX_LEVEL = 3;

  /**
   * One file's text at a level of detail.
   */
  export function describe(summary: IFileSummary, level: number): string {
    const head = `- ${pythonString(summary.path)}${
      summary.size !== undefined ? ` (${formatBytes(summary.size)})` : ''
    }: `;
    switch (summary.kind) {
      case 'table':
        return head + table(summary, level);
      case 'image':
        return (
          head +
          `image, ${summary.format || 'unknown format'}, ${summary.width}×${summary.height} pixels, mode ${summary.mode}` +
          ((summary.frames ?? 1) > 1 ? `, ${summary.frames} frames` : '')
        );
      case 'pdf':
        return (
          head +
          (summary.encrypted
            ? 'PDF, encrypted (pages and text unknown)'
            : `PDF, ${summary.pages} page(s)` +
              firstLines(summary.firstLines, level, 'first lines'))
        );
      case 'text':
        return (
          head +
          `text, ${summary.lines} line(s)${summary.encoding ? `, ${summary.encoding}` : ''}` +
          (summary.structure ? `; ${summary.structure}` : '') +
          firstLines(summary.firstLines, level, 'first lines')
        );
      default:
        return (
          head +
          `could not be read (${summary.error || 'unknown reason'}); do not guess its content`
        );
    }
  }

  function table(summary: IFileSummary, level: number): string {
    const columns = summary.columns ?? [];
    const count = summary.columnCount ?? columns.length;
    const rows =
      summary.rows === null || summary.rows === undefined
        ? 'unknown rows'
        : `${summary.rowsEstimated ? 'about ' : ''}${summary.rows} rows`;
    const parts = [`table, ${rows} × ${count} columns`];
    if (summary.sheets?.length) {
      parts.push(
        `sheets ${summary.sheets.map(pythonString).join(', ')} (first shown)`
      );
    }
    if (summary.badRows) {
      parts.push(`${summary.badRows} malformed row(s) skipped`);
    }
    const read = readHint(summary);
    if (read) {
      parts.push(`read with ${read}`);
    }
    let text = parts.join(', ');
    if (level >= 1 && columns.length) {
      const listed = columns
        .map(c => (level >= 2 ? `${c.name} (${c.type})` : c.name))
        .join(', ');
      const more =
        count > columns.length ? `, … ${count - columns.length} more` : '';
      text += `\n  columns: ${listed}${more}`;
    }
    if (level >= 3 && summary.head?.length) {
      text +=
        '\n  first rows:\n' +
        summary.head.map(row => `    ${row.join(' | ')}`).join('\n');
    }
    return text;
  }

  /**
   * The `pd.read_csv` call a delimited file needs when its separator or its
   * encoding is not the default.
   */
  function readHint(summary: IFileSummary): string {
    const separator = summary.separator;
    if (separator === undefined) {
      return '';
    }
    const encoding = summary.encoding?.replace(/-sig$/, '');
    const args = [pythonString(summary.path)];
    if (separator !== ',') {
      args.push(`sep=${pythonString(separator)}`);
    }
    if (encoding && encoding !== 'utf-8') {
      args.push(`encoding=${pythonString(encoding)}`);
    }
    if (summary.badRows) {
      args.push("on_bad_lines='skip'");
    }
    return args.length > 1 ? `pd.read_csv(${args.join(', ')})` : '';
  }

  function firstLines(
    lines: string[] | undefined,
    level: number,
    label: string
  ): string {
    if (level < 3 || !lines?.length) {
      return '';
    }
    return `\n  ${label}:\n` + lines.map(line => `    ${line}`).join('\n');
  }
}
