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
 * The banner follows the cell: it is attached again when the notebook
 * re-creates the cell's widget.
 */
export async function awaitStepApproval(
  options: IStepApprovalOptions
): Promise<ApprovalOutcome> {
  const { panel, approvals, stepId, cellId, signal } = options;
  const model = panel.content.model!;
  const banner = new ProposalBanner({
    approvals,
    stepId,
    reason: options.reason,
    trans: options.trans
  });
  const attach = (): void => {
    const cell = codeCellById(panel, cellId);
    if (cell && !banner.isAttached && !banner.parent) {
      banner.attachTo(cell);
    }
  };
  attach();
  const onCellsChanged = (): void => {
    if (!codeCellById(panel, cellId)) {
      approvals.cancel(stepId);
    } else {
      attach();
    }
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
