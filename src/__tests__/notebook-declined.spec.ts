/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

/**
 * A step that did not run (Skip, Stop before it ran) leaves its code as an
 * inert raw cell (`makeDeclinedCellInert`): shown with its provenance and a
 * note, never run by Run All; the user changes it back to Code to run it.
 * JupyterLab's notebook widgets, the kernel scripted as in
 * `notebook-fixture.ts`.
 */

import type * as nbformat from '@jupyterlab/nbformat';
import { NotebookActions } from '@jupyterlab/notebook';
import { nullTranslator } from '@jupyterlab/translation';

import { ApprovalRegistry } from '../notebook/approvals';
import { DECLINED_NOTE_CLASS } from '../notebook/declined';
import { NotebookExecutionHost } from '../notebook/host';
import { getProvenance } from '../notebook/metadata';
import { STATUS_ATTRIBUTE, STEP_CELL_CLASS } from '../notebook/proposal';
import { FakeTools } from './notebook-fakes';
import {
  closeNotebooks,
  hushKnownWarnings,
  openHost as setUp,
  openNotebook,
  runStep,
  settle,
  sources,
  step
} from './notebook-fixture';

hushKnownWarnings();

afterEach(closeNotebooks);

const CODE = "import os\nos.remove('data.csv')";

/** The cells' types, in order. */
function types(model: { cells: Iterable<{ type: string }> }): string[] {
  return Array.from(model.cells).map(cell => cell.type);
}

/** The declined note's text on the cell widget at `index`, or null. */
function noteAt(
  panel: { content: { widgets: ReadonlyArray<{ node: HTMLElement }> } },
  index: number
): string | null {
  const note = panel.content.widgets[index].node.querySelector(
    `.${DECLINED_NOTE_CLASS}`
  );
  return note ? note.textContent : null;
}

/** Propose step 1 (`CODE`), and wait until it waits for approval. */
async function proposed(signal?: AbortSignal) {
  const setup = await setUp();
  const run = runStep(
    setup.host,
    step(1, CODE, { needsApproval: true }),
    signal
  );
  await settle();
  return { ...setup, run };
}

