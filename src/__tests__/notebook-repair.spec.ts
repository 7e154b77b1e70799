/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

/**
 * A repair takes the failed step's cell (`NotebookExecutionHost.runStep` and
 * `runGatedStep` with `mayReplaceFailed`): same cell and position, new
 * source and outputs, the failed attempt in its metadata, the
 * `raises-exception` tag while it stays failed. JupyterLab's notebook
 * widgets, the kernel scripted as in `notebook-fixture.ts`.
 */

import type { CodeCell } from '@jupyterlab/cells';
import { NotebookActions } from '@jupyterlab/notebook';

import { getProvenance, METADATA_KEY } from '../notebook/metadata';
import { UNREPAIRED_MARKER_CLASS } from '../notebook/failedmark';
import { RAISES_EXCEPTION_TAG } from '../notebook/replacement';
import {
  closeNotebooks,
  hushKnownWarnings,
  openHost as setUp,
  runStep,
  settle,
  sources,
  step,
  streamText
} from './notebook-fixture';

hushKnownWarnings();

afterEach(closeNotebooks);

/**
 * A notebook whose kernel raises a KeyError for code mentioning `'price '`
 * and prints `ok` for the rest, after one failed step in cell 1.
 */
async function afterFailedStep() {
  const setup = await setUp();
  setup.kernel!.onExecute = execution => {
    execution.start();
    if (execution.code.includes("'price '")) {
      execution.print('loaded\n');
      execution.finish('error', 'KeyError', "'price '");
    } else {
      execution.print('ok\n');
      execution.finish('ok');
    }
  };
  setup.panel.content.activeCellIndex = 0;
  const failed = await runStep(
    setup.host,
    step(1, "df = load()\ndf['price ']", { mayReplaceFailed: true })
  ).result;
  return { ...setup, failed };
}

const REPAIR = "df = load()\ndf['price']";

