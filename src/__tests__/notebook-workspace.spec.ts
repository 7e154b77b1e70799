/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { Contents } from '@jupyterlab/services';

import {
  folderOf,
  IFolderLister,
  newEntries,
  snapshotFolder
} from '../notebook/workspace';

function entry(
  name: string,
  type: 'file' | 'directory' = 'file'
): Contents.IModel {
  return {
    name,
    path: `work/${name}`,
    type,
    writable: true,
    created: '',
    last_modified: '2026-01-01T00:00:00Z',
    mimetype: '',
    content: null,
    format: null
  };
}

function lister(
  listing: Contents.IModel[][]
): IFolderLister & { paths: string[] } {
  const paths: string[] = [];
  return {
    paths,
    async get(path: string) {
      paths.push(path);
      const content = listing.shift();
      if (!content) {
        throw new Error('not found');
      }
      return { ...entry('work', 'directory'), content };
    }
  };
}

describe('workspace diff', () => {
  it('reports entries created between two snapshots', async () => {
    const contents = lister([
      [entry('data.csv'), entry('analysis.ipynb')],
      [
        entry('data.csv'),
        entry('qr.png'),
        entry('analysis.ipynb'),
        entry('out', 'directory')
      ]
    ]);
    const before = await snapshotFolder(contents, 'work');
    const after = await snapshotFolder(contents, 'work');
    expect(newEntries(before, after)).toEqual(['out/', 'qr.png']);
    expect(contents.paths).toEqual(['work', 'work']);
  });

  it('gives an empty snapshot when the folder cannot be listed', async () => {
    const snapshot = await snapshotFolder(lister([]), 'gone');
    expect(snapshot.size).toBe(0);
  });

  it('finds a notebook folder', () => {
    expect(folderOf('a/b/c.ipynb')).toBe('a/b');
    expect(folderOf('c.ipynb')).toBe('');
  });
});
