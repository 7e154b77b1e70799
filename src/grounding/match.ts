/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { extractNumbers, INumberMention } from './numbers';

/**
 * Text the model received from a run: a step's tool result, or the outputs
 * of a cell a command quoted.
 */
export interface IGroundingSource {
  /**
   * The step's number in its turn, or `null` for a quoted cell's outputs.
   */
  step: number | null;

  /**
   * The notebook cell that holds the outputs, when known.
   */
  cellId?: string;

  /**
   * For a step of an earlier turn (its outputs are in the history the model
   * got): that turn's id.
   */
  earlierTurn?: string;

  /**
   * The text as the model got it (printed text, results, table reprs,
   * errors).
   */
  text: string;
}

/**
 * What an answer's numbers are checked against.
 */
export interface IGroundingInput {
  /**
   * The outputs the answer may quote, oldest first: earlier turns' steps,
   * then this answer's runs.
   */
  sources: ReadonlyArray<IGroundingSource>;

  /**
   * Text whose numbers the answer may repeat without a run: the question,
   * the notebook context sent with it (file names, variables), the code the
   * steps ran (its parameters: `head(10)`, `age > 30`).
   */
  given: string;
}

/**
 * Where a matched number came from.
 */
export interface INumberOrigin {
  /**
   * The index of the source in `IGroundingInput.sources`.
   */
  source: number;

  /**
   * The source's step number, or `null` for a quoted cell.
   */
  step: number | null;

  /**
   * The source's cell, when known.
   */
  cellId?: string;

  /**
   * The source's turn, when it is an earlier one.
   */
  earlierTurn?: string;

  /**
   * The output line holding the number, trimmed.
   */
  line: string;

  /**
   * The line's 0-based index in the source.
   */
  lineNumber: number;

  /**
   * The number as the output wrote it.
   */
  text: string;
}

/**
 * One number of the answer, checked.
 *
 * - `matched`: an output of a run has it, allowing for the rounding shown;
 * - `given`: the question, its context or the code has it as written;
 * - `unmatched`: neither.
 */
export interface ICheckedNumber {
  mention: INumberMention;
  status: 'matched' | 'given' | 'unmatched';
  origin?: INumberOrigin;
}

/**
 * An answer's numbers, checked.
 */
export interface IGroundingReport {
  numbers: ICheckedNumber[];
  /** How many numbers were checked. */
  checked: number;
  /** How many an output has. */
  found: number;
  /** How many the question, its context or the code has. */
  given: number;
  /** How many neither has. */
  unmatched: number;
}

/**
 * Check an answer's numbers against the outputs its runs gave the model.
 *
 * @param answer - the answer, Markdown.
 * @param input - the outputs and the given text.
 */
export function checkAnswer(
  answer: string,
  input: IGroundingInput
): IGroundingReport {
  return checkNumbers(extractNumbers(answer), input);
}

/**
 * Check numbers already found in an answer (e.g. in its rendered text).
 *
 * #### Notes
 * A number shown with d decimals matches an output value within half a unit
 * of its last digit (171.44 matches 171.4412; 171 matches 171.44 but never
 * the integer 172, and 171.44 never matches 171.4, which has less to tell).
 * A number written approximately (`about 3,000`) is taken to the precision
 * of its last non-zero digit. A percentage matches a fraction (17 % and
 * 0.1703), a percentage, and a plain percent figure of 1 or more (an output
 * below 1 is read as a fraction only, so 0.17 % never matches 0.1703, and a
 * percent column of 0.5 goes unmatched); a positive number
 * matches a negative output of the same size (`fell by 3.5`). Numbers in
 * `given` count only as written (equal values, no rounding). Output matches
 * come first (they carry a link); among them the closest value wins, then
 * the latest source (sources are given oldest first).
 *
 * @param mentions - the numbers, in order.
 * @param input - the outputs and the given text.
 */
