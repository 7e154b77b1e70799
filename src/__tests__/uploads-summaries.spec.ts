/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import {
  attachmentsContext,
  IFileSummary,
  toFileSummaries
} from '../uploads/summaries';

const sales: IFileSummary = {
  name: 'sales.csv',
  path: 'sales.csv',
  kind: 'table',
  size: 2048,
  encoding: 'utf-8-sig',
  separator: ',',
  columns: [
    { name: 'city', type: 'object' },
    { name: 'amount', type: 'float64' }
  ],
  columnCount: 2,
  rows: 120,
  head: [
    ['Paris', '3.5'],
    ['Lyon', '4.0']
  ]
};

const gbk: IFileSummary = {
  name: '销售.csv',
  path: 'uploads/销售.csv',
  kind: 'table',
  encoding: 'gb18030',
  separator: ';',
  columns: [{ name: '城市', type: 'str' }],
  rows: 2,
  badRows: 1,
  head: [['北京']]
};

describe('attachmentsContext', () => {
  it('is empty without attachments', () => {
    expect(attachmentsContext([], 1000)).toBe('');
  });

  it('gives a table its columns, types, rows and first rows', () => {
    const text = attachmentsContext([sales], 1000);
    expect(text).toContain(
      "- 'sales.csv' (2.0 KB): table, 120 rows × 2 columns"
    );
    expect(text).toContain('columns: city (object), amount (float64)');
    expect(text).toContain('    Paris | 3.5');
    expect(text).not.toContain('read with');
  });

  it('says how to read a file that is not plain UTF-8 with commas', () => {
    const text = attachmentsContext([gbk], 1000);
    expect(text).toContain(
      "read with pd.read_csv('uploads/销售.csv', sep=';', encoding='gb18030', on_bad_lines='skip')"
    );
    expect(text).toContain('1 malformed row(s) skipped');
  });

  it('describes images, PDFs, text and unreadable files', () => {
    const text = attachmentsContext(
      [
        {
          name: 'a.png',
          path: 'a.png',
          kind: 'image',
          format: 'PNG',
          width: 7,
          height: 5,
          mode: 'RGB'
        },
        {
          name: 'r.pdf',
          path: 'r.pdf',
          kind: 'pdf',
          pages: 3,
          firstLines: ['Annual report']
        },
        {
          name: 'n.md',
          path: 'n.md',
          kind: 'text',
          lines: 4,
          firstLines: ['# Title']
        },
        {
          name: 'fake.csv',
          path: 'fake.csv',
          kind: 'unreadable',
          error: 'its content is binary, not delimited text'
        }
      ],
      1000
    );
    expect(text).toContain("'a.png': image, PNG, 7×5 pixels, mode RGB");
    expect(text).toContain(
      "'r.pdf': PDF, 3 page(s)\n  first lines:\n    Annual report"
    );
    expect(text).toContain("'n.md': text, 4 line(s)");
    expect(text).toContain(
      "'fake.csv': could not be read (its content is binary, not delimited text)"
    );
  });

  it('stays within its budget by dropping detail, then files', () => {
    const many: IFileSummary[] = Array.from({ length: 30 }, (_, i) => ({
      ...sales,
      name: `f${i}.csv`,
      path: `f${i}.csv`,
      columns: Array.from({ length: 40 }, (_, c) => ({
        name: `column_${c}`,
        type: 'float64'
      })),
      head: [Array.from({ length: 40 }, () => 'x'.repeat(30))]
    }));
    for (const budget of [50, 200, 600, 3000]) {
      const text = attachmentsContext(many, budget);
      expect(text.length).toBeLessThanOrEqual(Math.max(budget * 4, 400));
      expect(text).toContain("'f0.csv'");
    }
    const tight = attachmentsContext(many, 200);
    expect(tight).toContain('more file(s)');
    const roomy = attachmentsContext(many.slice(0, 2), 3000);
    expect(roomy).toContain('first rows');
  });

  it('drops the first rows before the column names', () => {
    const full = attachmentsContext([sales], 1000);
    const tighter = attachmentsContext(
      [sales],
      Math.ceil((full.length - 10) / 4)
    );
    expect(tighter).not.toContain('first rows');
    expect(tighter).toContain('columns: city');
  });
});

describe('toFileSummaries', () => {
  it('keeps well-formed entries and reads odd kinds as unreadable', () => {
    expect(
      toFileSummaries([
        { name: 'a', path: 'a', kind: 'table' },
        { name: 'b', path: 'b', kind: 'weird' },
        { name: 'no path' },
        null,
        'x'
      ]).map(s => [s.name, s.kind])
    ).toEqual([
      ['a', 'table'],
      ['b', 'unreadable']
    ]);
    expect(toFileSummaries({})).toEqual([]);
  });
});
