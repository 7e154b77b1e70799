/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { IStepResult, StepOutcome } from '../agent/tokens';
import {
  changedEntries,
  IFolderListing,
  newEntries,
  stepFiles
} from '../kernel/listing';

/**
 * How long a step ended by timeout or Stop waits for its "after" listing.
 */
const BRIEF_WAIT_MS = 1000;

/**
 * What the new-files note needs of the kernel tools.
 */
export interface IFolderLister {
  listing(options?: { queued?: boolean }): Promise<IFolderListing>;
}

/**
 * A listing of the kernel's working folder; `null` if it fails: the
 * new-files note is a courtesy to the model and never fails a step.
 */
export function listFolder(
  tools: IFolderLister
): Promise<IFolderListing | null> {
  return tools.listing().catch(() => null);
}

/**
 * The "after" listing, to send right behind a step's cell, so the kernel
 * answers it the moment the cell is done: no round trip after the run.
 */
export function queueListing(
  tools: IFolderLister
): Promise<IFolderListing | null> {
  return tools.listing({ queued: true }).catch(() => null);
}

/**
 * `result` with the names the step added to the kernel's folder and the
 * files it rewrote, and the kernel's DataFrames after it (from the same
 * listing).
 *
 * #### Notes
 * The "after" listing is the one queued behind the cell, or, when the
 * kernel aborted it (the cell failed), a new one. After a timeout or Stop
 * the queued one is waited for only briefly (the interrupt may not take);
 * after the kernel died there is nothing to list.
 */
export async function withNewFiles(
  result: IStepResult,
  before: IFolderListing | null,
  outcome: StepOutcome,
  queued: Promise<IFolderListing | null> | null,
  tools: IFolderLister
): Promise<IStepResult> {
  const after = await afterListing(outcome, queued, tools);
  const newFiles = newEntries(before, after);
  const changedFiles = changedEntries(before, after);
  const files = stepFiles(before, after);
  const dataFrames = after?.frames;
  return {
    ...result,
    ...(newFiles.length ? { newFiles } : {}),
    ...(changedFiles.length ? { changedFiles } : {}),
    ...(files.length ? { files } : {}),
    ...(dataFrames?.length ? { dataFrames } : {})
  };
}

async function afterListing(
  outcome: StepOutcome,
  queued: Promise<IFolderListing | null> | null,
  tools: IFolderLister
): Promise<IFolderListing | null> {
  if (!queued || outcome === 'kernel_died') {
    return null;
  }
  if (outcome === 'ok' || outcome === 'error') {
    return (await queued) ?? (await listFolder(tools));
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const brief = new Promise<null>(resolve => {
    timer = setTimeout(() => resolve(null), BRIEF_WAIT_MS);
  });
  try {
    return await Promise.race([queued, brief]);
  } finally {
    clearTimeout(timer);
  }
}
