/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type {
  Cell,
  CodeCell,
  ICellModel,
  ICodeCellModel
} from '@jupyterlab/cells';
import type { NotebookPanel } from '@jupyterlab/notebook';
import type { TranslationBundle } from '@jupyterlab/translation';

import type {
  IFailedAttempt,
  IStepRequest,
  IStepResult,
  StepOutcome,
  StepStatus
} from '../agent/tokens';

import { makeDeclinedCellInert } from './declined';
import { markUnrepaired } from './failedmark';
import {
  CellStepStatus,
  getProvenance,
  ICellProvenance,
  METADATA_KEY,
  setProvenance,
  statusOfOutcome,
  updateProvenance
} from './metadata';
import { markCell } from './proposal';
import {
  attemptOf,
  failedCellToReplace,
  ICellSnapshot,
  replacementProvenance,
  setRaisesException,
  snapshotOf
} from './replacement';

/**
 * Records how a step ended on its cell, and gives the step's result.
 */
export type FinishStep = (
  outcome: StepOutcome,
  cell: CodeCell | null,
  extra?: Partial<IStepResult>
) => IStepResult;

/**
 * A step's cell in the notebook, new or taken over from a failed step.
 */
export interface IPlacedStep {
  /** The model id of the step's cell. */
  cellId: string;
  /**
   * The failed attempts the cell held before this step, when it took a
   * failed step's place; `null` for a new cell.
   */
  attempts: IFailedAttempt[] | null;
  /** Record how the step ended after it ran (or was stopped running). */
  finish: FinishStep;
  /**
   * Record a step that did not run (skipped, stopped while proposed): a
   * taken-over cell gets its failed attempt back, a new cell stays as an
   * inert raw cell (`makeDeclinedCellInert`).
   */
  notRun: (outcome: StepOutcome, cell: CodeCell | null) => IStepResult;
  /**
   * Undo the placement of a step the gate refused: a new cell is removed,
   * a taken-over cell gets its failed attempt back.
   */
  discard: () => void;
}

/**
 * Place a step's cell: in the place of the turn's failed last step when the
 * step repairs it (`failedCellToReplace`), else a new cell after the
 * conversation's last cell.
 *
 * #### Notes
 * A repair keeps the failed cell's id and position, so the user's cells
 * around it stay where they are, and a rerun of the notebook runs only
 * the repair; the failed code and error stay in the cell's
 * `code_interpreter.attempts`.
 *
 * @throws if the notebook is closed.
 */
export function placeStepCell(
  panel: NotebookPanel,
  request: IStepRequest,
  onStatus: (status: StepStatus) => void,
  trans: TranslationBundle
): IPlacedStep {
  const notebook = panel.content;
  const model = notebook.model;
  if (!model || panel.isDisposed) {
    throw new Error(trans.__('The notebook of this conversation is closed.'));
  }
  const cells = Array.from(model.cells);
  const index = failedCellToReplace(cells, request);
  const replaced = index >= 0 ? Private.takeOver(cells[index], request) : null;
  const cellId = replaced ? cells[index].id : Private.insertNew(panel, request);
  const status: CellStepStatus = request.needsApproval ? 'proposed' : 'running';
  const cell = codeCellById(panel, cellId);
  if (cell) {
    markCell(cell, status);
    markUnrepaired(cell, trans);
    void notebook.scrollToCell(cell, 'auto');
  }
  const result = (
    outcome: StepOutcome,
    cell: CodeCell | null,
    extra: Partial<IStepResult> = {}
  ): IStepResult => ({
    outcome,
    code: cell ? cell.model.sharedModel.getSource() : request.code,
    edited: false,
    outputs: cell ? cell.model.outputs.toJSON() : [],
    executionCount: cell ? cell.model.executionCount : null,
    cellId,
    ...(replaced ? { attempts: replaced.attempts } : {}),
    ...extra
  });
  const finish: FinishStep = (outcome, cell, extra = {}) => {
    const status = statusOfOutcome(outcome);
    if (cell && !cell.isDisposed) {
      updateProvenance(cell.model, {
        status,
        outcome,
        ...(extra.edited !== undefined ? { edited: extra.edited } : {})
      });
      setRaisesException(cell.model, status === 'failed');
      markCell(cell, status);
      markUnrepaired(cell, trans);
    }
    onStatus(status);
    return result(outcome, cell, extra);
  };
  const restore = (cell: CodeCell | null): void => {
    if (replaced && cell && !cell.isDisposed) {
      Private.restore(cell, replaced.snapshot);
      markCell(cell, getProvenance(cell.model)?.status ?? 'failed');
      markUnrepaired(cell, trans);
    }
  };
  return {
    cellId,
    attempts: replaced?.attempts ?? null,
    finish,
    notRun: (outcome, cell) => {
      if (!replaced) {
        const declined = finish(outcome, cell);
        if (cell) {
          // Shown as proposed, never run by Run All or nbclient.
          makeDeclinedCellInert(panel, cellId, trans);
        }
        return declined;
      }
      restore(cell);
      onStatus(statusOfOutcome(outcome));
      return { ...result(outcome, null), code: request.code, cellId: '' };
    },
    discard: () => {
      if (replaced) {
        restore(codeCellById(panel, cellId));
      } else {
        removeStepCell(panel, cellId);
      }
    }
  };
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

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * Insert a new step cell with its provenance after the conversation's
   * last cell.
   *
   * @returns the new cell's id.
   */
  export function insertNew(
    panel: NotebookPanel,
    request: IStepRequest
  ): string {
    const provenance = {
      conversation: request.conversationId,
      turn: request.turnId,
      step: request.step,
      status: request.needsApproval ? 'proposed' : 'running'
    } satisfies ICellProvenance;
    return panel.content
      .model!.sharedModel.insertCell(
        insertionIndex(panel, request.conversationId),
        {
          cell_type: 'code',
          source: request.code,
          metadata: { code_interpreter: { ...provenance } }
        }
      )
      .getId();
  }

  /**
   * Give a failed step's cell to a new step: its failed attempt goes into
   * the attempts, its source becomes the new code, its outputs and tag go.
   *
   * @returns the cell's attempts and what it held, to put back.
   */
  export function takeOver(
    cell: ICellModel,
    request: IStepRequest
  ): { attempts: IFailedAttempt[]; snapshot: ICellSnapshot } {
    const code = cell as ICodeCellModel;
    const source = code.sharedModel.getSource();
    const outputs = code.outputs.toJSON();
    const snapshot = snapshotOf(code, source, outputs, code.executionCount);
    const failed = getProvenance(code)!;
    const provenance = replacementProvenance(
      failed,
      attemptOf(failed, source, outputs),
      request
    );
    code.sharedModel.transact(() => {
      code.sharedModel.setSource(request.code);
      code.clearExecution();
      setProvenance(code, provenance);
      setRaisesException(code, false);
    });
    return { attempts: provenance.attempts ?? [], snapshot };
  }

  /**
   * Put back what a taken-over cell held.
   */
  export function restore(cell: CodeCell, snapshot: ICellSnapshot): void {
    const model = cell.model;
    model.sharedModel.transact(() => {
      model.sharedModel.setSource(snapshot.source);
      model.clearExecution();
      model.outputs.fromJSON(snapshot.outputs);
      model.executionCount = snapshot.executionCount;
      for (const [key, value] of [
        [METADATA_KEY, snapshot.provenance],
        ['tags', snapshot.tags]
      ] as const) {
        if (value === undefined) {
          model.deleteMetadata(key);
        } else {
          model.setMetadata(key, value);
        }
      }
    });
  }
}
