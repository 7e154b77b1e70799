/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { extractNumbers, INumberMention } from '../grounding/numbers';

/**
 * A mention as `text=value`, with `%` for a percentage, `~` when
 * approximate and `/d` for the precision shown when asked.
 */
function show(m: INumberMention, precision = false): string {
  return (
    `${m.text}=${m.value}${m.percent ? '%' : ''}${m.approximate ? '~' : ''}` +
    (precision ? `/${m.decimals}` : '')
  );
}

describe('extractNumbers', () => {
  // [text, the numbers it states]
  const cases: Array<[string, string[]]> = [
    // integers, decimals, separators
    ['The mean is 171.44 cm.', ['171.44=171.44']],
    ['There are 1,234,567 rows.', ['1,234,567=1234567']],
    ['1,234 and 12,345.5', ['1,234=1234', '12,345.5=12345.5']],
    ['a list 1,2,3', ['1=1', '2=2', '3=3']],
    ['1,2345 is not grouped', ['1=1', '2345=2345']],
    ['a thin space: 1\u202F234 567', ['1\u202F234=1234', '567=567']],
    ['a plain space separates: 1 234', ['1=1', '234=234']],
    ['half is .5 of it', ['.5=0.5']],
    ['0 missing values', ['0=0']],
    ['**42** rows', ['42=42']],
    ['_3_ groups', ['3=3']],
    // percentages
    ['17% are over 180', ['17%=17%', '180=180']],
    ['17 % of rows', ['17 %=17%']],
    ['占 17％', ['17％=17%']],
    ['rose 12.5 percent', ['12.5 percent=12.5%']],
    ['(-3.2%)', ['-3.2%=-3.2%']],
    // signs
    ['a change of -3.5', ['-3.5=-3.5']],
    ['a change of −3.5 (U+2212)', ['−3.5=-3.5']],
    ['+4 points', ['+4=4']],
    ['rows 3-5', ['3=3', '5=5']],
    ['between 10–20', ['10=10', '20=20']],
    ['min (−0.25)', ['−0.25=-0.25']],
    // scientific notation and scale
    ['p = 1.2e-5', ['1.2e-5=0.000012']],
    ['p = 3E+04', ['3E+04=30000']],
    ['p = 1.2×10⁻⁵', ['1.2×10⁻⁵=0.000012']],
    ['p = 1.2 x 10^-5', ['1.2 x 10^-5=0.000012']],
    ['revenue 1.2 million', ['1.2 million=1200000']],
    ['2 billion people', ['2 billion=2000000000']],
    ['1.2万行', ['1.2万=12000']],
    ['3亿', ['3亿=300000000']],
    [
      'from $1.2M to $3B, 5k users',
      ['1.2M=1200000', '3B=3000000000', '5k=5000']
    ],
    ['5 MB and 5Mb and 5 k', ['5=5', '5=5', '5=5']],
    // currency and units
    ['$1,234.50 in total', ['1,234.50=1234.5']],
    ['€12 and ¥300', ['12=12', '300=300']],
    ['12kg and 12 kg', ['12=12', '12=12']],
    ['5ms per call, 3.2GB', ['5=5', '3.2=3.2']],
    ['3x faster', ['3=3']],
    ['m² of 40', ['40=40']],
    // approximate
    ['about 3,000 rows', ['3,000=3000~']],
    ['~170 cm', ['170=170~']],
    ['≈ 0.17', ['0.17=0.17~']],
    ['约 120 行', ['120=120~']],
    ['roughly 5%', ['5%=5%~']],
    // Chinese and full width
    ['共 1,234 行', ['1,234=1234']],
    ['平均值为 171.44', ['171.44=171.44']],
    ['共1234行', ['1234=1234']],
    ['最大值为１２３．５', ['１２３．５=123.5']],
    ['增长了 －５％', ['－５％=-5%']],
    ['中位数是 42，标准差 3.7。', ['42=42', '3.7=3.7']],
    // numbers inside words and identifiers
    ['col2 and x1 and H2O', []],
    ['GPT-4 and COVID-19 and utf-8', []],
    ['0x1F and 0b101 and 1a2b', []],
    ['sales_2024.csv and data_3', []],
    ['the 1st, 2nd, 3rd and 4th', []],
    ['a 3D plot and a 2D array', []],
    ['see report.csv and 2024.csv', []],
    ['1920x1080 pixels', []],
    ['col_2 vs _7_', ['7=7']],
    // code
    ['Use `df.head(5)` to see 5 rows', ['5=5']],
    ['```python\nprint(42)\nx = 3.5\n```\nThe answer is 42.', ['42=42']],
    ['~~~\n1 2 3\n~~~\nafter 7', ['7=7']],
    ['`` a ` 9 `` then 8', ['8=8']],
    // maths, and money that looks like it
    ['so $x^2 + 3$ grows, by 4', ['4=4']],
    ['$$\\sum_{i=1}^{10} i$$ is 55', ['55=55']],
    ['\\(a_1 = 2\\) and 6', ['6=6']],
    ['it costs $5 and $10', ['5=5', '10=10']],
    // As pandoc reads it.
    ['between $5 and 10$ is maths', []],
    // dates, times and years
    ['In 2024 sales grew', []],
    ['on 2024-05-01 and 2024/05/01', []],
    ['on 05/01/2024 and 1.5.2024', []],
    ['in May 2024 and on May 1, 2024', []],
    ['on 1 May 2024 and 3rd of June', []],
    ['2024年5月1日 and 5月1日', []],
    ['at 12:30 and 12:30:05', []],
    ['a 3:1 ratio', []],
    ['2024-05-01T12:30:00 then 7', ['7=7']],
    ['1950 rows, but 1,950 rows', ['1,950=1950']],
    ['from 1990 to 2023', []],
    ['1799 and 2200 are not years', ['1799=1799', '2200=2200']],
    ['2024.5 is a decimal', ['2024.5=2024.5']],
    ['2024 万元', ['2024 万=20240000']],
    // list markers and references
    ['1. First\n2. Second with 30 rows', ['30=30']],
    ['1) first\n  2) second', []],
    ['## 3. Results: 12', ['12=12']],
    ['3.5 is the mean', ['3.5=3.5']],
    ['Step 2 printed 10', ['10=10']],
    ['In step 3 and cell 4 and Figure 1', []],
    ['第2步：共 15 行', ['15=15']],
    ['see #3', []],
    // versions, URLs, markup
    ['version 1.2.3 and 2.0', ['2.0=2']],
    ['Python 3.11 and pandas 2.2.1', []],
    ['v2 and v1.5', []],
    ['https://example.com/a1/2?x=3 and 4', ['4=4']],
    ['[12 rows](http://x/5)', ['12=12']],
    ['<span id="9">6</span>', ['6=6']],
    ['a footnote[^1] and 8', ['8=8']],
    ['mail a1@b2.com 3', ['3=3']]
  ];

  it.each(cases)('%j', (text, expected) => {
    expect(extractNumbers(text).map(m => show(m))).toEqual(expected);
  });

  it('gives the offsets of the original text', () => {
    const text = '共 1,234 行，占 17％';
    for (const m of extractNumbers(text)) {
      expect(text.slice(m.start, m.end)).toBe(m.text);
    }
  });

  it('gives the precision shown', () => {
    const shown = extractNumbers(
      '171.44, 1,234, 1.2 million, 1.2e-5, 17.0%, 1.2万'
    ).map(m => show(m, true));
    expect(shown).toEqual([
      '171.44=171.44/2',
      '1,234=1234/0',
      '1.2 million=1200000/-5',
      '1.2e-5=0.000012/6',
      '17.0%=17%/1',
      '1.2万=12000/-3'
    ]);
  });

  it('reads program output without the prose rules', () => {
    const output = '   year  count\n0  2024    1950\n1. 2023  12.5%';
    expect(extractNumbers(output, { prose: false }).map(m => show(m))).toEqual([
      '0=0',
      '2024=2024',
      '1950=1950',
      '1=1',
      '2023=2023',
      '12.5%=12.5%'
    ]);
  });

  it('reads every number of a long text', () => {
    // Its speed is not a test's business (benchmarks/); the result is.
    const text = 'value 171.44, col2 and 2024-05-01; '.repeat(5000);
    expect(extractNumbers(text)).toHaveLength(5000);
  });
});
