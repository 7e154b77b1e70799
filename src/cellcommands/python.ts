/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { LanguageSupport } from '@codemirror/language';
import type { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import type { Parser, SyntaxNode } from '@lezer/common';

/**
 * JupyterLab's Python support: the parser the cell commands read code with,
 * and the highlighting of the fix's diff.
 *
 * #### Notes
 * Taken from the editor's language registry rather than imported:
 * `@codemirror/lang-python` and `@lezer/python` live in JupyterLab's own
 * bundle, which an extension reaches only through the registry, so the
 * browser loads one copy of the grammar. Null without a registry.
 */
export async function loadPythonSupport(
  languages: IEditorLanguageRegistry | null
): Promise<LanguageSupport | null> {
  const python = await languages?.getLanguage('python');
  return python?.support ?? null;
}

/**
 * A top-level definition of a cell.
 */
export interface ITopLevelDefinition {
  /** The name it defines. */
  name: string;
  /** Its source: a `def`/`class` block with its decorators, an assignment or an import. */
  source: string;
}

/**
 * The names code uses, outside strings and comments, in order of first use.
 *
 * #### Notes
 * Attribute names (`df.head`) are not names; keywords are not either, and
 * the common builtins are left out: they are never context.
 */
export function namesUsed(python: Parser, code: string): string[] {
  const names = new Set<string>();
  python.parse(code).iterate({
    enter: node => {
      if (node.name === 'VariableName') {
        const name = code.slice(node.from, node.to);
        if (!Private.BUILTINS.has(name)) {
          names.add(name);
        }
      }
    }
  });
  return [...names];
}

/**
 * The names a cell defines at top level, in order.
 */
export function namesDefined(python: Parser, code: string): string[] {
  return topLevelDefinitions(python, code).map(d => d.name);
}

/**
 * The definitions a cell makes at top level, in order: functions, classes,
 * assignments and imports.
 */
export function topLevelDefinitions(
  python: Parser,
  code: string
): ITopLevelDefinition[] {
  const result: ITopLevelDefinition[] = [];
  for (const statement of Private.statements(python, code)) {
    const source = code.slice(statement.from, statement.to).trimEnd();
    for (const name of Private.defined(statement)) {
      result.push({ name: code.slice(name.from, name.to), source });
    }
  }
  return result;
}

/**
 * Whether the cell reads `name` before (or in the statement where) it first
 * defines it at top level, as `x = x + 1` or `total += 3` do.
 *
 * #### Notes
 * A name the cell defines before any use needs no context from above.
 */
export function readBeforeDefined(
  python: Parser,
  code: string,
  name: string
): boolean {
  const text = (node: SyntaxNode): string => code.slice(node.from, node.to);
  for (const statement of Private.statements(python, code)) {
    const defining = Private.defined(statement);
    // `total += 3` reads the name it defines.
    const definitions = new Set(
      statement.name === 'UpdateStatement'
        ? []
        : defining.map(node => node.from)
    );
    // An import's module names are paths, not reads.
    const reads =
      statement.name === 'ImportStatement'
        ? []
        : Private.variableNames(statement).filter(
            node => !definitions.has(node.from)
          );
    if (reads.some(node => text(node) === name)) {
      return true;
    }
    if (defining.some(node => text(node) === name)) {
      return false;
    }
  }
  return false;
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * Builtins common enough that the model knows them: never context.
   */
  export const BUILTINS = new Set(
    (
      'print len range int float str list dict set tuple bool type ' +
      'isinstance enumerate zip map filter sorted sum min max abs round ' +
      'open super object self'
    ).split(' ')
  );

  /**
   * The top-level statements of a cell.
   */
  export function statements(python: Parser, code: string): SyntaxNode[] {
    const result: SyntaxNode[] = [];
    for (
      let node = python.parse(code).topNode.firstChild;
      node;
      node = node.nextSibling
    ) {
      result.push(node);
    }
    return result;
  }

  /**
   * Every name node within `node`, in order.
   */
  export function variableNames(
    node: SyntaxNode,
    into: SyntaxNode[] = []
  ): SyntaxNode[] {
    if (node.name === 'VariableName') {
      into.push(node);
    }
    for (let child = node.firstChild; child; child = child.nextSibling) {
      variableNames(child, into);
    }
    return into;
  }

  /**
   * The name nodes a top-level statement defines.
   */
  export function defined(statement: SyntaxNode): SyntaxNode[] {
    switch (statement.name) {
      case 'DecoratedStatement': {
        const inner =
          statement.getChild('FunctionDefinition') ??
          statement.getChild('ClassDefinition');
        return inner ? defined(inner) : [];
      }
      case 'FunctionDefinition':
      case 'ClassDefinition': {
        const name = statement.getChild('VariableName');
        return name ? [name] : [];
      }
      case 'AssignStatement':
        return targets(statement, 'AssignOp');
      case 'UpdateStatement':
        return targets(statement, 'UpdateOp');
      case 'ImportStatement':
        return imported(statement);
      default:
        return [];
    }
  }

  /**
   * The plain names before the last `op` of an assignment: `a, b = …`,
   * `a = b = …`, `x: int = …`, `total += …`.
   */
  function targets(statement: SyntaxNode, op: string): SyntaxNode[] {
    const children = statement.getChildren('VariableName');
    const ops = statement.getChildren(op);
    if (!ops.length) {
      return [];
    }
    const last = ops[ops.length - 1].from;
    return children.filter(child => child.to <= last);
  }

  /**
   * The names an import binds: the alias, else the first part of a dotted
   * module (`import a.b` binds `a`), for each comma-separated item after
   * `import`.
   */
  function imported(statement: SyntaxNode): SyntaxNode[] {
    const result: SyntaxNode[] = [];
    let item: SyntaxNode[] = [];
    let aliased = false;
    let started = false;
    const close = (): void => {
      if (item.length) {
        result.push(aliased ? item[item.length - 1] : item[0]);
      }
      item = [];
      aliased = false;
    };
    for (let node = statement.firstChild; node; node = node.nextSibling) {
      if (node.name === 'import') {
        started = true;
      } else if (!started) {
        continue;
      } else if (node.name === ',') {
        close();
      } else if (node.name === 'as') {
        aliased = true;
      } else if (node.name === 'VariableName') {
        item.push(node);
      }
    }
    close();
    return result;
  }
}
