/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { Cell, ICellModel } from '@jupyterlab/cells';
import type { NotebookPanel } from '@jupyterlab/notebook';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { PartialJSONObject } from '@lumino/coreutils';
import { PanelLayout, Widget } from '@lumino/widgets';

import { CellStepStatus, getProvenance } from './metadata';
import { markCell } from './proposal';

/**
 * The class of the note on a step cell that was not run.
 */
export const DECLINED_NOTE_CLASS = 'jp-CodeInterpreter-declinedNote';

/**
 * The statuses of a step whose code never ran.
 */
const DECLINED_STATUSES: ReadonlyArray<CellStepStatus> = ['skipped', 'stopped'];

/**
 * The status of a declined step's cell (`skipped` or `stopped`), or null
 * when the cell is not one: a raw cell whose provenance says it never ran.
 *
 * #### Notes
 * Only a raw cell counts: a code cell with that status is one the user
 * changed back to Code, theirs to run.
 */
export function declinedStatus(cell: ICellModel): CellStepStatus | null {
  const status = getProvenance(cell)?.status;
  return cell.type === 'raw' && status && DECLINED_STATUSES.includes(status)
    ? status
    : null;
}

/**
 * Make the code cell of a step that did not run inert: a raw cell with the
 * same id, position, source and metadata (its provenance says skipped or
 * stopped).
 *
 * #### Notes
 * JupyterLab's Run All and nbclient, nbconvert and papermill never run a raw
 * cell, so a rerun does not run code the user declined, and the notebook
 * still shows what was proposed. The change stays out of the undo history:
 * undo must not turn declined code back into a cell Run All runs. The user
 * changes the cell type to Code to run it after all.
 *
 * @returns the raw cell's widget, or null when the cell is gone.
 */
export function makeDeclinedCellInert(
  panel: NotebookPanel,
  cellId: string,
  trans: TranslationBundle
): Cell | null {
  const model = panel.content.model;
  if (!model || panel.isDisposed) {
    return null;
  }
  const cells = Array.from(model.cells);
  const index = cells.findIndex(cell => cell.id === cellId);
  if (index < 0) {
    return null;
  }
  const cell = cells[index];
  if (cell.type === 'code') {
    // Read before the deletion empties the shared cell.
    const json = cell.toJSON();
    const metadata = { ...(json.metadata as PartialJSONObject) };
    // Trust is about outputs, which a raw cell does not have.
    delete metadata.trusted;
    const shared = model.sharedModel;
    shared.transact(() => {
      shared.deleteCell(index);
      shared.insertCell(index, {
        id: cellId,
        cell_type: 'raw',
        source: json.source,
        metadata
      });
    }, false);
  }
  const widget = panel.content.widgets.find(w => w.model.id === cellId) ?? null;
  if (widget) {
    markDeclined(widget, trans);
  }
  return widget;
}

/**
 * Show or remove the note on a declined step's cell, as its type and
 * metadata say (`declinedStatus`), and its status for styling.
 */
export function markDeclined(cell: Cell, trans: TranslationBundle): void {
  const layout = cell.layout as PanelLayout | null;
  if (!layout || cell.isDisposed) {
    return;
  }
  const existing = layout.widgets.find(widget =>
    widget.hasClass(DECLINED_NOTE_CLASS)
  );
  const status = declinedStatus(cell.model);
  if (!status) {
    existing?.dispose();
    return;
  }
  markCell(cell, status);
  if (existing) {
    return;
  }
  const note = new Widget();
  note.addClass(DECLINED_NOTE_CLASS);
  note.node.textContent =
    status === 'skipped'
      ? trans.__('Skipped: not run. Change the cell type to Code to run it.')
      : trans.__('Stopped: not run. Change the cell type to Code to run it.');
  note.node.title = trans.__(
    'The Code Interpreter proposed this code and it did not run, so it is kept as a raw cell: Run All, nbconvert and papermill do not run it.'
  );
  // After the cell header, before the input area (as the proposal banner).
  layout.insertWidget(Math.min(1, layout.widgets.length), note);
}

/**
 * Mark every declined step's cell of a notebook (after it opens, or its
 * cells' widgets were made anew).
 */
export function markDeclinedCells(
  panel: NotebookPanel,
  trans: TranslationBundle
): void {
  for (const cell of panel.content.widgets) {
    markDeclined(cell, trans);
  }
}
