/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { summariseOutputs } from '../agent/outputs';
import {
  changedEntries,
  IFileStamp,
  IFolderListing,
  stepFiles
} from '../kernel/listing';
import { toFolderListing } from '../kernel/replies';

function listing(
  stamps: Record<string, IFileStamp>,
  extra: Partial<IFolderListing> = {}
): IFolderListing {
  return {
    cwd: '/w',
    names: Object.keys(stamps),
    complete: true,
    stamps,
    ...extra
  };
}

describe('changedEntries', () => {
  it('names files whose size or time moved, not the untouched ones', () => {
    const before = listing({
      'sales.csv': [100, 1_000],
      'same.csv': [5, 2_000],
      'touched.txt': [7, 3_000]
    });
    const after = listing({
      'sales.csv': [140, 9_000],
      'same.csv': [5, 2_000],
      'touched.txt': [7, 3_001],
      'chart.png': [900, 9_500]
    });
    expect(changedEntries(before, after)).toEqual(['sales.csv', 'touched.txt']);
  });

  it('a notebook JupyterLab saved meanwhile is not the step’s change', () => {
    const before = listing({ 'analysis.ipynb': [10, 1], 'a.csv': [1, 1] });
    const after = listing({ 'analysis.ipynb': [12, 2], 'a.csv': [2, 2] });
    expect(changedEntries(before, after)).toEqual(['a.csv']);
  });

  it('a new or removed file is not a changed one', () => {
    const before = listing({ 'gone.csv': [1, 1] });
    const after = listing({ 'new.png': [2, 2] });
    expect(changedEntries(before, after)).toEqual([]);
  });

  it('says nothing rather than guess', () => {
    const before = listing({ 'a.csv': [1, 1] });
    const after = listing({ 'a.csv': [2, 2] });
    expect(changedEntries(null, after)).toEqual([]);
    expect(changedEntries(before, null)).toEqual([]);
    expect(changedEntries(before, { ...after, cwd: '/elsewhere' })).toEqual([]);
    expect(changedEntries({ ...before, complete: false }, after)).toEqual([]);
    expect(changedEntries({ ...before, stamps: undefined }, after)).toEqual([]);
  });
});

describe('stepFiles', () => {
  it('lists new entries first, then changed files, with sizes', () => {
    const before = listing({ 'sales.csv': [100, 1_000] });
    const after = listing(
      { 'sales.csv': [140, 9_000], 'qr.png': [812, 9_100] },
      { names: ['out/', 'qr.png', 'sales.csv'] }
    );
    expect(stepFiles(before, after)).toEqual([
      { name: 'out/', change: 'new' },
      { name: 'qr.png', change: 'new', size: 812, mtimeUs: 9_100 },
      { name: 'sales.csv', change: 'changed', size: 140, mtimeUs: 9_000 }
    ]);
  });
});

describe('the kernel reply and the model', () => {
  it('reads stamps from the helpers and leaves out malformed ones', () => {
    const read = toFolderListing({
      cwd: '/w',
      names: ['a.csv', 'b.csv', 'c/'],
      complete: true,
      stamps: { 'a.csv': [3, 1_700_000_000_000_000], 'b.csv': ['x', 1] }
    });
    expect(read.stamps).toEqual({ 'a.csv': [3, 1_700_000_000_000_000] });
    expect(
      toFolderListing({ cwd: '/w', names: [], complete: true }).stamps
    ).toBeUndefined();
  });

  it('tells the model which files changed', () => {
    const summary = summariseOutputs([], {
      tokenBudget: 500,
      vision: false,
      newFiles: ['chart.png'],
      changedFiles: ['sales.csv']
    });
    expect(summary.text).toContain('New files: chart.png');
    expect(summary.text).toContain('Changed files: sales.csv');
  });
});
