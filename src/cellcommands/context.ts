/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type * as nbformat from '@jupyterlab/nbformat';
import type { Parser } from '@lezer/common';

import { summariseOutputs } from '../agent/outputs';
import type { IKernelState, IKernelVariable } from '../agent/tokens';
import {
  namesDefined,
  namesUsed,
  readBeforeDefined,
  topLevelDefinitions
} from './python';

/**
 * What an explain or fix request knows about one code cell.
 */
export interface ICellContext {
  /** The code asked about: the selection if any, else the whole source. */
  code: string;
  /** Whether `code` is a selection rather than the whole cell. */
  isSelection: boolean;
  /** The cell's outputs, summarised within budget ('' when none). */
  outputs: string;
  /** The cell's error, `ename: evalue` and the traceback's tail, or null. */
  error: string | null;
  /** Definitions from earlier cells of the names the code uses. */
  definitions: IDefinition[];
  /** The kernel's variables the code uses. */
  variables: IKernelVariable[];
}

/**
 * A top-level definition in an earlier cell.
 */
export interface IDefinition {
  /** The name it defines. */
  name: string;
  /** The 0-based index of the cell that defines it. */
  cell: number;
  /** Its source: a `def`/`class` block, an assignment or an import line. */
  source: string;
}

/**
 * The definitions, in earlier cells, of the names `code` uses.
 *
 * #### Notes
 * The last definition before the cell wins, as in a top-to-bottom run. A
 * name the cell defines before reading it needs no context. Each
 * definition's source is capped so a long function costs little.
 *
 * @param python - JupyterLab's Python parser.
 * @param earlier - the sources of the cells above, top first.
 * @param code - the code asked about.
 * @param maxChars - the most characters of definitions in all.
 */
export function definitionsUsed(
  python: Parser,
  earlier: ReadonlyArray<string>,
  code: string,
  maxChars = 4000
): IDefinition[] {
  const wanted = new Set(namesUsed(python, code));
  for (const own of namesDefined(python, code)) {
    if (!readBeforeDefined(python, code, own)) {
      wanted.delete(own);
    }
  }
  const found = new Map<string, IDefinition>();
  earlier.forEach((source, cell) => {
    for (const definition of topLevelDefinitions(python, source)) {
      if (wanted.has(definition.name)) {
        found.set(definition.name, { ...definition, cell });
      }
    }
  });
  const result: IDefinition[] = [];
  let used = 0;
  for (const definition of [...found.values()].sort(
    (a, b) => a.cell - b.cell
  )) {
    const source = Private.cap(definition.source, 1200);
    if (used + source.length > maxChars) {
      break;
    }
    used += source.length;
    result.push({ ...definition, source });
  }
  return result;
}

/**
 * The kernel's variables among the names the code uses.
 */
export function variablesTouched(
  python: Parser,
  state: IKernelState | null,
  code: string
): IKernelVariable[] {
  if (!state) {
    return [];
  }
  const used = new Set(namesUsed(python, code));
  return state.variables.filter(variable => used.has(variable.name));
}

/**
 * The cell's error as the model reads it: `ename: evalue` and the tail of the
 * traceback, without ANSI escapes, IPython's ruler and its header line;
 * `null` when no output is an error.
 */
export function errorOf(
  outputs: ReadonlyArray<nbformat.IOutput>,
  maxChars = 3000
): string | null {
  const error = outputs.find(output => output.output_type === 'error') as
    nbformat.IError | undefined;
  if (!error) {
    return null;
  }
  const traceback = (error.traceback ?? [])
    .join('\n')
    .replace(Private.ANSI, '')
    .split('\n')
    .filter(line => !Private.isTracebackChrome(line))
    .join('\n')
    .trim();
  const head = `${error.ename}: ${error.evalue}`;
  const tail =
    traceback.length > maxChars
      ? `…\n${traceback.slice(traceback.length - maxChars)}`
      : traceback;
  return tail ? `${head}\n\n${tail}` : head;
}

/**
 * The few lines of an error the chat shows: its first line (`ename:
 * evalue`) and the frame it points at, the last one in the cell's own code
 * if any, else the traceback's last.
 *
 * #### Notes
 * The whole error goes to the model; the chat shows where to look. A
 * problem the user described (no traceback) shows its first lines.
 *
 * @param problem - `errorOf`'s text, or what the user said is wrong.
 */
