/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type * as nbformat from '@jupyterlab/nbformat';

import { columnHint, describeDataFrames } from './dataframes';
import type { IDataFrameInfo } from './tokens';

export { describeDataFrames, pythonString } from './dataframes';

/**
 * How many characters make a token, for budgets.
 *
 * #### Notes
 * Four characters per token is OpenAI's rule of thumb for English and code;
 * CJK text is closer to one or two per token, so a budget is a soft bound
 * there. Good enough to keep a 10 MB print from flooding the context, which
 * is what the budget is for; no tokenizer ships to the browser.
 */
export const CHARS_PER_TOKEN = 4;

/**
 * The options of `summariseOutputs`.
 */
export interface ISummaryOptions {
  /**
   * The most tokens the text may take (estimated, see `CHARS_PER_TOKEN`).
   */
  tokenBudget: number;

  /**
   * Whether the model sees images: then they come back as data URLs.
   */
  vision: boolean;

  /**
   * The most images sent to a vision model; the rest are mentioned.
   */
  maxImages?: number;

  /**
   * Files the step created in the working directory.
   */
  newFiles?: string[];

  /**
   * Files that were there before the step and that it rewrote.
   */
  changedFiles?: string[];

  /**
   * The kernel's DataFrames after the step, with their columns.
   */
  dataFrames?: ReadonlyArray<IDataFrameInfo>;
}

/**
 * A step's outputs, as the model gets them.
 */
export interface IOutputSummary {
  /**
   * The outputs as text, within the budget.
   */
  text: string;

  /**
   * Images as `data:` URLs, for vision-capable models only.
   */
  images: string[];
}

/**
 * Summarise notebook outputs for the model, within a token budget.
 *
 * #### Notes
 * Streams are merged in order (stdout and stderr as they came), results and
 * displays give their `text/plain` (a DataFrame's text repr), HTML-only
 * outputs are mentioned, errors give `ename: evalue` and the last frames of
 * their ANSI-free traceback, images are sent (vision) or described by type
 * and size. When the text is over budget, each long section keeps its head
 * and tail around a marker saying how many characters were cut; errors keep
 * their tail, where the cause is. Huge strings are cut before any regular
 * expression runs over them, so a 10 MB print costs little.
 *
 * @param outputs - the cell's outputs, nbformat shape.
 * @param options - budget, vision, new files.
 */
export function summariseOutputs(
  outputs: ReadonlyArray<nbformat.IOutput>,
  options: ISummaryOptions
): IOutputSummary {
  const budget = Math.max(200, options.tokenBudget * CHARS_PER_TOKEN);
  const maxImages = options.maxImages ?? 3;
  const sections: Private.ISection[] = [];
  const images: string[] = [];
  let imagesLeftOut = 0;
  let hint: string | null = null;

  const addText = (text: string, keep: Private.Keep = 'both') => {
    const last = sections[sections.length - 1];
    if (last && last.kind === 'stream') {
      last.parts.push(text);
    } else {
      sections.push({ kind: 'stream', parts: [text], keep });
    }
  };

  for (const output of outputs) {
    switch (output.output_type) {
      case 'stream':
        addText(Private.multiline((output as nbformat.IStream).text));
        break;
      case 'execute_result':
      case 'display_data': {
        const data = (output as nbformat.IDisplayData).data ?? {};
        const image = Private.imageOf(data);
        if (image) {
          if (options.vision && images.length < maxImages) {
            images.push(`data:${image.mime};base64,${image.base64}`);
            sections.push(
              Private.fixed(
                `[image ${images.length}: ${Private.describeImage(image)}, attached]`
              )
            );
          } else if (options.vision) {
            imagesLeftOut++;
          } else {
            sections.push(
              Private.fixed(`[image: ${Private.describeImage(image)}]`)
            );
          }
          break;
        }
        const plain = data['text/plain'];
        if (plain !== undefined) {
          sections.push({
            kind: 'result',
            parts: [Private.multiline(plain as nbformat.MultilineString)],
            keep: 'both'
          });
        } else if (data['text/html'] !== undefined) {
          const html = Private.multiline(
            data['text/html'] as nbformat.MultilineString
          );
          sections.push(
            Private.fixed(
              `[HTML output, ${Private.count(html.length)} characters, not shown]`
            )
          );
        } else if (Object.keys(data).length) {
          sections.push(
            Private.fixed(`[output of type ${Object.keys(data).join(', ')}]`)
          );
        }
        break;
      }
      case 'error': {
        const error = output as nbformat.IError;
        sections.push(Private.fixed(`${error.ename}: ${error.evalue}`, 500));
        hint ??= columnHint(
          error.ename,
          error.evalue,
          options.dataFrames ?? []
        );
        const frames = userFrames(error.traceback ?? []).slice(-Private.FRAMES);
        if (frames.length) {
          sections.push({
            kind: 'traceback',
            parts: frames.map(frame => frame + '\n'),
            keep: 'tail'
          });
        }
        break;
      }
    }
  }
  if (imagesLeftOut) {
    sections.push(
      Private.fixed(
        `[${imagesLeftOut} more image${imagesLeftOut === 1 ? '' : 's'} not attached]`
      )
    );
  }
  if (options.newFiles?.length) {
    sections.push(
      Private.fixed(`New files: ${options.newFiles.join(', ')}`, 1000)
    );
  }
  if (options.changedFiles?.length) {
    sections.push(
      Private.fixed(`Changed files: ${options.changedFiles.join(', ')}`, 600)
    );
  }
  if (options.dataFrames?.length) {
    sections.push(Private.fixed(describeDataFrames(options.dataFrames), 1500));
  }
  if (hint) {
    sections.push(Private.fixed(hint, 600));
  }
  const text = Private.fit(sections, budget);
  return { text: text || '(no output)', images };
}

