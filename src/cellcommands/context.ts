/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type * as nbformat from '@jupyterlab/nbformat';

import { summariseOutputs } from '../agent/outputs';
import type { IKernelState, IKernelVariable } from '../agent/tokens';

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
 * The identifiers code uses, outside strings and comments, in order.
 *
 * #### Notes
 * A tokenizer, not a parser: attribute names after a dot are skipped,
 * keywords and builtins are kept out, so `df.head()` uses `df`.
 */
export function namesUsed(code: string): string[] {
  const names = new Set<string>();
  const stripped = Private.stripStringsAndComments(code);
  for (const match of stripped.matchAll(/(\.\s*)?\b([A-Za-z_]\w*)\b/g)) {
    const name = match[2];
    if (!match[1] && !Private.KEYWORDS.has(name)) {
      names.add(name);
    }
  }
  return [...names];
}

/**
 * The names a cell defines at top level: functions, classes, assignments and
 * imports.
 */
export function namesDefined(code: string): string[] {
  return Private.topLevelDefinitions(code).map(d => d.name);
}

/**
 * The definitions, in earlier cells, of the names `code` uses.
 *
 * #### Notes
 * The last definition before the cell wins, as in a top-to-bottom run. Each
 * definition's source is capped so a long function costs little.
 *
 * @param earlier - the sources of the cells above, top first.
 * @param code - the code asked about.
 * @param maxChars - the most characters of definitions in all.
 */
export function definitionsUsed(
  earlier: ReadonlyArray<string>,
  code: string,
  maxChars = 4000
): IDefinition[] {
  const wanted = new Set(namesUsed(code));
  for (const own of namesDefined(code)) {
    // A name the cell defines itself before using it needs no context;
    // keep it when it is only reassigned (x = x + 1).
    if (!new RegExp(`^\\s*${own}\\s*=.*\\b${own}\\b`, 'm').test(code)) {
      wanted.delete(own);
    }
  }
  const found = new Map<string, IDefinition>();
  earlier.forEach((source, cell) => {
    for (const definition of Private.topLevelDefinitions(source)) {
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
  state: IKernelState | null,
  code: string
): IKernelVariable[] {
  if (!state) {
    return [];
  }
  const used = new Set(namesUsed(code));
  return state.variables.filter(variable => used.has(variable.name));
}

/**
 * The cell's error as the model reads it: `ename: evalue` and the tail of the
 * ANSI-free traceback; `null` when no output is an error.
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
    // eslint-disable-next-line no-control-regex
    .replace(/\u001b\[[0-9;]*m/g, '')
    .trim();
  const head = `${error.ename}: ${error.evalue}`;
  const tail =
    traceback.length > maxChars
      ? `…\n${traceback.slice(traceback.length - maxChars)}`
      : traceback;
  return tail ? `${head}\n\n${tail}` : head;
}

/**
 * Gather the context of an explain or fix request.
 *
 * @param options - the cell's code, selection, outputs, the cells above and
 *   the kernel's state.
 */
export function gatherCellContext(options: {
  source: string;
  selection?: string;
  outputs: ReadonlyArray<nbformat.IOutput>;
  earlier: ReadonlyArray<string>;
  state: IKernelState | null;
  outputTokenBudget: number;
}): ICellContext {
  const selection = options.selection?.trim() ? options.selection : '';
  const code = selection || options.source;
  const outputs = options.outputs.length
    ? summariseOutputs(
        options.outputs.filter(output => output.output_type !== 'error'),
        { tokenBudget: options.outputTokenBudget, vision: false }
      ).text
    : '';
  return {
    code,
    isSelection: !!selection,
    outputs,
    error: errorOf(options.outputs),
    definitions: definitionsUsed(options.earlier, code),
    variables: variablesTouched(options.state, code)
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
   * Python keywords and common builtins: never context.
   */
  export const KEYWORDS = new Set(
    (
      'False None True and as assert async await break class continue def del ' +
      'elif else except finally for from global if import in is lambda ' +
      'nonlocal not or pass raise return try while with yield print len range ' +
      'int float str list dict set tuple bool type isinstance enumerate zip ' +
      'map filter sorted sum min max abs round open super object self'
    ).split(' ')
  );

  /**
   * Replace strings and comments by spaces, keeping line structure.
   */
  export function stripStringsAndComments(code: string): string {
    return code.replace(
      /("""[\s\S]*?"""|'''[\s\S]*?'''|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|#[^\n]*)/g,
      match => match.replace(/[^\n]/g, ' ')
    );
  }

  /**
   * The top-level definitions of a cell, with their sources.
   */
  export function topLevelDefinitions(
    code: string
  ): { name: string; cell: number; source: string }[] {
    const lines = code.split('\n');
    const stripped = stripStringsAndComments(code).split('\n');
    const result: { name: string; cell: number; source: string }[] = [];
    for (let i = 0; i < lines.length; i++) {
      const line = stripped[i];
      const block = /^(?:async\s+)?(?:def|class)\s+([A-Za-z_]\w*)/.exec(line);
      if (block) {
        let end = i + 1;
        while (
          end < lines.length &&
          (/^\s/.test(stripped[end]) || !stripped[end].trim())
        ) {
          end++;
        }
        let start = i;
        while (start > 0 && /^@/.test(stripped[start - 1])) {
          start--;
        }
        const source = lines.slice(start, end).join('\n').trimEnd();
        result.push({ name: block[1], cell: 0, source });
        continue;
      }
      const fromImport = /^from\s+[\w.]+\s+import\s+(.+)$/.exec(line);
      const plainImport = /^import\s+(.+)$/.exec(line);
      const imported = fromImport?.[1] ?? plainImport?.[1];
      if (imported) {
        for (const part of imported.replace(/[()]/g, '').split(',')) {
          const alias = /^\s*([\w.]+)(?:\s+as\s+(\w+))?\s*$/.exec(part);
          if (alias) {
            const name = alias[2] ?? alias[1].split('.')[0];
            result.push({ name, cell: 0, source: lines[i].trim() });
          }
        }
        continue;
      }
      const assignment = /^([A-Za-z_][\w\s,]*?)\s*(?:[-+*/|&]?=)(?!=)/.exec(
        line
      );
      if (assignment) {
        for (const name of assignment[1].split(',')) {
          if (/^[A-Za-z_]\w*$/.test(name.trim())) {
            result.push({
              name: name.trim(),
              cell: 0,
              source: lines[i].trimEnd()
            });
          }
        }
      }
    }
    return result;
  }

  /**
   * At most `max` characters, with a marker when cut.
   */
  export function cap(text: string, max: number): string {
    return text.length > max ? `${text.slice(0, max)}\n# … (cut)` : text;
  }
}
