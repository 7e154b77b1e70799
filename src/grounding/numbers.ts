/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

/**
 * A number stated in a text, as the reader sees it.
 */
export interface INumberMention {
  /**
   * The number as written, including its sign, percent sign and scale word
   * (`"−3.5"`, `"17 %"`, `"1.2 million"`).
   */
  text: string;

  /**
   * Offset of the first character in the text (UTF-16 units).
   */
  start: number;

  /**
   * Offset after the last character.
   */
  end: number;

  /**
   * The value written: sign and scale applied; for a percentage the percent
   * figure itself (17 for `17 %`).
   */
  value: number;

  /**
   * The precision shown: the value is given to 10^-decimals (2 for `171.44`,
   * 0 for `1,234`, -5 for `1.2 million`, 6 for `1.2e-5`).
   */
  decimals: number;

  /**
   * Whether the number is a percentage (`17%`, `17 %`, `17％`, `17 percent`).
   */
  percent: boolean;

  /**
   * Whether the text calls it approximate (`~170`, `about 170`, `约 170`).
   */
  approximate: boolean;
}

/**
 * Options of {@link extractNumbers}.
 */
export interface IExtractOptions {
  /**
   * Whether the text is an answer in Markdown (the default) rather than a
   * program's output. Only prose skips code spans and fences, list markers,
   * years and numbers that name a step, section or version.
   */
  prose?: boolean;
}

/**
 * The numbers a text states, in order.
 *
 * #### Notes
 * UI languages are English and Chinese, so `.` is the only decimal mark and
 * `,` (or a thin space) the only thousands separator; a plain space separates
 * two numbers (`1 234` is 1 and 234). Full-width digits, `．`, `％`, `－` and
 * the minus sign U+2212 read as their ASCII forms.
 *
 * Counted: integers, decimals (`.5` too), `1,234,567`, percentages,
 * scientific notation (`1.2e-5`, `1.2×10⁻⁵`, `1.2 x 10^-5`), a sign that is
 * not a hyphen (`-3.5`, `(−3.5)`, but `3-5` is a range of two positive
 * numbers), currency (`$12`), units glued or not (`12kg`, `12 kg`), scale
 * words and letters (`1.2 million`, `1.2万`, `$1.2M`, `5k`; the precision
 * follows the scale).
 *
 * Not counted, because they state no result:
 * - numbers inside identifiers and names: `col2`, `x1`, `H2O`, `GPT-4`,
 *   `COVID-19`, `0x1F`, `1a2b`, `data_2024`; ordinals `1st`, `2nd`; `2D`/`3D`;
 *   file names `2024.csv`;
 * - in prose only: inline code, fenced code, maths (`$x^2$`, `$$…$$`,
 *   `\(…\)`, `\[…\]`; `$5 and $10` stays money), URLs, link targets, HTML
 *   tags, footnote marks `[^1]`;
 * - dates and times: `2024-05-01`, `2024/05/01`, `05/01/2024`, `May 2024`,
 *   `May 1, 2024`, `1 May 2024`, `2024年5月1日`, `5月1日`, `12:30`, `12:30:05`
 *   (also ratios written with a colon);
 * - versions with more than one dot: `1.2.3` (and `Python 3.11`,
 *   `version 2.0`, `v2` by the word before them);
 * - in prose only: years, i.e. a bare four-digit integer from 1800 to 2199
 *   with no separator, decimals, sign, percent or scale (so a count of 1950
 *   written as `1,950` is checked, written `1950` it is not);
 * - in prose only: list markers (`1.` or `1)` at a line's start) and numbers
 *   that name a step, cell, figure or section (`Step 2`, `cell 3`, `第2步`).
 */