/**
 * Cut a text to at most about `maxChars`, keeping its head and tail.
 *
 * @param text - the text.
 * @param maxChars - the most characters to keep (the marker aside).
 * @param keep - which ends to keep.
 */
export function clip(
  text: string,
  maxChars: number,
  keep: 'both' | 'tail' | 'head' = 'both'
): string {
  if (text.length <= maxChars) {
    return text;
  }
  const cut = text.length - maxChars;
  const marker = `\n[… ${Private.count(cut)} characters cut …]\n`;
  if (keep === 'tail') {
    return marker.trimStart() + text.slice(text.length - maxChars);
  }
  if (keep === 'head') {
    return text.slice(0, maxChars) + marker.trimEnd();
  }
  const head = Math.ceil(maxChars / 2);
  return (
    text.slice(0, head) + marker + text.slice(text.length - (maxChars - head))
  );
}

/**
 * The traceback of the exception the cell raised without the frames inside
 * installed libraries: the user's cell frame and the error line.
 *
 * #### Notes
 * A pandas KeyError is some 25 lines of library code (~500 tokens) after
 * which a small model gives up; the cell's frame and the error say what to
 * fix. Of a chain ("The above exception was the direct cause…") only the
 * last traceback is kept: the earlier ones are the library's own.
 *
 * @param traceback - IPython's traceback entries, ANSI colours and all.
 */
export function userFrames(traceback: readonly string[]): string[] {
  let start = 0;
  traceback.forEach((entry, index) => {
    if (Private.TRACEBACK_HEADER.test(stripAnsi(entry))) {
      start = index + 1;
    }
  });
  return traceback
    .slice(start)
    .filter(entry => !Private.LIBRARY_FRAME.test(stripAnsi(entry)));
}

/**
 * Remove ANSI escape sequences (colours in tracebacks).
 *
 * @param text - text from a terminal or IPython.
 */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b[@-Z\\-_]/g, '');
}

/**
 * Read the size of a PNG from its base64 text, without decoding the image.
 *
 * #### Notes
 * A PNG starts with an 8-byte signature and the IHDR chunk, whose width and
 * height are big-endian 32-bit numbers at bytes 16 to 23: the first 32
 * base64 characters hold them.
 *
 * @param base64 - the image, base64-encoded.
 */
