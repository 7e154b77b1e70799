/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { IDataFrameInfo } from '../agent/tokens';

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
}

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
  if (
    !before ||
    !after ||
    !before.complete ||
    !after.complete ||
    before.cwd !== after.cwd
  ) {
    return [];
  }
  const known = new Set(before.names);
  return after.names.filter(name => !known.has(name)).sort();
}
