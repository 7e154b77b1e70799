/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { IFolderListing, newEntries } from '../kernel/listing';

function listing(names: string[], extra: Partial<IFolderListing> = {}) {
  return { cwd: '/w', names, complete: true, ...extra };
}

describe('newEntries', () => {
  it('names what the step added, sorted', () => {
    expect(
      newEntries(
        listing(['data.csv', 'old.png']),
        listing(['data.csv', 'qr.png', 'old.png', 'out/', 'Chart.png'])
      )
    ).toEqual(['Chart.png', 'out/', 'qr.png']);
    expect(newEntries(listing(['a']), listing([]))).toEqual([]);
  });

  it('says nothing rather than guess', () => {
    const before = listing(['a']);
    const after = listing(['a', 'b']);
    expect(newEntries(null, after)).toEqual([]);
    expect(newEntries(before, null)).toEqual([]);
    expect(newEntries(before, { ...after, cwd: '/elsewhere' })).toEqual([]);
    expect(newEntries({ ...before, complete: false }, after)).toEqual([]);
    expect(newEntries(before, { ...after, complete: false })).toEqual([]);
  });
});