export function extractNumbers(
  text: string,
  options: IExtractOptions = {}
): INumberMention[] {
  const prose = options.prose ?? true;
  const norm = Private.normalise(text);
  const skipped = Private.skippedRanges(norm, prose);
  const mentions: INumberMention[] = [];
  const pattern = new RegExp(Private.NUMBER.source, 'g');
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(norm)) !== null) {
    const found = Private.read(norm, match, prose, skipped);
    if (found.resume > pattern.lastIndex) {
      pattern.lastIndex = found.resume;
    }
    if (found.mention) {
      const { start, end } = found.mention;
      mentions.push({ ...found.mention, text: text.slice(start, end) });
    }
  }
  return mentions;
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * Sign, integer part (with thousands groups) or a leading dot, decimals,
   * and an exponent in `e` or `×10^` form.
   */
  export const NUMBER =
    /([-+]?)(?:(\d{1,3}(?:[,\u2009\u202F]\d{3}(?!\d))+|\d+)(?:\.(\d+))?|\.(\d+))(?:[eE]([-+]?\d+)(?![\p{L}\d])|\s?[×xX*·]\s?10(?:\^\(?([-+]?\d+)\)?|([⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)))?/u;

  /**
   * The text with full-width digits and signs, and U+2212, replaced by ASCII
   * (one unit for one, so offsets hold).
   */
  export function normalise(text: string): string {
    return text.replace(
      /[\uFF10-\uFF19\uFF0E\uFF05\uFF0D\u2212\uFE63]/g,
      ch => {
        const code = ch.charCodeAt(0);
        if (code >= 0xff10 && code <= 0xff19) {
          return String.fromCharCode(code - 0xff10 + 48);
        }
        return ch === '\uFF0E' ? '.' : ch === '\uFF05' ? '%' : '-';
      }
    );
  }

  /**
   * Ranges that hold no stated number: dates and times everywhere, code,
   * URLs, link targets, HTML tags and footnote marks in prose.
   */
  export function skippedRanges(
    norm: string,
    prose: boolean
  ): Array<[number, number]> {
    const ranges: Array<[number, number]> = [];
    let text = norm;
    if (prose) {
      // Fenced blocks first, blanked, so that their backticks pair with
      // nothing outside them.
      for (const m of norm.matchAll(FENCE)) {
        ranges.push([m.index, m.index + m[0].length]);
        text =
          text.slice(0, m.index) +
          ' '.repeat(m[0].length) +
          text.slice(m.index + m[0].length);
      }
    }
    for (const re of prose ? [...DATES, ...MARKUP] : DATES) {
      for (const m of text.matchAll(re)) {
        ranges.push([m.index, m.index + m[0].length]);
      }
    }
    return ranges;
  }

  const FENCE =
    /^[ \t]{0,3}(`{3,}|~{3,})[^\n]*(?:\n[\s\S]*?(?:\n[ \t]{0,3}\1[`~]*[ \t]*(?=\n|(?![\s\S]))|(?![\s\S]))|(?![\s\S]))/gm;

  const MONTH =
    '(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\\.?';

  const DATES: RegExp[] = [
    /(?<![\d.])(?:1[89]|2[01])\d\d(?:([-/])(?:0?[1-9]|1[0-2])(?:\1\d{1,2})?|\.\d{1,2}\.\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?![\d.]*\d)/g,
    /(?<![\d.])\d{1,2}[/.]\d{1,2}[/.]\d{2,4}(?![\d.]*\d)/g,
    /(?<!\d)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?!\d)/g,
    /\d{4}\s?年(?:\s?\d{1,2}\s?月(?:\s?\d{1,2}\s?[日号])?)?/g,
    /(?<![\d.])\d{1,2}\s?月(?:\s?\d{1,2}\s?[日号])?/g,
    new RegExp(
      `\\b${MONTH}\\s+\\d{1,2}(?:st|nd|rd|th)?(?:,?\\s+\\d{4})?(?!\\d)`,
      'g'
    ),
    new RegExp(
      `(?<![\\d.])\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH}(?:,?\\s+\\d{4})?(?!\\d)`,
      'g'
    ),
    new RegExp(`\\b${MONTH},?\\s+\\d{4}(?!\\d)`, 'g')
  ];

  const MARKUP: RegExp[] = [
    /(`+)[\s\S]*?[^`]\1(?!`)|(`+)[^`]\2(?!`)/g,
    /\b(?:https?:\/\/|www\.)[^\s<>)\]]+/g,
    /\]\([^)\s]*(?:\s+"[^"]*")?\)/g,
    /<\/?[A-Za-z][^>\n]*>/g,
    /\[\^[^\]\s]+\]/g,
    /[\w.+-]+@[\w-]+\.[\w.]+/g,
    // Maths: $$…$$, \[…\], \(…\), and $…$ as pandoc reads it (no space
    // inside the dollars, no digit after the closing one: `$5 and $10` is
    // money).
    /\$\$[\s\S]+?\$\$|\\\[[\s\S]+?\\\]|\\\([\s\S]+?\\\)/g,
    /\$(?![\s$])[^$\n]*?[^\s$\\]\$(?!\d)|\$[^\s$\d]\$/g
  ];

  /**
   * Whether a character is part of a word in a script that spaces its words
   * (a CJK character next to a number is ordinary prose: `共1234行`).
   */
  export function isWordChar(ch: string | undefined): boolean {
    return (
      ch !== undefined &&
      /[\p{L}\p{N}_]/u.test(ch) &&
      !/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u.test(
        ch
      )
    );
  }

  const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹';

  const SCALES: Array<[RegExp, number]> = [
    [/^\s?(?:thousand)\b/i, 3],
    [/^\s?(?:million|mn)\b/i, 6],
    [/^\s?(?:billion|bn)\b/i, 9],
    [/^\s?(?:trillion)\b/i, 12],
    // Glued abbreviations: `5k`, `$1.2M`, `$3B`.
    [/^[kK](?![\p{L}\d_])/u, 3],
    [/^M(?![\p{L}\d_])/u, 6],
    [/^B(?![\p{L}\d_])/u, 9],
    [/^\s?万/, 4],
    [/^\s?[亿億]/, 8]
  ];

  const APPROXIMATE =
    /(?:[~≈∼]\s*|\b(?:about|around|roughly|approximately|approx\.?|nearly|almost|some)\s+|(?:约|大约|大概|近|将近|接近)\s*)[-+$€£¥]?$/i;

  const REFERENCE =
    /(?:\b(?:step|steps|cell|cells|figure|fig\.|section|chapter|version|python|v)\s*#?|第\s*|步骤\s*|#)$/i;

  /**
   * What the regular expression's match at `match.index` is, and where the
   * scan goes on (past a whole version string or time, so that its parts are
   * not read as numbers).
   */
  export function read(
    norm: string,
    match: RegExpExecArray,
    prose: boolean,
    skipped: Array<[number, number]>
  ): { mention?: Omit<INumberMention, 'text'>; resume: number } {
    const [
      whole,
      signText,
      intText,
      fracText,
      leadFrac,
      expText,
      expCaret,
      expSup
    ] = match;
    let start = match.index;
    let end = start + whole.length;
    const none = { resume: end };
    let sign = signText;
    if (sign) {
      const before = norm[start - 1];
      if (
        before !== undefined &&
        (/[\d.]/.test(before) || isWordChar(before))
      ) {
        // A hyphen (`3-5`, `GPT-4`), not a sign.
        if (isWordChar(before) && !/\d/.test(before)) {
          return none;
        }
        sign = '';
      }
      if (!sign) {
        start += 1;
      }
    }
    const numberStart = start + sign.length;
    if (skipped.some(([a, b]) => numberStart < b && end > a)) {
      return none;
    }
    const before = norm[start - 1];
    if (leadFrac !== undefined && before !== undefined && isWordChar(before)) {
      return none;
    }
    if (before === '_') {
      // An identifier (`col_2`) unless the underscore is emphasis (`_3_`).
      let k = start - 1;
      while (norm[k] === '_') {
        k--;
      }
      if (isWordChar(norm[k])) {
        return none;
      }
    } else if (
      isWordChar(before) ||
      (before === '.' && isWordChar(norm[start - 2]))
    ) {
      return none;
    }
    // Versions (`1.2.3`) and times: skip the whole run.
    const after = norm.slice(end);
    const dotted = /^(?:\.\d+)+/.exec(after);
    if (dotted && fracText !== undefined && expText === undefined) {
      return { resume: end + dotted[0].length };
    }
    const colon = /^(?::\d+)+/.exec(after);
    if (colon) {
      return { resume: end + colon[0].length };
    }
    // A file name (`2024.csv`), not the end of a sentence (`5.The`).
    if (
      /^\.[A-Za-z][A-Za-z0-9]{0,4}\b/.test(after) &&
      !/^\.[A-Z][a-z]/.test(after)
    ) {
      return none;
    }
    let glued = '';
    while (isWordChar(after[glued.length])) {
      glued += after[glued.length];
    }
    if (/\d/.test(glued)) {
      return { resume: end + glued.length };
    }
    if (
      /_(?!_*$)/.test(glued) ||
      /^(?:st|nd|rd|th)$/i.test(glued) ||
      (/^d$/i.test(glued) && /^[23]$/.test(intText ?? '')) ||
      (intText === '0' && fracText === undefined && /^[xbo]/i.test(glued))
    ) {
      return none;
    }
    if (prose) {
      const lineStart = norm.lastIndexOf('\n', start - 1) + 1;
      const lead = norm.slice(lineStart, start);
      if (
        /^\s*(?:[>#]+\s*)*$/.test(lead) &&
        /^[.)](?:\s|$)/.test(after) &&
        fracText === undefined &&
        !sign
      ) {
        return none;
      }
      if (REFERENCE.test(norm.slice(Math.max(0, start - 12), start))) {
        return none;
      }
    }
    // Percent and scale after the number.
    let percent = false;
    let scale = 0;
    const pct = /^(?:[ \u00A0]?%|\s(?:percent|per cent)\b)/i.exec(after);
    if (pct) {
      percent = true;
      end += pct[0].length;
    } else {
      for (const [re, power] of SCALES) {
        const m = re.exec(after);
        if (m) {
          scale = power;
          end += m[0].length;
          break;
        }
      }
    }
    const digits = (intText ?? '0').replace(/[,\u2009\u202F]/g, '');
    const fraction = fracText ?? leadFrac ?? '';
    let exponent = 0;
    if (expText !== undefined) {
      exponent = Number(expText);
    } else if (expCaret !== undefined) {
      exponent = Number(expCaret);
    } else if (expSup !== undefined) {
      const negative = expSup.startsWith('⁻');
      const power = [...expSup.replace(/^[⁻⁺]/, '')]
        .map(ch => SUPERSCRIPT.indexOf(ch))
        .join('');
      exponent = (negative ? -1 : 1) * Number(power);
    }
    if (
      prose &&
      !sign &&
      /^\d{4}$/.test(intText ?? '') &&
      fracText === undefined &&
      exponent === 0 &&
      !percent &&
      !scale &&
      Number(digits) >= 1800 &&
      Number(digits) < 2200
    ) {
      return none;
    }
    const magnitude =
      Number(`${digits}.${fraction || '0'}`) * Math.pow(10, exponent + scale);
    const value = (sign === '-' ? -1 : 1) * magnitude;
    const decimals = fraction.length - exponent - scale;
    const approximate = APPROXIMATE.test(
      norm.slice(Math.max(0, start - 16), start)
    );
    return {
      mention: {
        start,
        end,
        value: Number(value.toPrecision(15)),
        decimals,
        percent,
        approximate
      },
      resume: end
    };
  }
}
