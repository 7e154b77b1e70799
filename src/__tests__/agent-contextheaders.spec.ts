/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { IKernelState } from '../agent/tokens';
import { contextMessage, headerLines } from '../agent/toolresults';
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
      "sales.csv header line: 'order_id;product;it\\'s'",
      "readings.tsv header line: 't\\ttemp'"
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
