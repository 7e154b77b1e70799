/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { checkAnswer, IGroundingInput } from '../grounding/match';
import * as numbers from '../grounding/numbers';

const DESCRIBE = `       height     weight
count  100.000000  100.000000
mean   171.441200   68.203300
std      9.876543   12.500000
min    150.000000   45.100000
max    199.990000   99.000000`;

/**
 * One step's output, and a question.
 */
function input(output: string, given = ''): IGroundingInput {
  return { sources: [{ step: 1, cellId: 'c1', text: output }], given };
}

/**
 * The statuses of an answer's numbers, as `text:status`.
 */
function statuses(answer: string, source: IGroundingInput): string[] {
  return checkAnswer(answer, source).numbers.map(
    n => `${n.mention.text}:${n.status}`
  );
}

describe('checkAnswer', () => {
  // [answer, output, question, expected statuses]
  const cases: Array<[string, string, string, string[]]> = [
    // rounding
    ['The mean height is 171.44 cm.', DESCRIBE, '', ['171.44:matched']],
    ['The mean height is 171.4 cm.', DESCRIBE, '', ['171.4:matched']],
    ['The mean height is 171 cm.', DESCRIBE, '', ['171:matched']],
    ['The mean height is 171.441 cm.', DESCRIBE, '', ['171.441:matched']],
    ['The mean height is 171.45 cm.', DESCRIBE, '', ['171.45:unmatched']],
    ['The mean height is 172 cm.', DESCRIBE, '', ['172:unmatched']],
    ['The std is 9.88.', DESCRIBE, '', ['9.88:matched']],
    ['The std is 9.87.', DESCRIBE, '', ['9.87:unmatched']],
    ['The max is 200.', DESCRIBE, '', ['200:matched']],
    ['The max is 199.99.', DESCRIBE, '', ['199.99:matched']],
    ['There are 100 people.', DESCRIBE, '', ['100:matched']],
    ['There are 101 people.', DESCRIBE, '', ['101:unmatched']],
    ['mean weight 68.2 kg', DESCRIBE, '', ['68.2:matched']],
    ['mean weight 68.20 kg', DESCRIBE, '', ['68.20:matched']],
    ['mean weight 68.21 kg', DESCRIBE, '', ['68.21:unmatched']],
    ['mean 171.44', '171.4', '', ['171.44:unmatched']],
    ['mean 171.40', '171.4', '', ['171.40:matched']],
    ['it is 3', '3.4', '', ['3:matched']],
    ['it is 3', '3.6', '', ['3:unmatched']],
    ['it is 4', '3.5', '', ['4:matched']],
    ['it is 3', '4', '', ['3:unmatched']],
    ['it is 0.5', '0.45', '', ['0.5:matched']],
    ['it is 0.5', '0.44', '', ['0.5:unmatched']],
    // percentages
    ['17% are over 180', '0.1703', '', ['17%:matched', '180:unmatched']],
    ['17 % are over', '0.1703', '', ['17 %:matched']],
    ['17.03% are over', '0.1703', '', ['17.03%:matched']],
    ['17.0% are over', '0.1703', '', ['17.0%:matched']],
    ['17.1% are over', '0.1703', '', ['17.1%:unmatched']],
    ['18% are over', '0.1703', '', ['18%:unmatched']],
    ['17% are over', '17.03%', '', ['17%:matched']],
    ['17% are over', 'share: 17.03', '', ['17%:matched']],
    ['a share of 0.17', '17.03%', '', ['0.17:matched']],
    ['占 17％', '0.1703', '', ['17％:matched']],
    ['0.17% only', '0.1703', '', ['0.17%:unmatched']],
    // thousands, signs, scientific notation, scale
    ['1,234,567 rows', '1234567', '', ['1,234,567:matched']],
    ['1,234,568 rows', '1234567', '', ['1,234,568:unmatched']],
    ['1234567 rows', '1,234,567', '', ['1234567:matched']],
    ['1.2 million rows', '1234567', '', ['1.2 million:matched']],
    ['1.3 million rows', '1234567', '', ['1.3 million:unmatched']],
    ['revenue of $1.2M', 'revenue 1234567.89', '', ['1.2M:matched']],
    ['约 123 万行', '1234567', '', ['123 万:matched']],
    ['a change of −3.5', '-3.5', '', ['−3.5:matched']],
    ['a change of -3.5', '-3.49', '', ['-3.5:matched']],
    ['it fell by 3.5', '-3.5', '', ['3.5:matched']],
    ['a change of -3.5', '3.5', '', ['-3.5:unmatched']],
    ['p = 1.2e-5', '1.234e-05', '', ['1.2e-5:matched']],
    ['p = 1.2×10⁻⁵', '0.0000123', '', ['1.2×10⁻⁵:matched']],
    ['p = 0.000012', '1.2e-05', '', ['0.000012:matched']],
    ['p = 0.0000123', '1.2e-05', '', ['0.0000123:unmatched']],
    ['total 1,234,568', '1.234568e+06', '', ['1,234,568:matched']],
    // approximate
    ['about 170 cm', '171.44', '', ['170:matched']],
    ['170 cm', '171.44', '', ['170:unmatched']],
    ['about 3,000 rows', '2987', '', ['3,000:matched']],
    ['about 3,000 rows', '3600', '', ['3,000:unmatched']],
    // units
    ['12 kg on average', 'mean_kg    12.04', '', ['12:matched']],
    ['12kg on average', '11.96', '', ['12:matched']],
    ['took 5 ms', 'elapsed 5.2', '', ['5:matched']],
    ['$1,234.50 in total', 'total 1234.5', '', ['1,234.50:matched']],
    // tables
    [
      'Paris has 2,148 rows.',
      '    city  rows\n0  Paris  2148\n1   Oslo   697',
      '',
      ['2,148:matched']
    ],
    [
      'Oslo has 697 rows.',
      '    city  rows\n0  Paris  2148\n1   Oslo   697',
      '',
      ['697:matched']
    ],
    // given: the question, its context, the code
    [
      'Rows with age over 30: 12.',
      'n = 12',
      'How many rows have age > 30?',
      ['30:given', '12:matched']
    ],
    ['The top 5 cities are listed.', '', 'show the top 5 cities', ['5:given']],
    ['sales_2024.csv has 12 columns', '', 'sales_2024.csv', ['12:unmatched']],
    ['the file holds 2,024 rows', '', 'sales_2024.csv', ['2,024:given']],
    ['30 is the threshold', '', 'df[df.age > 30]', ['30:given']],
    ['30.5 is the threshold', '', 'age > 30', ['30.5:unmatched']],
    // numbers that are not counted
    ['col2 has a mean of 3.5 on 2024-05-01', '3.5', '', ['3.5:matched']],
    ['In 2024, `df.head(10)` showed 7 rows', 'rows: 7', '', ['7:matched']],
    ['Step 2 printed 42', '42', '', ['42:matched']],
    ['Python 3.11 computed 8', '8', '', ['8:matched']],
    // Chinese
    [
      '共 1,234 行，平均值为 171.44',
      'rows 1234\nmean 171.4412',
      '',
      ['1,234:matched', '171.44:matched']
    ],
    ['平均值为 171.5', 'mean 171.4412', '', ['171.5:unmatched']],
    ['最大值为１９９．９９', DESCRIBE, '', ['１９９．９９:matched']],
    ['标准差约为 10', DESCRIBE, '', ['10:matched']],
    // errors and nothing ran
    [
      'The column has 3 missing values.',
      "KeyError: 'height'",
      '',
      ['3:unmatched']
    ],
    ['The answer is 42.', '', '', ['42:unmatched']],
    // spurious matches the matcher must not make
    ['mean 71.44', DESCRIBE, '', ['71.44:unmatched']],
    ['mean 1714.41', DESCRIBE, '', ['1714.41:unmatched']],
    ['17% of rows', '0.17\n17.5', '', ['17%:matched']],
    ['25% of rows', '0.2', '', ['25%:unmatched']],
    ['2 groups', 'col2 col3', '', ['2:unmatched']]
  ];

  it.each(cases)('%j against %j', (answer, output, given, expected) => {
    expect(statuses(answer, input(output, given))).toEqual(expected);
  });

  it('says which step and line a number came from, the latest step first', () => {
    const report = checkAnswer('The mean is 171.44 and 12 rows.', {
      sources: [
        { step: 1, cellId: 'a', text: 'rows: 12\nmean: 171.4412' },
        { step: 2, cellId: 'b', text: 'n\n   mean = 171.4412  ' }
      ],
      given: ''
    });
    expect(report.numbers.map(n => n.origin)).toEqual([
      {
        source: 1,
        step: 2,
        cellId: 'b',
        line: 'mean = 171.4412',
        lineNumber: 1,
        text: '171.4412'
      },
      {
        source: 0,
        step: 1,
        cellId: 'a',
        line: 'rows: 12',
        lineNumber: 0,
        text: '12'
      }
    ]);
  });

  it('prefers the closest value over a later step', () => {
    const report = checkAnswer('It is 3.', {
      sources: [
        { step: 1, text: 'x = 3' },
        { step: 2, text: 'y = 3.4' }
      ],
      given: ''
    });
    expect(report.numbers[0].origin?.step).toBe(1);
  });

  it('counts checked, found, given and unmatched numbers', () => {
    const report = checkAnswer(
      'Of 100 people over 30, 17% are tall and 42 are short.',
      input('n 100\nshare 0.1703', 'people over 30')
    );
    expect(report).toMatchObject({
      checked: 4,
      found: 2,
      given: 1,
      unmatched: 1
    });
  });

  it('checks a cell command’s quoted outputs like a step’s', () => {
    const report = checkAnswer('It prints 4.5.', {
      sources: [{ step: null, cellId: 'cell-1', text: '4.5\n' }],
      given: ''
    });
    expect(report.numbers[0]).toMatchObject({
      status: 'matched',
      origin: { step: null, cellId: 'cell-1', line: '4.5' }
    });
  });

  it('reads each output once: the second check of the same outputs comes from its cache', () => {
    const line = '12  2024-05-01  Paris  171.441200  68.203300  0.170300\n';
    const text = line.repeat(300);
    const sources = Array.from({ length: 50 }, (_, step) => ({
      step,
      text: `${text}${'#'.repeat(step)}`
    }));
    const answer = 'The mean is 171.44 and 17% of 42 rows.';
    // Counted, not timed: each output's lines are read by extractNumbers.
    const reads = jest.spyOn(numbers, 'extractNumbers');
    try {
      expect(checkAnswer(answer, { sources, given: '' }).found).toBe(2);
      const first = reads.mock.calls.length;
      expect(first).toBeGreaterThanOrEqual(50 * 300);
      reads.mockClear();
      const report = checkAnswer(answer, { sources, given: '' });
      // Only the answer and the (empty) given text are read again.
      expect(reads.mock.calls.length).toBeLessThan(5);
      // The latest source, its first line.
      expect(report.numbers[0].origin).toMatchObject({
        step: 49,
        lineNumber: 0
      });
    } finally {
      reads.mockRestore();
    }
  });
});