describe('a declined step’s cell', () => {
  it('becomes a raw cell after Skip: same id, place, source and provenance, with its note', async () => {
    const { approvals, kernel, model, panel, run } = await proposed();
    const id = model.cells.get(1).id;
    approvals.decide('turn-1/1', 'skip');
    const result = await run.result;
    expect(result).toMatchObject({
      outcome: 'skipped',
      code: CODE,
      cellId: id
    });
    expect(kernel!.executions).toHaveLength(0);
    expect(types(model)).toEqual(['code', 'raw', 'code', 'code']);
    expect(sources(model)).toEqual(['a = 1', CODE, 'b = 2', 'c = 3']);
    const cell = model.cells.get(1);
    expect(cell.id).toBe(id);
    expect(getProvenance(cell)).toEqual({
      conversation: 'conv',
      turn: 'turn-1',
      step: 1,
      status: 'skipped',
      outcome: 'skipped'
    });
    const json = cell.toJSON() as nbformat.IRawCell;
    expect(json.metadata.trusted).toBeUndefined();
    const widget = panel.content.widgets[1];
    expect(widget.hasClass(STEP_CELL_CLASS)).toBe(true);
    expect(widget.node.getAttribute(STATUS_ATTRIBUTE)).toBe('skipped');
    expect(noteAt(panel, 1)).toBe(
      'Skipped: not run. Change the cell type to Code to run it.'
    );
    expect(
      widget.node.querySelector('.jp-CodeInterpreter-proposalBanner')
    ).toBeNull();
  });

  it('keeps the user’s edit of the code it declined', async () => {
    const { approvals, model, run } = await proposed();
    model.cells.get(1).sharedModel.setSource("print('mine')");
    approvals.decide('turn-1/1', 'skip');
    expect((await run.result).code).toBe("print('mine')");
    expect(types(model)[1]).toBe('raw');
    expect(sources(model)[1]).toBe("print('mine')");
  });

  it('becomes a raw cell after Stop while proposed, noted as stopped', async () => {
    const stop = new AbortController();
    const { kernel, model, panel, run } = await proposed(stop.signal);
    stop.abort();
    expect((await run.result).outcome).toBe('stopped');
    expect(kernel!.executions).toHaveLength(0);
    expect(types(model)).toEqual(['code', 'raw', 'code', 'code']);
    expect(getProvenance(model.cells.get(1))?.status).toBe('stopped');
    expect(noteAt(panel, 1)).toBe(
      'Stopped: not run. Change the cell type to Code to run it.'
    );
  });

  it('becomes a raw cell when Stop comes before a step that needs no approval runs', async () => {
    const { host, kernel, model } = await setUp();
    const stop = new AbortController();
    stop.abort();
    const result = await runStep(host, step(1, CODE), stop.signal).result;
    expect(result.outcome).toBe('stopped');
    expect(kernel!.executions).toHaveLength(0);
    expect(types(model)).toEqual(['code', 'raw', 'code', 'code']);
  });

  it('leaves nothing when its cell was deleted while proposed', async () => {
    const { model, run } = await proposed();
    model.sharedModel.deleteCell(1);
    expect((await run.result).outcome).toBe('skipped');
    expect(sources(model)).toEqual(['a = 1', 'b = 2', 'c = 3']);
  });

  it('is never turned back into a code cell by undo', async () => {
    const { approvals, model, run } = await proposed();
    // The decision comes after the undo manager's capture window, as in
    // the browser: the insertion is an undo step of its own.
    (
      model.sharedModel as unknown as {
        undoManager: { stopCapturing(): void };
      }
    ).undoManager.stopCapturing();
    approvals.decide('turn-1/1', 'skip');
    await run.result;
    const codeCells: string[] = [];
    while (model.sharedModel.canUndo()) {
      model.sharedModel.undo();
      for (const cell of model.cells) {
        if (cell.type === 'code') {
          codeCells.push(cell.sharedModel.getSource());
        }
      }
    }
    expect(codeCells).not.toContain(CODE);
  });

  it('is followed by the turn’s next step in a new cell', async () => {
    const { approvals, host, model, run } = await proposed();
    approvals.decide('turn-1/1', 'skip');
    await run.result;
    const next = await runStep(
      host,
      step(2, 'x = 2', { mayReplaceFailed: true })
    ).result;
    expect(next.outcome).toBe('ok');
    expect(sources(model)).toEqual(['a = 1', CODE, 'x = 2', 'b = 2', 'c = 3']);
    expect(types(model)).toEqual(['code', 'raw', 'code', 'code', 'code']);
  });

  it('keeps its note when the notebook is opened again', async () => {
    const { approvals, model, run } = await proposed();
    approvals.decide('turn-1/1', 'skip');
    await run.result;
    const saved = model.toJSON();

    const reopened = await openNotebook();
    reopened.model.fromJSON(saved);
    const host = new NotebookExecutionHost({
      panel: reopened.panel,
      approvals: new ApprovalRegistry(),
      createKernelTools: () => new FakeTools(reopened.kernel),
      trans: nullTranslator.load('jupyterlab_code_interpreter')
    });
    await settle();
    expect(types(reopened.model)).toEqual(['code', 'raw', 'code', 'code']);
    expect(noteAt(reopened.panel, 1)).toBe(
      'Skipped: not run. Change the cell type to Code to run it.'
    );
    expect(
      reopened.panel.content.widgets[1].node.getAttribute(STATUS_ATTRIBUTE)
    ).toBe('skipped');
    host.dispose();
  });

  it('runs once the user changes it back to Code, and loses its note', async () => {
    const { approvals, kernel, model, panel, run } = await proposed();
    approvals.decide('turn-1/1', 'skip');
    await run.result;
    const notebook = panel.content;
    notebook.activeCellIndex = 1;
    NotebookActions.changeCellType(notebook, 'code');
    await settle();
    expect(types(model)).toEqual(['code', 'code', 'code', 'code']);
    expect(sources(model)[1]).toBe(CODE);
    expect(noteAt(panel, 1)).toBeNull();

    notebook.activeCellIndex = 1;
    await NotebookActions.run(notebook, panel.sessionContext);
    expect(kernel!.executions.map(e => e.code)).toEqual([CODE]);
  });
});
