/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { NotebookPanel } from '@jupyterlab/notebook';
import type { TranslationBundle } from '@jupyterlab/translation';

import { ApprovalOutcome, ApprovalRegistry } from './approvals';
import { ProposalBanner } from './proposal';
import { codeCellById } from './stepcell';

/**
 * Wait for Run / Skip of a proposed step, from the chat's step card or the
 * banner on its cell; deleting the cell skips, Stop (`signal`) cancels.
 *
 * #### Notes
 * The banner follows the cell: moving a cell removes it and inserts it again
 * (a new widget), so a removal is judged only once the change has settled,
 * and a banner disposed with the old widget is made anew for the new one.
 */
export async function awaitStepApproval(
  options: IStepApprovalOptions
): Promise<ApprovalOutcome> {
  const { panel, approvals, stepId, cellId, signal } = options;
  const model = panel.content.model!;
  const newBanner = (): ProposalBanner =>
    new ProposalBanner({
      approvals,
      stepId,
      reason: options.reason,
      trans: options.trans
    });
  let banner = newBanner();
  let settled = false;
  const attach = (): void => {
    const cell = codeCellById(panel, cellId);
    if (!cell) {
      return;
    }
    if (banner.isDisposed) {
      banner = newBanner();
    }
    if (!banner.isAttached && !banner.parent) {
      banner.attachTo(cell);
    }
  };
  attach();
  const onCellsChanged = (): void => {
    // After the move's insert (same task) and the notebook's new widget.
    void Promise.resolve().then(() => {
      if (settled) {
        return;
      }
      if (!codeCellById(panel, cellId)) {
        approvals.cancel(stepId);
      } else {
        attach();
      }
    });
  };
  const onAbort = (): void => void approvals.cancel(stepId);
  model.cells.changed.connect(onCellsChanged);
  signal.addEventListener('abort', onAbort);
  try {
    if (signal.aborted) {
      return 'cancelled';
    }
    return await approvals.request(stepId);
  } finally {
    settled = true;
    model.cells.changed.disconnect(onCellsChanged);
    signal.removeEventListener('abort', onAbort);
    banner.dispose();
  }
}

/**
 * The options of `awaitStepApproval`.
 */
export interface IStepApprovalOptions {
  panel: NotebookPanel;
  approvals: ApprovalRegistry;
  /** The step's id in the registry (`stepIdOf`). */
  stepId: string;
  /** The model id of the step's cell. */
  cellId: string;
  /** Why the step needs approval, shown on the banner. */
  reason?: string;
  /** Stop. */
  signal: AbortSignal;
  trans: TranslationBundle;
}