export function checkNumbers(
  mentions: ReadonlyArray<INumberMention>,
  input: IGroundingInput
): IGroundingReport {
  const outputs = input.sources.map(source => Private.numbersOf(source.text));
  const given = Private.givenValues(input.given);
  const numbers = mentions.map((mention): ICheckedNumber => {
    const origin = Private.bestOrigin(mention, outputs, input.sources);
    if (origin) {
      return { mention, status: 'matched', origin };
    }
    return {
      mention,
      status: Private.isGiven(mention, given) ? 'given' : 'unmatched'
    };
  });
  const count = (status: ICheckedNumber['status']) =>
    numbers.filter(n => n.status === status).length;
  return {
    numbers,
    checked: numbers.length,
    found: count('matched'),
    given: count('given'),
    unmatched: count('unmatched')
  };
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * A number in an output, with where it is.
   */
  export interface IOutputNumber {
    mention: INumberMention;
    source: number;
    line: string;
    lineNumber: number;
  }

  /**
   * The numbers of one output, sorted by size for range lookups.
   */
  export interface IParsedOutput {
    numbers: Omit<IOutputNumber, 'source'>[];
    sizes: Float64Array;
  }

  /**
   * The numbers of an output's lines, remembered for the last texts read:
   * every answer of a conversation is checked against the same earlier
   * outputs, and a restored chat checks them all at once.
   */
  export function numbersOf(text: string): IParsedOutput {
    let parsed = PARSED.get(text);
    if (parsed) {
      PARSED.delete(text);
    } else {
      const numbers: Omit<IOutputNumber, 'source'>[] = [];
      text.split('\n').forEach((line, lineNumber) => {
        for (const mention of extractNumbers(line, { prose: false })) {
          numbers.push({ mention, line, lineNumber });
        }
      });
      numbers.sort(
        (a, b) => Math.abs(a.mention.value) - Math.abs(b.mention.value)
      );
      parsed = {
        numbers,
        sizes: Float64Array.from(numbers, n => Math.abs(n.mention.value))
      };
      if (PARSED.size >= PARSED_LIMIT) {
        PARSED.delete(PARSED.keys().next().value as string);
      }
    }
    PARSED.set(text, parsed);
    return parsed;
  }

  const PARSED = new Map<string, IParsedOutput>();
  const PARSED_LIMIT = 200;

  /**
   * The values the given text states: its numbers read as in prose, and
   * every digit run (a file name's `sales_2024.csv` too).
   */
  export function givenValues(text: string): number[] {
    const values = extractNumbers(text, { prose: false }).map(m => m.value);
    for (const run of text.matchAll(/\d+(?:\.\d+)?/g)) {
      values.push(Number(run[0]));
    }
    return values;
  }

  /**
   * Whether the given text states the number as written.
   */
  export function isGiven(mention: INumberMention, given: number[]): boolean {
    const wanted = [mention.value, Math.abs(mention.value)];
    return given.some(value => wanted.some(w => close(w, value, 0)));
  }

  /**
   * The output the number most likely came from, or `null`.
   */
  export function bestOrigin(
    mention: INumberMention,
    outputs: ReadonlyArray<IParsedOutput>,
    sources: ReadonlyArray<IGroundingSource>
  ): INumberOrigin | null {
    const tolerance = toleranceOf(mention);
    let best: { found: IOutputNumber; distance: number } | null = null;
    // Only outputs whose size can match: as they are, as a percentage of a
    // fraction, or as a fraction of a percentage.
    const size = Math.abs(mention.value);
    const slack = tolerance + 1e-9 * Math.max(1, size * 100);
    const ranges: Array<[number, number]> = [
      [size - slack, size + slack],
      [(size - slack) * 100, (size + slack) * 100],
      [(size - slack) / 100, (size + slack) / 100]
    ];
    for (let source = 0; source < outputs.length; source++) {
      const { numbers, sizes } = outputs[source];
      for (const [low, high] of ranges) {
        for (let k = lowerBound(sizes, low); k < sizes.length; k++) {
          if (sizes[k] > high) {
            break;
          }
          const distance = distanceTo(mention, numbers[k].mention, tolerance);
          if (distance === null) {
            continue;
          }
          if (!best || better(source, numbers[k].lineNumber, distance, best)) {
            best = { found: { ...numbers[k], source }, distance };
          }
        }
      }
    }
    if (!best) {
      return null;
    }
    const { found } = best;
    const source = sources[found.source];
    return {
      source: found.source,
      step: source.step,
      ...(source.cellId ? { cellId: source.cellId } : {}),
      ...(source.earlierTurn ? { earlierTurn: source.earlierTurn } : {}),
      line: found.line.trim(),
      lineNumber: found.lineNumber,
      text: found.mention.text
    };
  }

  /**
   * The first index whose size is at least `value`.
   */
  function lowerBound(sizes: Float64Array, value: number): number {
    let low = 0;
    let high = sizes.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (sizes[middle] < value) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    return low;
  }

  /**
   * Whether a match is better than the best so far: closer, then from a
   * later source, then from an earlier line.
   */
  function better(
    source: number,
    lineNumber: number,
    distance: number,
    best: { found: IOutputNumber; distance: number }
  ): boolean {
    if (distance !== best.distance) {
      return distance < best.distance;
    }
    if (source !== best.found.source) {
      return source > best.found.source;
    }
    return lineNumber < best.found.lineNumber;
  }

  /**
   * Half a unit of the last digit shown; for an approximate integer, of
   * its last non-zero digit.
   */
  export function toleranceOf(mention: INumberMention): number {
    let decimals = mention.decimals;
    if (mention.approximate && decimals <= 0 && mention.value !== 0) {
      const digits = String(Math.round(Math.abs(mention.value)));
      const zeros = digits.length - digits.replace(/0+$/, '').length;
      decimals = Math.min(decimals, -zeros);
    }
    return 0.5 * Math.pow(10, -decimals);
  }

  /**
   * How far the output's value is from the number, if within tolerance, in
   * the best of the readings that apply (fraction or percent, sign).
   */
  export function distanceTo(
    mention: INumberMention,
    output: INumberMention,
    tolerance: number
  ): number | null {
    // A plain output below 1 is a fraction, not a percent figure, for a
    // percentage: 0.17 % is not 0.1703.
    const values =
      mention.percent && !output.percent && Math.abs(output.value) < 1
        ? []
        : [output.value];
    if (output.percent) {
      values.push(output.value / 100);
    }
    if (mention.percent && !output.percent) {
      values.push(output.value * 100);
    }
    let best: number | null = null;
    for (const value of values) {
      for (const candidate of mention.value >= 0
        ? [value, Math.abs(value)]
        : [value]) {
        const distance = Math.abs(candidate - mention.value);
        if (
          close(candidate, mention.value, tolerance) &&
          (best === null || distance < best)
        ) {
          best = distance;
        }
      }
    }
    return best;
  }

  /**
   * Whether two values are within the tolerance, allowing for binary
   * floating point (0.1703 * 100 is 17.029999…).
   */
  export function close(a: number, b: number, tolerance: number): boolean {
    const slack = 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
    return Math.abs(a - b) <= tolerance + slack;
  }
}
