/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { Cell } from '@jupyterlab/cells';
import { Notebook, NotebookActions, NotebookPanel } from '@jupyterlab/notebook';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { IDisposable } from '@lumino/disposable';
import { PanelLayout, Widget } from '@lumino/widgets';

import { markDeclinedCells } from './declined';
import { isUnrepaired, setRaisesException } from './replacement';

/**
 * The class of the marker on a step cell that failed and was not repaired.
 */
export const UNREPAIRED_MARKER_CLASS = 'jp-CodeInterpreter-unrepairedMarker';

/**
 * Show or remove the marker of an unrepaired failed step on a cell, as its
 * metadata says (`isUnrepaired`).
 *
 * #### Notes
 * A word and a tooltip, not a colour alone: the cell raised, no later step
 * took its place, and its `raises-exception` tag lets Run All go on past it.
 */
export function markUnrepaired(cell: Cell, trans: TranslationBundle): void {
  const layout = cell.layout as PanelLayout | null;
  if (!layout || cell.isDisposed) {
    return;
  }
  const existing = layout.widgets.find(widget =>
    widget.hasClass(UNREPAIRED_MARKER_CLASS)
  );
  const wanted = isUnrepaired(cell.model);
  if (!wanted) {
    existing?.dispose();
    return;
  }
  if (existing) {
    return;
  }
  const marker = new Widget();
  marker.addClass(UNREPAIRED_MARKER_CLASS);
  marker.node.title = trans.__(
    'This step raised an error and no later step repaired it. Its cell is tagged “raises-exception”, so Run All shows the error and goes on with the cells after it.'
  );
  const icon = document.createElement('span');
  icon.className = 'jp-CodeInterpreter-unrepairedIcon';
  icon.setAttribute('aria-hidden', 'true');
  icon.textContent = '⚠';
  const label = document.createElement('span');
  label.textContent = trans.__('Failed step, not repaired');
  marker.node.append(icon, label);
  // After the cell header, before the input area (as the proposal banner).
  layout.insertWidget(Math.min(1, layout.widgets.length), marker);
}

/**
 * After a run of a cell outside the agent's steps (the user's, or a fixed
 * cell of the cell commands): a failed step's cell that now ran without
 * error no longer raises, so it loses its tag and marker. Its provenance
 * still says the step failed.
 */
export function noteCellRun(
  cell: Cell,
  ok: boolean,
  trans: TranslationBundle
): void {
  if (ok && !cell.isDisposed && isUnrepaired(cell.model)) {
    setRaisesException(cell.model, false);
    markUnrepaired(cell, trans);
  }
}

/**
 * Mark every unrepaired failed step of a notebook (after it opens, or its
 * cells' widgets were made anew).
 */
export function markUnrepairedCells(
  panel: NotebookPanel,
  trans: TranslationBundle
): void {
  for (const cell of panel.content.widgets) {
    if (cell.model.type === 'code') {
      markUnrepaired(cell, trans);
    }
  }
}

/**
 * Keep the markers of a notebook's unrepaired failed steps, and the notes of
 * its declined steps (`markDeclined`): now, whenever its cells change (a
 * reopened notebook, a moved cell's new widget, a cell type changed), and
 * after the user runs one without error (`noteCellRun`).
 *
 * @returns what stops it.
 */
export function watchUnrepaired(
  panel: NotebookPanel,
  trans: TranslationBundle
): IDisposable {
  let disposed = false;
  const onChanged = (): void => {
    // After the notebook has made the cells' widgets.
    void Promise.resolve().then(() => {
      if (!disposed && !panel.isDisposed) {
        markUnrepairedCells(panel, trans);
        markDeclinedCells(panel, trans);
      }
    });
  };
  const onExecuted = (
    _: unknown,
    args: { notebook: Notebook; cell: Cell; success: boolean }
  ): void => {
    if (args.notebook === panel.content) {
      noteCellRun(args.cell, args.success, trans);
    }
  };
  const cells = panel.content.model?.cells;
  cells?.changed.connect(onChanged);
  NotebookActions.executed.connect(onExecuted);
  markUnrepairedCells(panel, trans);
  markDeclinedCells(panel, trans);
  return {
    get isDisposed() {
      return disposed;
    },
    dispose() {
      disposed = true;
      cells?.changed.disconnect(onChanged);
      NotebookActions.executed.disconnect(onExecuted);
    }
  };
}
