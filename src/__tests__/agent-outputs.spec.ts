/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type * as nbformat from '@jupyterlab/nbformat';

import {
  CHARS_PER_TOKEN,
  clip,
  pngSize,
  stripAnsi,
  summariseOutputs,
  userFrames
} from '../agent/outputs';

/** A 640×480 PNG header (signature + IHDR), base64, then some bytes. */
function png(width: number, height: number): string {
  const bytes = [
    0x89,
    0x50,
    0x4e,
    0x47,
    0x0d,
    0x0a,
    0x1a,
    0x0a,
    0,
    0,
    0,
    13,
    0x49,
    0x48,
    0x44,
    0x52,
    width >>> 24,
    (width >>> 16) & 255,
    (width >>> 8) & 255,
    width & 255,
    height >>> 24,
    (height >>> 16) & 255,
    (height >>> 8) & 255,
    height & 255,
    8,
    6,
    0,
    0,
    0
  ];
  return btoa(String.fromCharCode(...bytes)) + 'AAAA';
}

const stream = (
  text: string,
  name: 'stdout' | 'stderr' = 'stdout'
): nbformat.IStream => ({ output_type: 'stream', name, text });

const budget = { tokenBudget: 2000, vision: false };

describe('summariseOutputs', () => {
  it('merges streams in order', () => {
    const summary = summariseOutputs(
      [stream('a\n'), stream('warning\n', 'stderr'), stream('b\n')],
      budget
    );
    expect(summary.text).toBe('a\nwarning\nb');
  });

  it('says when there is no output', () => {
    expect(summariseOutputs([], budget).text).toBe('(no output)');
  });

  it('prefers text/plain and mentions HTML-only outputs', () => {
    const summary = summariseOutputs(
      [
        {
          output_type: 'execute_result',
          execution_count: 1,
          metadata: {},
          data: { 'text/plain': '   a  b\n0  1  2', 'text/html': '<table/>' }
        },
        {
          output_type: 'display_data',
          metadata: {},
          data: { 'text/html': '<b>hello</b>' }
        }
      ],
      budget
    );
    expect(summary.text).toBe(
      '   a  b\n0  1  2\n[HTML output, 12 characters, not shown]'
    );
  });

  it('gives errors as name: value and the last frames without ANSI', () => {
    const traceback = Array.from(
      { length: 10 },
      (_, i) => `\u001b[0;31mFrame ${i}\u001b[0m`
    );
    const summary = summariseOutputs(
      [
        {
          output_type: 'error',
          ename: 'KeyError',
          evalue: "'price'",
          traceback
        }
      ],
      budget
    );
    expect(summary.text).toBe(
      "KeyError: 'price'\nFrame 6\nFrame 7\nFrame 8\nFrame 9"
    );
  });

  it('describes images for models without vision', () => {
    const summary = summariseOutputs(
      [
        {
          output_type: 'display_data',
          metadata: {},
          data: { 'image/png': png(640, 480), 'text/plain': '<Figure>' }
        }
      ],
      budget
    );
    expect(summary.text).toBe('[image: PNG 640×480]');
    expect(summary.images).toEqual([]);
  });

  it('attaches at most N images for vision models and notes the rest', () => {
    const image: nbformat.IDisplayData = {
      output_type: 'display_data',
      metadata: {},
      data: { 'image/png': png(10, 20) }
    };
    const summary = summariseOutputs([image, image, image], {
      tokenBudget: 2000,
      vision: true,
      maxImages: 2
    });
    expect(summary.images).toHaveLength(2);
    expect(summary.images[0]).toMatch(/^data:image\/png;base64,iVBOR/);
    expect(summary.text).toBe(
      '[image 1: PNG 10×20, attached]\n[image 2: PNG 10×20, attached]\n[1 more image not attached]'
    );
  });

  it('lists new files', () => {
    const summary = summariseOutputs([stream('saved\n')], {
      ...budget,
      newFiles: ['chart.png', 'out.csv']
    });
    expect(summary.text).toBe('saved\nNew files: chart.png, out.csv');
  });

  it('keeps a 10 MB print within the budget, head and tail', () => {
    const line = 'x'.repeat(99) + '\n';
    const huge = 'START\n' + line.repeat(100_000) + 'END\n';
    expect(huge.length).toBeGreaterThan(10_000_000);
    const summary = summariseOutputs(
      [stream(huge), stream('after\n', 'stderr')],
      budget
    );
    expect(summary.text.length).toBeLessThanOrEqual(
      2000 * CHARS_PER_TOKEN + 100
    );
    expect(summary.text.startsWith('START\n')).toBe(true);
    expect(summary.text.endsWith('END\nafter')).toBe(true);
    const cut = Number(
      /\[… ([\d,]+) characters cut …\]/.exec(summary.text)![1].replace(/,/g, '')
    );
    expect(cut).toBeGreaterThan(huge.length - 2000 * CHARS_PER_TOKEN - 100);
  });

  it('shares the budget so a short error survives a long print', () => {
    const summary = summariseOutputs(
      [
        stream('y'.repeat(1_000_000)),
        {
          output_type: 'error',
          ename: 'ValueError',
          evalue: 'bad',
          traceback: ['tb']
        }
      ],
      { tokenBudget: 200, vision: false }
    );
    expect(summary.text.length).toBeLessThanOrEqual(800 + 100);
    expect(summary.text).toContain('ValueError: bad\ntb');
  });
});