describe('a repair takes the failed step’s cell', () => {
  it('tags and marks a failed step’s cell', async () => {
    const { model, panel, failed } = await afterFailedStep();
    expect(failed.outcome).toBe('error');
    const cell = model.cells.get(1);
    expect(cell.getMetadata('tags')).toEqual([RAISES_EXCEPTION_TAG]);
    const marker = panel.content.widgets[1].node.querySelector(
      `.${UNREPAIRED_MARKER_CLASS}`
    ) as HTMLElement;
    expect(marker.textContent).toContain('Failed step, not repaired');
    expect(marker.title).toContain('raises-exception');
  });

  it('keeps the marker on a failed cell the user moves (its widget is made anew)', async () => {
    const { model, panel, failed } = await afterFailedStep();
    model.sharedModel.moveCell(1, 3);
    await settle();
    const moved = panel.content.widgets[3];
    expect(moved.model.id).toBe(failed.cellId);
    expect(
      moved.node.querySelectorAll(`.${UNREPAIRED_MARKER_CLASS}`)
    ).toHaveLength(1);
  });

  it('replaces source and outputs in place, keeps the id, records the attempt and drops the tag', async () => {
    const { host, model, panel, failed } = await afterFailedStep();
    const result = await runStep(
      host,
      step(2, REPAIR, { mayReplaceFailed: true })
    ).result;
    expect(sources(model)).toEqual(['a = 1', REPAIR, 'b = 2', 'c = 3']);
    expect(result.cellId).toBe(failed.cellId);
    expect(result.outcome).toBe('ok');
    expect(streamText(result.outputs)).toBe('ok\n');
    const cell = model.cells.get(1);
    expect(cell.id).toBe(failed.cellId);
    expect(cell.getMetadata('tags')).toBeUndefined();
    const attempt = {
      step: 1,
      outcome: 'error',
      source: "df = load()\ndf['price ']",
      ename: 'KeyError',
      evalue: "'price '"
    };
    expect(cell.getMetadata(METADATA_KEY)).toEqual({
      conversation: 'conv',
      turn: 'turn-1',
      step: 2,
      status: 'done',
      outcome: 'ok',
      edited: false,
      attempts: [attempt]
    });
    expect(result.attempts).toEqual([attempt]);
    expect(
      panel.content.widgets[1].node.querySelector(`.${UNREPAIRED_MARKER_CLASS}`)
    ).toBeNull();
    // Show cell of the failed step finds the cell that holds its repair.
    expect(host.revealStep('turn-1/1')).toBe(true);
    expect(panel.content.activeCellIndex).toBe(1);
  });

  it('accumulates repeated failures in the same cell, tagged until repaired', async () => {
    const { host, model } = await afterFailedStep();
    await runStep(
      host,
      step(2, "df['price ']\n# again", { mayReplaceFailed: true })
    ).result;
    expect(model.cells.length).toBe(4);
    expect(model.cells.get(1).getMetadata('tags')).toEqual([
      RAISES_EXCEPTION_TAG
    ]);
    const third = await runStep(
      host,
      step(3, REPAIR, { mayReplaceFailed: true })
    ).result;
    expect(model.cells.length).toBe(4);
    expect(third.attempts?.map(a => a.step)).toEqual([1, 2]);
    expect(getProvenance(model.cells.get(1))).toMatchObject({
      step: 3,
      status: 'done'
    });
    expect(model.cells.get(1).getMetadata('tags')).toBeUndefined();
  });

  it('adds a new cell after the failed one for a call of the same reply', async () => {
    const { host, model } = await afterFailedStep();
    await runStep(host, step(2, 'print(1)', { mayReplaceFailed: false }))
      .result;
    expect(sources(model)).toEqual([
      'a = 1',
      "df = load()\ndf['price ']",
      'print(1)',
      'b = 2',
      'c = 3'
    ]);
    expect(model.cells.get(1).getMetadata('tags')).toEqual([
      RAISES_EXCEPTION_TAG
    ]);
  });

  it('never moves or deletes a user’s cell inserted below the failed step', async () => {
    const { host, model, failed } = await afterFailedStep();
    model.sharedModel.insertCell(2, {
      cell_type: 'code',
      source: 'mine = 42'
    });
    await runStep(host, step(2, REPAIR, { mayReplaceFailed: true })).result;
    expect(sources(model)).toEqual([
      'a = 1',
      REPAIR,
      'mine = 42',
      'b = 2',
      'c = 3'
    ]);
    expect(model.cells.get(1).id).toBe(failed.cellId);
  });

  it('proposes the repair in the failed cell’s place; Skip puts the failed attempt back, tagged', async () => {
    const { host, approvals, model, panel, failed } = await afterFailedStep();
    const before = model.cells.get(1).toJSON();
    const run = runStep(
      host,
      step(2, REPAIR, { mayReplaceFailed: true, needsApproval: true })
    );
    await settle();
    const cell = panel.content.widgets[1] as CodeCell;
    expect(cell.model.id).toBe(failed.cellId);
    expect(cell.model.sharedModel.getSource()).toBe(REPAIR);
    expect(cell.model.outputs.length).toBe(0);
    expect(getProvenance(cell.model)?.status).toBe('proposed');
    expect(
      cell.node.querySelector('.jp-CodeInterpreter-proposalBanner')
    ).not.toBeNull();
    approvals.decide('turn-1/2', 'skip');
    const result = await run.result;
    expect(result.outcome).toBe('skipped');
    expect(run.statuses).toEqual(['proposed', 'skipped']);
    expect(model.cells.length).toBe(4);
    expect(model.cells.get(1).toJSON()).toEqual(before);
    expect(
      panel.content.widgets[1].node.querySelector(`.${UNREPAIRED_MARKER_CLASS}`)
    ).not.toBeNull();
  });

  it('Stop while the repair waits puts the failed attempt back', async () => {
    const { host, model } = await afterFailedStep();
    const before = model.cells.get(1).toJSON();
    const stop = new AbortController();
    const run = runStep(
      host,
      step(2, REPAIR, { mayReplaceFailed: true, needsApproval: true }),
      stop.signal
    );
    await settle();
    stop.abort();
    expect((await run.result).outcome).toBe('stopped');
    expect(model.cells.get(1).toJSON()).toEqual(before);
  });

  it('a repair the gate refuses leaves the failed attempt where it was', async () => {
    const { host, kernel, tools, model, failed } = await afterFailedStep();
    await host.kernelState();
    const before = model.cells.get(1).toJSON();
    tools.checks.set('get()', {
      syntaxError: null,
      findings: [{ category: 'network', detail: 'calls get', line: 1 }]
    });
    kernel!.onExecute = execution => kernel!.runOrAbort(execution);
    const gated = await host.runGatedStep(
      step(2, 'get()', { mayReplaceFailed: true }),
      [],
      new AbortController().signal,
      () => undefined
    );
    expect(gated.kind).toBe('refused');
    expect(model.cells.length).toBe(4);
    expect(model.cells.get(1).id).toBe(failed.cellId);
    expect(model.cells.get(1).toJSON()).toEqual(before);
  });

  it('a gated repair runs in the failed cell', async () => {
    const { host, kernel, model, failed } = await afterFailedStep();
    await host.kernelState();
    kernel!.onExecute = execution => kernel!.runOrAbort(execution);
    const gated = await host.runGatedStep(
      step(2, REPAIR, { mayReplaceFailed: true }),
      [],
      new AbortController().signal,
      () => undefined
    );
    expect(gated).toMatchObject({
      kind: 'ran',
      result: { outcome: 'ok', cellId: failed.cellId }
    });
    expect(gated.kind === 'ran' && gated.result.attempts).toHaveLength(1);
    expect(sources(model)).toEqual(['a = 1', REPAIR, 'b = 2', 'c = 3']);
  });
});

describe('a failed step’s cell the user repairs', () => {
  it('loses its tag and marker once a run of the fixed cell succeeds (Fix runs it through runCell)', async () => {
    const { host, model, panel } = await afterFailedStep();
    const cell = panel.content.widgets[1] as CodeCell;
    cell.model.sharedModel.setSource(REPAIR);
    const signal = new AbortController().signal;
    const result = await host.runCell(cell, { signal, timeoutMs: 5000 });
    expect(result.outcome).toBe('ok');
    expect(model.cells.get(1).getMetadata('tags')).toBeUndefined();
    expect(cell.node.querySelector(`.${UNREPAIRED_MARKER_CLASS}`)).toBeNull();
    // The provenance still says the model's step failed.
    expect(getProvenance(cell.model)?.status).toBe('failed');
  });

  it('keeps them when the user runs it and it raises again, drops them when it runs clean', async () => {
    const { model, panel } = await afterFailedStep();
    const notebook = panel.content;
    notebook.activeCellIndex = 1;
    await NotebookActions.run(notebook, panel.sessionContext);
    expect(model.cells.get(1).getMetadata('tags')).toEqual([
      RAISES_EXCEPTION_TAG
    ]);
    model.cells.get(1).sharedModel.setSource(REPAIR);
    notebook.activeCellIndex = 1;
    await NotebookActions.run(notebook, panel.sessionContext);
    expect(model.cells.get(1).getMetadata('tags')).toBeUndefined();
    expect(
      notebook.widgets[1].node.querySelector(`.${UNREPAIRED_MARKER_CLASS}`)
    ).toBeNull();
  });
});
