/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { TranslateFn } from '../translate';
import type { IDataSource, IDataSourceTable, IKernelState } from './tokens';

/**
 * The most characters the data sources take in the context message (about
 * 500 tokens): a database with hundreds of columns must not crowd out the
 * conversation. Tables past it are counted, not described.
 */
export const DATA_SOURCES_BUDGET = 2000;

/**
 * The context lines that tell the model about the server's data sources:
 * how to connect, then one line per source with its tables, columns, types
 * and approximate row counts, within `budget` characters.
 *
 * #### Notes
 * The server sends names, dialects and schemas, never a URL's credentials;
 * the URL itself is left out too (the model needs only the name).
 *
 * @param sources - the server's data sources.
 * @param budget - the most characters of the lines after the first.
 */
export function dataSourceLines(
  sources: readonly IDataSource[],
  budget: number = DATA_SOURCES_BUDGET
): string[] {
  if (!sources.length) {
    return [];
  }
  const first = sources[0].name;
  const lines = [
    `Data sources (in the kernel, connect("name") returns a SQLAlchemy engine, e.g. pd.read_sql(sql, connect(${JSON.stringify(first)})); the server handles the credentials, never ask for them):`
  ];
  let left = budget;
  for (const source of sources) {
    const line = Private.sourceLine(source, left);
    lines.push(line);
    left = Math.max(0, left - line.length);
  }
  return lines;
}

/**
 * A warning for the user per data source whose schema could not be read
 * (a wrong password, an unreachable database): the model is told the same
 * in its context, and would otherwise fail on it without the user knowing
 * why.
 *
 * @param state - the kernel's state, with the server's data sources.
 * @param trans - the UI translation.
 */
export function unavailableSources(
  state: Pick<IKernelState, 'dataSources'> | null,
  trans: TranslateFn
): string[] {
  return (state?.dataSources ?? [])
    .filter(source => source.error)
    .map(source =>
      trans(
        'The data source “%1” cannot be used now: %2',
        source.name,
        source.error ?? ''
      )
    );
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * `- books (mysql, read-only): tables: books (~17 rows): id integer, …`
   */
  export function sourceLine(source: IDataSource, budget: number): string {
    const traits = [source.dialect, source.read_only ? 'read-only' : ''];
    let line = `- ${source.name} (${traits.filter(Boolean).join(', ')})`;
    if (source.description) {
      line += ` ${source.description.slice(0, 200)}`;
    }
    if (source.error) {
      return `${line}: schema unavailable: ${source.error.slice(0, 300)}`;
    }
    const described: string[] = [];
    let omitted = source.more_tables ?? 0;
    let length = line.length;
    for (const table of source.tables) {
      const text = tableText(table);
      if (length + text.length + 2 > budget) {
        omitted++;
        continue;
      }
      described.push(text);
      length += text.length + 2;
    }
    if (described.length) {
      line += `: ${described.join('; ')}`;
    } else if (!omitted) {
      return `${line}: no tables`;
    }
    if (omitted) {
      const more = described.length ? '; more' : ':';
      line += `${more} ${omitted} tables not listed (inspect them with sqlalchemy.inspect(engine))`;
    }
    return line;
  }

  /**
   * `books (~17 rows): id integer, title varchar(200)`.
   */
  export function tableText(table: IDataSourceTable): string {
    const rows = table.rows === null ? '' : ` (~${table.rows} rows)`;
    const columns = table.columns.map(([name, type]) => `${name} ${type}`);
    if (table.more_columns) {
      columns.push(`+${table.more_columns} more columns`);
    }
    return `${table.name}${rows}: ${columns.join(', ')}`;
  }
}
