/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { IKernelState } from '../agent/tokens';
import { contextMessage, headerLines } from '../agent/toolresults';
import { columnHint } from '../agent/dataframes';
import { describeDataFrames, summariseOutputs } from '../agent/outputs';

const STATE: IKernelState = {
  variables: [],
  packages: { pandas: '2.2.3' },
  cwd: '/w',
  files: ['employees.csv', 'sales.csv', 'readings.tsv', 'notes.txt'],
  headers: {
    'employees.csv': 'Employee ID,Dept ,Annual Salary,Hire Year,Remote',
    'sales.csv': "order_id;product;it's",
    'readings.tsv': 't\ttemp'
  }
};

describe('headerLines', () => {
  it('quotes the header line of each file the prompt names, exactly', () => {
    expect(
      headerLines(
        STATE,
        'In Employees.csv, what is the median annual salary? Answer with an integer.'
      )
    ).toEqual([
      "employees.csv header line: 'Employee ID,Dept ,Annual Salary,Hire Year,Remote'"
    ]);
    expect(headerLines(STATE, 'Join sales.csv with readings.tsv')).toEqual([
      "sales.csv header line: 'order_id;product;it\\'s' (separated by ';': pd.read_csv(..., sep=';'))",
      "readings.tsv header line: 't\\ttemp' (separated by '\\t': pd.read_csv(..., sep='\\t'))"
    ]);
  });

  it('says nothing for a prompt naming no file, or a state without headers', () => {
    expect(headerLines(STATE, 'Plot the data')).toEqual([]);
    expect(
      headerLines({ ...STATE, headers: undefined }, 'employees.csv')
    ).toEqual([]);
  });

  it('goes into the context after the file list, with no data row', () => {
    const lines = contextMessage(STATE, false, {
      prompt: 'Mean salary in employees.csv?'
    }).split('\n');
    const files = lines.findIndex(line => line.startsWith('Files: '));
    expect(lines[files + 1]).toBe(
      "employees.csv header line: 'Employee ID,Dept ,Annual Salary,Hire Year,Remote'"
    );
    expect(lines.filter(line => line.includes('header line'))).toHaveLength(1);
    // Without a prompt (as before), no header line.
    expect(contextMessage(STATE, false)).not.toContain('header line');
  });
});

describe('describeDataFrames', () => {
  it('lists each DataFrame with rows and its columns as Python shows them', () => {
    expect(
      describeDataFrames([
        {
          name: 'employees',
          rows: 90,
          columns: ['Employee ID', 'Dept ', 'Annual Salary']
        },
        { name: 'one', rows: 1, columns: ['a\tb'] }
      ])
    ).toBe(
      "DataFrames now: employees (90 rows): columns ['Employee ID', 'Dept ', 'Annual Salary']; one (1 row): columns ['a\\tb']"
    );
  });

  it('marks a cut column list', () => {
    const columns = Array.from({ length: 31 }, (_, i) => `c${i}`);
    const text = describeDataFrames([{ name: 'wide', rows: 3, columns }]);
    expect(text).toContain("'c29', …]");
    expect(text).not.toContain('c30');
  });

  it('ends the step’s result text', () => {
    const summary = summariseOutputs(
      [{ output_type: 'stream', name: 'stdout', text: 'done\n' }],
      {
        tokenBudget: 1000,
        vision: false,
        dataFrames: [{ name: 'df', rows: 2, columns: ['a'] }]
      }
    );
    expect(summary.text).toMatch(
      /done\n[^]*DataFrames now: df \(2 rows\): columns \['a'\]$/
    );
  });
});

describe('columnHint', () => {
  const EMPLOYEES = {
    name: 'employees',
    rows: 90,
    columns: ['Employee ID', 'Dept ', 'Annual Salary']
  };
  const ONE_COLUMN = {
    name: 'sales',
    rows: 40,
    columns: ['date;product;price']
  };

  it('names the column a KeyError nearly matched, with the strip fix', () => {
    const hint = columnHint('KeyError', "'Dept'", [EMPLOYEES]);
    expect(hint).toContain(
      "employees has no column 'Dept'; its column is 'Dept '"
    );
    expect(hint).toContain('employees.columns = employees.columns.str.strip()');
    expect(columnHint('KeyError', '"annual_salary"', [EMPLOYEES])).toContain(
      "its column is 'Annual Salary'"
    );
  });

  it('names the separator of a file read as one column', () => {
    expect(columnHint('KeyError', "'price'", [EMPLOYEES, ONE_COLUMN])).toBe(
      "Hint: sales was read as one column 'date;product;price': the file is separated by ';'. Read it again with sep=';' in pd.read_csv."
    );
  });

  it('says to parse dates before .dt', () => {
    expect(
      columnHint(
        'AttributeError',
        'Can only use .dt accessor with datetimelike values',
        []
      )
    ).toContain('pd.to_datetime');
  });

  it('says nothing when it knows no better name', () => {
    expect(columnHint('KeyError', "'Dept '", [EMPLOYEES])).toBeNull();
    expect(columnHint('KeyError', "'salary'", [EMPLOYEES])).toBeNull();
    expect(columnHint('KeyError', '0', [EMPLOYEES])).toBeNull();
    expect(columnHint('NameError', "'Dept'", [EMPLOYEES])).toBeNull();
    expect(columnHint('KeyError', "'Dept'", [])).toBeNull();
  });

  it('follows the error and the DataFrames in a failed step’s result', () => {
    const summary = summariseOutputs(
      [
        {
          output_type: 'error',
          ename: 'KeyError',
          evalue: "'Dept'",
          traceback: []
        }
      ],
      { tokenBudget: 1000, vision: false, dataFrames: [EMPLOYEES] }
    );
    expect(summary.text).toMatch(
      /^KeyError: 'Dept'\n[^]*DataFrames now: [^]*\nHint: employees has no column 'Dept'/
    );
  });
});
