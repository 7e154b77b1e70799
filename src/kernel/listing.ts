/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { IDataFrameInfo, IStepFile } from '../agent/tokens';

/**
 * The kernel's working folder as the helpers list it (`listing` in
 * `kernel_helpers/helpers.py`): visible entry names, folders with a `/`.
 */
export interface IFolderListing {
  /** The folder, as the kernel's absolute path. */
  cwd: string;
  /** Entry names, sorted case-insensitively. */
  names: string[];
  /** False when the folder held more names than the helper lists. */
  complete: boolean;
  /** The user's DataFrames when the listing was taken; absent if none. */
  frames?: IDataFrameInfo[];
  /**
   * Each regular file's size and modification time (microseconds), by
   * name; absent from helpers older than the field.
   */
  stamps?: Record<string, IFileStamp>;
}

/**
 * A file's size in bytes and modification time in microseconds.
 */
export type IFileStamp = readonly [size: number, mtimeUs: number];

/**
 * The names a step added to the kernel's working folder, sorted.
 *
 * #### Notes
 * Nothing when the step changed folder (`os.chdir`) or either listing was
 * cut short: a guess would tell the model about files it did not make.
 */
export function newEntries(
  before: IFolderListing | null,
  after: IFolderListing | null
): string[] {
  if (!comparable(before, after) || !after) {
    return [];
  }
  const known = new Set(before.names);
  return after.names.filter(name => !known.has(name)).sort();
}

/**
 * The files a step rewrote: names in both listings whose size or
 * modification time moved, sorted.
 *
 * #### Notes
 * Nothing under the conditions `newEntries` names, nor when either listing
 * has no stamps; a folder's own entry never counts (its time moves with
 * every file written in it), nor does a notebook: JupyterLab saves open
 * notebooks on its own while a step runs (the step's own notebook first).
 */
export function changedEntries(
  before: IFolderListing | null,
  after: IFolderListing | null
): string[] {
  if (!comparable(before, after) || !after || !before.stamps || !after.stamps) {
    return [];
  }
  const previous = before.stamps;
  return Object.entries(after.stamps)
    .filter(([name, stamp]) => {
      const old = previous[name];
      return (
        old !== undefined &&
        !name.endsWith('.ipynb') &&
        (old[0] !== stamp[0] || old[1] !== stamp[1])
      );
    })
    .map(([name]) => name)
    .sort();
}

/**
 * The entries a step made or rewrote, as the chat lists them: new ones
 * first, each with its size and modification time when it is a file.
 */
export function stepFiles(
  before: IFolderListing | null,
  after: IFolderListing | null
): IStepFile[] {
  const stamps = after?.stamps ?? {};
  const entry = (name: string, change: IStepFile['change']): IStepFile => {
    const stamp = stamps[name];
    return stamp
      ? { name, change, size: stamp[0], mtimeUs: stamp[1] }
      : { name, change };
  };
  return [
    ...newEntries(before, after).map(name => entry(name, 'new')),
    ...changedEntries(before, after).map(name => entry(name, 'changed'))
  ];
}

function comparable(
  before: IFolderListing | null,
  after: IFolderListing | null
): before is IFolderListing {
  return (
    !!before &&
    !!after &&
    before.complete &&
    after.complete &&
    before.cwd === after.cwd
  );
}
