/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import {
  dataSourceLines,
  DATA_SOURCES_BUDGET,
  unavailableSources
} from '../agent/datasources';
import { contextMessage } from '../agent/toolresults';
import type { IDataSource, IKernelState } from '../agent/tokens';
import { agent, FakeHost, run, ScriptedClient, text } from './agent-fakes';

const BOOKS: IDataSource = {
  name: 'books',
  dialect: 'mysql',
  read_only: true,
  tables: [
    {
      name: 'books',
      rows: 17,
      columns: [
        ['id', 'integer'],
        ['author', 'varchar(100)']
      ]
    },
    { name: 'loans', rows: null, columns: [['lent_on', 'date']] }
  ],
  error: null
};

const STATE: IKernelState = {
  variables: [],
  packages: {},
  cwd: '/work',
  files: []
};

describe('dataSourceLines', () => {
  it('names each source with its tables, columns, types and row estimates', () => {
    const lines = dataSourceLines([BOOKS]);
    expect(lines[0]).toContain('connect("name") returns a SQLAlchemy engine');
    expect(lines[0]).toContain('pd.read_sql(sql, connect("books"))');
    expect(lines[1]).toBe(
      '- books (mysql, read-only): books (~17 rows): id integer, author varchar(100); loans: lent_on date'
    );
  });

  it("shows the administrator's description", () => {
    const [, line] = dataSourceLines([
      { ...BOOKS, description: "the library's catalogue" }
    ]);
    expect(line).toMatch(
      /^- books \(mysql, read-only\) the library's catalogue: books/
    );
  });

  it('says why a schema is missing, naming the source', () => {
    const [, line] = dataSourceLines([
      {
        ...BOOKS,
        name: 'sales',
        read_only: false,
        tables: [],
        error:
          "data source 'sales': the database at db:3306/sales cannot be reached"
      }
    ]);
    expect(line).toBe(
      "- sales (mysql): schema unavailable: data source 'sales': the database at db:3306/sales cannot be reached"
    );
  });

  it('keeps a huge schema within the budget and counts what it left out', () => {
    const columns: [string, string][] = Array.from({ length: 40 }, (_, i) => [
      `column_${i}`,
      'varchar(255)'
    ]);
    const big: IDataSource = {
      ...BOOKS,
      tables: Array.from({ length: 50 }, (_, i) => ({
        name: `table_${i}`,
        rows: 1000,
        columns
      })),
      more_tables: 150
    };
    const lines = dataSourceLines([big, BOOKS]);
    const text = lines.slice(1).join('\n');
    expect(text.length).toBeLessThanOrEqual(DATA_SOURCES_BUDGET + 200);
    expect(lines[1]).toMatch(/; more \d+ tables not listed/);
    expect(lines[1]).toContain('table_0 (~1000 rows)');
    // The second source still gets its line (names at least).
    expect(lines[2]).toMatch(/^- books \(mysql, read-only\)/);
  });

  it('adds nothing without data sources', () => {
    expect(dataSourceLines([])).toEqual([]);
    expect(contextMessage(STATE, false)).not.toContain('Data sources');
  });

  it('is part of the context message', () => {
    const message = contextMessage({ ...STATE, dataSources: [BOOKS] }, false);
    expect(message).toContain('- books (mysql, read-only): books (~17 rows)');
  });
});

describe('unavailableSources', () => {
  it('warns the user about each source whose schema could not be read', () => {
    const error =
      "data source 'sales': the database at db:3306/sales refused the login (wrong user or password, or no access to the database)";
    const warnings = unavailableSources(
      { dataSources: [BOOKS, { ...BOOKS, name: 'sales', error }] },
      (text, ...args) =>
        args.reduce<string>(
          (out, arg, i) => out.replace(`%${i + 1}`, String(arg)),
          text
        )
    );
    expect(warnings).toEqual([
      `The data source “sales” cannot be used now: ${error}`
    ]);
    expect(unavailableSources(null, text => text)).toEqual([]);
  });
});

describe('a turn with data sources', () => {
  it('tells the model the schemas and the user the unavailable ones', async () => {
    const client = new ScriptedClient(
      text('The top author is Terry Pratchett.')
    );
    const host = new FakeHost();
    const error =
      "data source 'sales': the database at db:3306/sales cannot be reached: Connection refused";
    host.state = {
      ...host.state,
      dataSources: [BOOKS, { ...BOOKS, name: 'sales', tables: [], error }]
    };
    const { events } = await run(
      agent(client, host),
      'Which author has the most books?'
    );
    const warnings = events.filter(e => e.type === 'warning');
    expect(warnings).toEqual([
      {
        type: 'warning',
        message: `The data source “sales” cannot be used now: ${error}`
      }
    ]);
    const request = JSON.stringify(client.requests[0].messages);
    expect(request).toContain('- books (mysql, read-only): books (~17 rows)');
    expect(request).toContain(`- sales (mysql, read-only): schema unavailable`);
  });
});