export function pngSize(
  base64: string
): { width: number; height: number } | null {
  try {
    const head = atob(base64.replace(/\s+/g, '').slice(0, 32));
    if (head.length < 24 || head.slice(12, 16) !== 'IHDR') {
      return null;
    }
    const read = (at: number) =>
      ((head.charCodeAt(at) << 24) >>> 0) +
      (head.charCodeAt(at + 1) << 16) +
      (head.charCodeAt(at + 2) << 8) +
      head.charCodeAt(at + 3);
    return { width: read(16), height: read(20) };
  } catch {
    return null;
  }
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * Which ends of a long section to keep.
   */
  export type Keep = 'both' | 'tail' | 'head';

  /**
   * A piece of the summary: its text comes in parts (joined lazily).
   */
  export interface ISection {
    kind: 'stream' | 'result' | 'traceback' | 'fixed';
    parts: string[];
    keep: Keep;
    /** For `fixed`: the most characters it may take. */
    max?: number;
  }

  /**
   * The traceback frames kept: the last ones, where the error is.
   */
  export const FRAMES = 4;

  /**
   * The line that opens a traceback (IPython's, and Python's own).
   */
  export const TRACEBACK_HEADER = /Traceback \(most recent call last\)/;

  /**
   * A frame in an installed package or compiled code: `File <path>:<line>`
   * (IPython) or `File "<path>", line <n>` (Python) under site-packages,
   * dist-packages or the standard library, or in a .pyx/.pxi source.
   */
  export const LIBRARY_FRAME =
    /^\s*File "?[^\n]*?(site-packages|dist-packages|[\\/]lib[\\/]python\d|\.pyx\b|\.pxi\b)/;

  /**
   * A short section that is never shared out (only capped).
   */
  export function fixed(text: string, max = 300): ISection {
    return { kind: 'fixed', parts: [text], keep: 'head', max };
  }

  /**
   * Join the sections within the budget: short sections whole, long ones
   * sharing what is left equally, each clipped to its share.
   */
  export function fit(sections: ISection[], budget: number): string {
    const texts = sections.map(section => {
      if (section.kind === 'fixed') {
        return clip(section.parts[0], section.max ?? 300, 'head');
      }
      // Cut huge parts before joining and cleaning: the marker still counts
      // what the original text had.
      const joined = section.parts.join('');
      const precut = joined.length > budget * 4;
      const text = precut ? clip(joined, budget * 2, section.keep) : joined;
      const clean = stripAnsi(text).replace(/\r\n?/g, '\n');
      return clean.replace(/\n+$/, '');
    });
    const lengths = texts.map(text => text.length);
    const shares = share(lengths, budget - sections.length);
    return texts
      .map((text, index) =>
        text.length > shares[index]
          ? clipCounting(
              text,
              shares[index],
              sections[index].keep,
              sections[index].parts
            )
          : text
      )
      .filter(Boolean)
      .join('\n');
  }

  /**
   * Clip a cleaned text, reporting the characters cut from the original.
   */
  function clipCounting(
    text: string,
    maxChars: number,
    keep: Keep,
    parts: string[]
  ): string {
    const original = parts.reduce((sum, part) => sum + part.length, 0);
    const clipped = clip(text, maxChars, keep);
    const cut = Math.max(text.length, original) - maxChars;
    return clipped.replace(
      /\[… [\d,]+ characters cut …\]/,
      `[… ${count(cut)} characters cut …]`
    );
  }

  /**
   * Share a budget among sections: those under an equal share keep their
   * length, the rest split what is left.
   */
  export function share(lengths: number[], budget: number): number[] {
    const shares = lengths.slice();
    let left = Math.max(0, budget);
    let open = lengths.map((_, index) => index);
    for (;;) {
      const each = open.length ? Math.floor(left / open.length) : 0;
      const small = open.filter(index => lengths[index] <= each);
      if (!small.length) {
        open.forEach(index => (shares[index] = each));
        return shares;
      }
      for (const index of small) {
        left -= lengths[index];
      }
      open = open.filter(index => lengths[index] > each);
    }
  }

  /**
   * An nbformat multiline string as one string.
   */
  export function multiline(value: nbformat.MultilineString): string {
    return Array.isArray(value) ? value.join('') : (value ?? '');
  }

  /**
   * The image of a display, if it has one.
   */
  export function imageOf(
    data: nbformat.IMimeBundle
  ): { mime: string; base64: string } | null {
    for (const mime of ['image/png', 'image/jpeg', 'image/gif']) {
      const value = data[mime];
      if (typeof value === 'string' || Array.isArray(value)) {
        return {
          mime,
          base64: multiline(value as nbformat.MultilineString).replace(
            /\s+/g,
            ''
          )
        };
      }
    }
    return null;
  }

  /**
   * "PNG 640×480", "JPEG 35 KB".
   */
  export function describeImage(image: {
    mime: string;
    base64: string;
  }): string {
    const type = image.mime.split('/')[1].toUpperCase();
    const size = image.mime === 'image/png' ? pngSize(image.base64) : null;
    if (size) {
      return `${type} ${size.width}×${size.height}`;
    }
    const kb = Math.max(1, Math.round((image.base64.length * 3) / 4 / 1024));
    return `${type} ${count(kb)} KB`;
  }

  /**
   * 1234567 → "1,234,567".
   */
  export function count(value: number): string {
    return value.toLocaleString('en-US');
  }
}