export function errorExcerpt(problem: string, maxLines = 4): string {
  const lines = problem
    .replace(Private.ANSI, '')
    .split('\n')
    .filter(line => !Private.isTracebackChrome(line));
  const frames = lines
    .map((line, index) => (Private.FRAME.test(line.trim()) ? index : -1))
    .filter(index => index > 0);
  const head = lines[0].trim();
  if (!frames.length) {
    // A traceback without frames ends with its first line again.
    return lines
      .filter((line, index) => index === 0 || line.trim() !== head)
      .slice(0, maxLines)
      .join('\n')
      .trim();
  }
  const inCell = frames.filter(index => /^Cell In\[/.test(lines[index].trim()));
  const start = (inCell.length ? inCell : frames).at(-1)!;
  const next = frames.find(index => index > start) ?? lines.length;
  const frame = lines
    .slice(start, next)
    .filter(line => line.trim() && line.trim() !== head);
  // IPython marks the line that raised with an arrow (`---->`, `->`).
  const arrow = frame.findIndex(line => /^\s*-*->/.test(line));
  const shown =
    arrow > 0 ? [frame[0], frame[arrow]] : frame.slice(0, maxLines - 1);
  return [head, ...shown].join('\n');
}

/**
 * Gather the context of an explain or fix request.
 *
 * @param options - the cell's code, selection, outputs, the cells above,
 *   the kernel's state, and JupyterLab's Python parser: without it (no
 *   editor languages) the context has no definitions or variables.
 */
export function gatherCellContext(options: {
  python: Parser | null;
  source: string;
  selection?: string;
  outputs: ReadonlyArray<nbformat.IOutput>;
  earlier: ReadonlyArray<string>;
  state: IKernelState | null;
  outputTokenBudget: number;
}): ICellContext {
  const { python } = options;
  const selection = options.selection?.trim() ? options.selection : '';
  const code = selection || options.source;
  // The error is `error`, apart: a cell whose only output is its error has
  // no outputs ('' rather than the summary's "(no output)").
  const shown = options.outputs.filter(
    output => output.output_type !== 'error'
  );
  const outputs = shown.length
    ? summariseOutputs(shown, {
        tokenBudget: options.outputTokenBudget,
        vision: false
      }).text
    : '';
  return {
    code,
    isSelection: !!selection,
    outputs,
    error: errorOf(options.outputs),
    definitions: python ? definitionsUsed(python, options.earlier, code) : [],
    variables: python ? variablesTouched(python, options.state, code) : []
  };
}

/**
 * The context section sent after the rendered template: definitions from
 * earlier cells and the kernel's variables the code uses.
 *
 * #### Notes
 * Written for the model, in English, like the interpreter's context message.
 */
export function contextSection(context: ICellContext): string {
  const parts: string[] = [];
  if (context.isSelection) {
    parts.push(
      'The code above is a selection within the cell; answer about it.'
    );
  }
  if (context.definitions.length) {
    parts.push(
      'Definitions it uses from earlier cells:\n\n```python\n' +
        context.definitions
          .map(d => `# cell ${d.cell + 1}\n${d.source}`)
          .join('\n\n') +
        '\n```'
    );
  }
  if (context.variables.length) {
    parts.push(
      'Kernel variables it uses (name: type, shape):\n' +
        context.variables
          .map(v => `- ${v.name}: ${v.type}${v.shape ? `, ${v.shape}` : ''}`)
          .join('\n')
    );
  }
  return parts.length ? `[Context]\n${parts.join('\n\n')}` : '';
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * Terminal escapes (colours, cursor moves) as IPython writes them.
   */
  // eslint-disable-next-line no-control-regex
  export const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

  /**
   * Where a traceback frame starts: IPython's `Cell In[3], line 2`,
   * `File ~/x.py:12, in f()`, older `Input In [3]` / `<ipython-input-…>`,
   * and plain Python's `File "x.py", line 12`.
   */
  export const FRAME = /^(Cell In ?\[|File |Input In ?\[|<ipython-input-)/;

  /**
   * Whether a line is IPython's decoration rather than the error: the ruler
   * (`-----…`) and the header (`KeyError   Traceback (most recent call last)`).
   */
  export function isTracebackChrome(line: string): boolean {
    const trimmed = line.trim();
    return (
      /^-{10,}$/.test(trimmed) ||
      /Traceback \(most recent call last\):?$/.test(trimmed)
    );
  }

  /**
   * At most `max` characters, with a marker when cut.
   */
  export function cap(text: string, max: number): string {
    return text.length > max ? `${text.slice(0, max)}\n# … (cut)` : text;
  }
}