describe('clip', () => {
  it('keeps short text', () => {
    expect(clip('abc', 10)).toBe('abc');
  });

  it('keeps head and tail with a marker', () => {
    expect(clip('a'.repeat(10) + 'b'.repeat(10), 10)).toBe(
      'aaaaa\n[… 10 characters cut …]\nbbbbb'
    );
  });

  it('keeps the tail only', () => {
    expect(clip('abcdef', 2, 'tail')).toBe('[… 4 characters cut …]\nef');
  });
});

describe('stripAnsi', () => {
  it('removes colours', () => {
    expect(stripAnsi('\u001b[1;31mError\u001b[0m')).toBe('Error');
  });
});

describe('pngSize', () => {
  it('reads width and height from the header', () => {
    expect(pngSize(png(1920, 1080))).toEqual({ width: 1920, height: 1080 });
  });

  it('returns null for something else', () => {
    expect(pngSize(btoa('GIF89a...............................'))).toBeNull();
  });
});

describe('userFrames', () => {
  // A pandas KeyError as IPython 8 reports it (frames shortened).
  const E = '\u001b[31m';
  const F = '\u001b[36mFile \u001b[39m\u001b[32m';
  const R = '\u001b[39m';
  const traceback = [
    `${E}---------------------------------------------------------------------------${R}`,
    `${E}KeyError${R}                                  Traceback (most recent call last)`,
    `${F}/env/lib/python3.11/site-packages/pandas/core/indexes/base.py:3816${R}, in Index.get_loc(self, key)\n-> 3816 return self._engine.get_loc(casted_key)\n`,
    `${F}pandas/_libs/index.pyx:172${R}, in pandas._libs.index.IndexEngine.get_loc()\n`,
    `${E}KeyError${R}: 'Dept'`,
    '\nThe above exception was the direct cause of the following exception:\n',
    `${E}KeyError${R}                                  Traceback (most recent call last)`,
    `\u001b[36mCell\u001b[39m\u001b[36m \u001b[39m\u001b[32mIn[1]${R}, line 3\n      1 import pandas as pd\n----> 3 df['Dept']\n`,
    `${F}/env/lib/python3.11/site-packages/pandas/core/frame.py:4330${R}, in DataFrame.__getitem__(self, key)\n   4326 \n   4327  if is_single_key:\n`,
    `${E}KeyError${R}: 'Dept'`
  ];

  it("keeps the cell's frame and the error line, not the library's frames", () => {
    const kept = userFrames(traceback).map(stripAnsi);
    expect(kept).toEqual([
      "Cell In[1], line 3\n      1 import pandas as pd\n----> 3 df['Dept']\n",
      "KeyError: 'Dept'"
    ]);
  });

  it('keeps a module of the notebook folder and a plain Python traceback', () => {
    const plain = [
      'Traceback (most recent call last):',
      '  File "/home/user/work/helpers.py", line 3, in f\n    return 1 / 0',
      '  File "/usr/lib/python3.11/fractions.py", line 9, in g',
      'ZeroDivisionError: division by zero'
    ];
    expect(userFrames(plain)).toEqual([plain[1], plain[3]]);
  });

  it('sends the model only those frames', () => {
    const summary = summariseOutputs(
      [
        {
          output_type: 'error',
          ename: 'KeyError',
          evalue: "'Dept'",
          traceback
        }
      ],
      { tokenBudget: 2000, vision: false }
    );
    expect(summary.text).toContain("----> 3 df['Dept']");
    expect(summary.text).not.toContain('site-packages');
    expect(summary.text).not.toContain('index.pyx');
  });
});
