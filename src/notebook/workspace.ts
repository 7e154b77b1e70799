/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { Contents } from '@jupyterlab/services';
import type { ISignal } from '@lumino/signaling';

/**
 * A snapshot of one folder: entry name → last modified time.
 */
export type FolderSnapshot = ReadonlyMap<string, string>;

/**
 * What the snapshot needs of the Contents API.
 */
export interface IFolderLister {
  get(path: string, options?: Contents.IFetchOptions): Promise<Contents.IModel>;
  /** Files changed through JupyterLab; lets a host drop a stale listing. */
  readonly fileChanged?: ISignal<unknown, Contents.IChangedArgs>;
}

/**
 * List a folder through the Contents API; directories get a trailing `/`.
 *
 * #### Notes
 * A folder that cannot be listed (deleted, no permission) gives an empty
 * snapshot: the diff is a courtesy to the model and must never fail a step.
 */
export async function snapshotFolder(
  contents: IFolderLister,
  path: string
): Promise<FolderSnapshot> {
  const snapshot = new Map<string, string>();
  let model: Contents.IModel;
  try {
    model = await contents.get(path, { content: true, type: 'directory' });
  } catch {
    return snapshot;
  }
  if (!Array.isArray(model.content)) {
    return snapshot;
  }
  for (const item of model.content as Contents.IModel[]) {
    const name = item.type === 'directory' ? `${item.name}/` : item.name;
    snapshot.set(name, item.last_modified ?? '');
  }
  return snapshot;
}

/**
 * The entries in `after` that were not in `before`, sorted by name.
 */
export function newEntries(
  before: FolderSnapshot,
  after: FolderSnapshot
): string[] {
  return Array.from(after.keys())
    .filter(name => !before.has(name))
    .sort();
}

/**
 * The folder of a notebook path (`''` for the server root).
 */
export function folderOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}
