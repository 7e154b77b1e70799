/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type * as nbformat from '@jupyterlab/nbformat';

import { columnHint } from './dataframes';
import type { IStepResult } from './tokens';

/**
 * The last step of a turn that reached the kernel, as the repeat check
 * needs it.
 */
export interface IRanStep {
  /** The step's number within the turn. */
  step: number;
  /** The code that ran (the user's edit, if any). */
  code: string;
  /**
   * The exception it raised, with the hint its tool result gave; `null`
   * when it did not end in an exception (ran, timed out, was stopped…).
   */
  error: { ename: string; evalue: string; hint: string | null } | null;
  /**
   * The host's count of the kernel's runs once the step was over
   * (`IExecutionHost.kernelRuns`), when it keeps one.
   */
  kernelRuns?: number;
}

/**
 * What the repeat check keeps of a step that reached the kernel, or `null`
 * for one that did not (skipped: nothing ran, the kernel is as it was).
 *
 * @param step - the step's number.
 * @param result - the host's report.
 * @param kernelRuns - the host's count of the kernel's runs, if it keeps one.
 */
export function ranStep(
  step: number,
  result: IStepResult,
  kernelRuns?: number
): IRanStep | null {
  if (result.outcome === 'skipped') {
    return null;
  }
  const error =
    result.outcome === 'error'
      ? (result.outputs.find(o => o.output_type === 'error') as
          nbformat.IError | undefined)
      : undefined;
  return {
    step,
    code: result.code,
    error: error
      ? {
          ename: error.ename,
          evalue: error.evalue,
          hint: columnHint(error.ename, error.evalue, result.dataFrames ?? [])
        }
      : null,
    ...(kernelRuns !== undefined ? { kernelRuns } : {})
  };
}

/**
 * The failed step whose code `code` repeats, or `null`: then the code runs.
 *
 * #### Notes
 * A small model resends byte-identical code after it failed, the hint with
 * the exact column name notwithstanding; each resend failed again and took
 * a step. Identical code fails the same way only in the same kernel state,
 * so the rule is narrow: the turn's last step that reached the kernel
 * raised an exception, and `code` is its code, comments, blank lines and
 * trailing spaces aside (`normalizedCode`). Any step that ran since, even
 * one that failed or was stopped, may have changed the state, and so does
 * a timeout or a dead kernel (a restart loses the state; load and memory
 * vary): then the code runs. Skipped and refused steps did not run, so
 * they do not count as running in between. Nor may anything else have run
 * in the kernel since (the user's own cell, a restart): when the host
 * counts the kernel's runs, that count must not have moved.
 *
 * @param code - the code of the call.
 * @param last - the turn's last step that reached the kernel.
 * @param kernelRuns - the host's count of the kernel's runs now, if it
 *   keeps one.
 */
export function repeatedFailure(
  code: string,
  last: IRanStep | null,
  kernelRuns?: number
): IRanStep | null {
  if (!last?.error || last.kernelRuns !== kernelRuns) {
    return null;
  }
  return normalizedCode(code) === normalizedCode(last.code) ? last : null;
}

/**
 * The tool result of a call not run because it repeats a failed step: the
 * step, its error and its hint, and a request for changed code.
 *
 * #### Notes
 * Starts with `Not run: ` like the policy's refusals, so the text protocol
 * asks for the corrected block after it (textprotocolmessages.ts).
 *
 * @param failed - the step it repeats.
 */
export function repeatMessage(failed: IRanStep): string {
  const error = failed.error
    ? `${failed.error.ename}: ${failed.error.evalue}`
    : 'an error';
  const lines = [
    `Not run: this is the same code as step ${failed.step}, which raised ${error}, and nothing ran since. Running it again would fail the same way.`
  ];
  if (failed.error?.hint) {
    lines.push(failed.error.hint);
  }
  lines.push(
    'Change the code to fix the cause (write the complete corrected code), then call run_python again.'
  );
  return lines.join('\n');
}

/**
 * Code as the repeat check compares it: without comments, blank lines and
 * trailing whitespace, which change nothing Python runs.
 *
 * #### Notes
 * A small scanner keeps strings whole: a `#` inside a string is not a
 * comment, and the lines of a triple-quoted string (blank ones, ones that
 * start with `#`, trailing spaces) are its value, so they stay. Indentation
 * stays too (it is syntax). The scan knows Python's quotes, not every
 * corner of its grammar: in an f-string that nests its own quote (Python
 * 3.12) a `#` may be taken for a comment, so two codes differing only
 * there would compare equal.
 *
 * @param code - Python (IPython) source.
 */
export function normalizedCode(code: string): string {
  const lines: string[] = [];
  let line = '';
  let quote: string | null = null;
  let at = 0;
  while (at < code.length) {
    const char = code[at];
    if (quote) {
      if (char === '\\') {
        line += code.slice(at, at + 2);
        at += 2;
      } else if (code.startsWith(quote, at)) {
        line += quote;
        at += quote.length;
        quote = null;
      } else if (char === '\n' && quote.length === 1) {
        // An unclosed one-line string ends with its line.
        quote = null;
      } else {
        line += char;
        at++;
      }
      continue;
    }
    if (char === '#') {
      const end = code.indexOf('\n', at);
      at = end < 0 ? code.length : end;
    } else if (char === '\n') {
      lines.push(line.trimEnd());
      line = '';
      at++;
    } else if (char === '"' || char === "'") {
      quote = code.startsWith(char.repeat(3), at) ? char.repeat(3) : char;
      line += quote;
      at += quote.length;
    } else {
      line += char;
      at++;
    }
  }
  lines.push(line.trimEnd());
  return lines.filter(kept => kept.trim()).join('\n');
}
