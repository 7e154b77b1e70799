/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { Cell, CodeCell } from '@jupyterlab/cells';
import type { NotebookPanel } from '@jupyterlab/notebook';
import type { TranslationBundle } from '@jupyterlab/translation';

import type {
  IStepRequest,
  IStepResult,
  StepOutcome,
  StepStatus
} from '../agent/tokens';
import {
  getProvenance,
  ICellProvenance,
  statusOfOutcome,
  updateProvenance
} from './metadata';
import { markCell } from './proposal';

/**
 * Records how a step ended on its cell, and gives the step's result.
 */
export type FinishStep = (
  outcome: StepOutcome,
  cell: CodeCell | null,
  extra?: Partial<IStepResult>
) => IStepResult;

/**
 * Insert a step's cell with its provenance after the conversation's last
 * cell, and a `finish` for it.
 *
 * @throws if the notebook is closed.
 */
export function insertStepCell(
  panel: NotebookPanel,
  request: IStepRequest,
  onStatus: (status: StepStatus) => void,
  trans: TranslationBundle
): { cellId: string; finish: FinishStep } {
  const notebook = panel.content;
  const model = notebook.model;
  if (!model || panel.isDisposed) {
    throw new Error(trans.__('The notebook of this conversation is closed.'));
  }
  const provenance: ICellProvenance = {
    conversation: request.conversationId,
    turn: request.turnId,
    step: request.step,
    status: request.needsApproval ? 'proposed' : 'running'
  };
  const shared = model.sharedModel.insertCell(
    insertionIndex(panel, request.conversationId),
    {
      cell_type: 'code',
      source: request.code,
      metadata: { code_interpreter: { ...provenance } }
    }
  );
  const cellId = shared.getId();
  const cell = codeCellById(panel, cellId);
  if (cell) {
    markCell(cell, provenance.status);
    void notebook.scrollToCell(cell, 'auto');
  }
  const finish: FinishStep = (outcome, cell, extra = {}) => {
    const status = statusOfOutcome(outcome);
    if (cell && !cell.isDisposed) {
      updateProvenance(cell.model, {
        status,
        outcome,
        ...(extra.edited !== undefined ? { edited: extra.edited } : {})
      });
      markCell(cell, status);
    }
    onStatus(status);
    return {
      outcome,
      code: cell ? cell.model.sharedModel.getSource() : request.code,
      edited: false,
      outputs: cell ? cell.model.outputs.toJSON() : [],
      executionCount: cell ? cell.model.executionCount : null,
      cellId,
      ...extra
    };
  };
  return { cellId, finish };
}

/**
 * Remove a refused step's cell, outside the undo history: undo must not
 * bring back code that was never allowed to run.
 */
export function removeStepCell(panel: NotebookPanel, cellId: string): void {
  const model = panel.content.model;
  if (!model) {
    return;
  }
  const index = Array.from(model.cells).findIndex(cell => cell.id === cellId);
  if (index >= 0) {
    model.sharedModel.transact(
      () => model.sharedModel.deleteCell(index),
      false
    );
  }
}

/**
 * The code cell widget with this model id, if any.
 */
export function codeCellById(
  panel: NotebookPanel,
  cellId: string
): CodeCell | null {
  const cell = panel.content.widgets.find(
    (widget: Cell) => widget.model.id === cellId
  );
  return cell && cell.model.type === 'code' ? (cell as CodeCell) : null;
}

/**
 * Where a new step cell goes: after the conversation's last cell; for the
 * first step, after the active cell, or at the end.
 */
function insertionIndex(panel: NotebookPanel, conversation: string): number {
  const notebook = panel.content;
  const cells = notebook.model!.cells;
  for (let i = cells.length - 1; i >= 0; i--) {
    if (getProvenance(cells.get(i))?.conversation === conversation) {
      return i + 1;
    }
  }
  const active = notebook.activeCellIndex;
  return active >= 0 && active < cells.length ? active + 1 : cells.length;
}
