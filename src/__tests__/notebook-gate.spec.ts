/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

/**
 * `NotebookExecutionHost.runGatedStep`, `runCell` and `runGatedCell`: a step
 * or a fixed cell sent behind the kernel's gate, and a fixed cell run in
 * place. The kernel is JupyterLab's mock kernel with its execute requests
 * scripted: a request behind a refused gate is aborted, as ipykernel does
 * (`notebook-fakes.ts`); everything else is real.
 */

import type { CodeCell } from '@jupyterlab/cells';
import type * as nbformat from '@jupyterlab/nbformat';

import type { ICheckResult, StepStatus } from '../agent/tokens';
import { GATE_METADATA_KEY } from '../kernel/replies';
import { getProvenance } from '../notebook/metadata';
import {
  closeNotebooks,
  hushKnownWarnings,
  ITestNotebook,
  openHost as setUp,
  settle,
  sources,
  step,
  streamText
} from './notebook-fixture';

const NETWORK: ICheckResult = {
  syntaxError: null,
  findings: [{ category: 'network', detail: 'calls requests.get', line: 1 }]
};

/**
 * The notebook's document-wide undo manager.
 */
function undoManagerOf(model: ITestNotebook['model']): {
  stopCapturing(): void;
} {
  return (
    model.sharedModel as unknown as { undoManager: { stopCapturing(): void } }
  ).undoManager;
}

hushKnownWarnings();

afterEach(closeNotebooks);

describe('NotebookExecutionHost.runGatedStep', () => {
  it('runs a step the gate passes, with the gate’s token on the cell’s request', async () => {
    const { host, kernel, tools, model } = await setUp();
    kernel!.onExecute = execution => {
      tools.files.push('out.csv');
      kernel!.runOrAbort(execution);
    };
    await host.kernelState();
    const statuses: StepStatus[] = [];
    const gated = await host.runGatedStep(
      step(1, 'save()'),
      ['network'],
      new AbortController().signal,
      status => statuses.push(status)
    );
    expect(gated).toMatchObject({
      kind: 'ran',
      check: { syntaxError: null, findings: [] },
      result: { outcome: 'ok', code: 'save()', newFiles: ['out.csv'] }
    });
    expect(statuses).toEqual(['running', 'done']);
    expect(tools.calls).toContain('gate save() [network]');
    const token = kernel!.last.metadata[GATE_METADATA_KEY];
    expect(String(token)).toMatch(/^turn-1:1:/);
    expect(getProvenance(model.cells.get(1))?.status).toBe('done');
  });

  it('removes a refused step’s cell outside the undo history', async () => {
    const { host, kernel, tools, model } = await setUp();
    tools.checks.set('get()', NETWORK);
    await host.kernelState();
    // The gate's answer comes after the undo manager's capture window (500
    // ms), so the insertion is an undo step of its own, as in the browser.
    const gate = tools.gate.bind(tools);
    tools.gate = async (...args) => {
      undoManagerOf(model).stopCapturing();
      return gate(...args);
    };
    const gated = await host.runGatedStep(
      step(1, 'get()'),
      [],
      new AbortController().signal,
      () => undefined
    );
    expect(gated).toEqual({ kind: 'refused', check: NETWORK });
    // The kernel aborted the cell's request: it never ran, no count moved.
    expect(kernel!.last.code).toBe('get()');
    expect(kernel!.last.count).toBeNull();
    expect(sources(model)).toEqual(['a = 1', 'b = 2', 'c = 3']);
    // Undo, step by step, never brings the refused code back.
    const seen: string[][] = [];
    while (model.sharedModel.canUndo()) {
      model.sharedModel.undo();
      seen.push(sources(model));
    }
    expect(seen.flat()).not.toContain('get()');
  });

  it('is unavailable, inserting nothing, without gate-ready tools', async () => {
    const { host, tools, model } = await setUp();
    // No tools yet for this kernel.
    expect(
      await host.runGatedStep(
        step(1, 'x'),
        [],
        new AbortController().signal,
        () => undefined
      )
    ).toEqual({ kind: 'unavailable' });
    await host.kernelState();
    tools.canGate = false;
    expect(
      await host.runGatedStep(
        step(1, 'x'),
        [],
        new AbortController().signal,
        () => undefined
      )
    ).toEqual({ kind: 'unavailable' });
    expect(model.cells.length).toBe(3);
  });

  it('removes the cell when the gate cannot decide: unavailable, or stopped after Stop', async () => {
    const { host, tools, model } = await setUp();
    await host.kernelState();
    tools.gateError = new Error('kernel busy');
    expect(
      await host.runGatedStep(
        step(1, 'x'),
        [],
        new AbortController().signal,
        () => undefined
      )
    ).toEqual({ kind: 'unavailable' });
    const stop = new AbortController();
    tools.gateError = new Error('interrupted');
    const gate = tools.gate.bind(tools);
    tools.gate = (...args) => {
      stop.abort();
      return gate(...args);
    };
    const stopped = await host.runGatedStep(
      step(2, 'y'),
      [],
      stop.signal,
      () => undefined
    );
    expect(stopped).toMatchObject({
      kind: 'ran',
      check: null,
      result: { outcome: 'stopped', cellId: '' }
    });
    expect(sources(model)).toEqual(['a = 1', 'b = 2', 'c = 3']);
  });
});

describe('NotebookExecutionHost.runCell / runGatedCell', () => {
  it('runs a user’s cell in place with the time limit', async () => {
    const { host, kernel, panel } = await setUp();
    kernel!.onExecute = execution => {
      execution.print('3\n');
      execution.finish('ok');
    };
    const cell = panel.content.widgets[2] as CodeCell;
    const result = await host.runCell(cell, {
      signal: new AbortController().signal,
      timeoutMs: 1000
    });
    expect(result).toMatchObject({
      outcome: 'ok',
      code: 'c = 3',
      executionCount: 1,
      cellId: cell.model.id
    });
    expect(streamText(result.outputs)).toBe('3\n');
  });

  it('skips a cell that is no longer in the notebook', async () => {
    const { host, panel, model, kernel } = await setUp();
    const cell = panel.content.widgets[0] as CodeCell;
    model.sharedModel.deleteCell(0);
    await settle();
    const options = { signal: new AbortController().signal, timeoutMs: 1000 };
    expect((await host.runCell(cell, options)).outcome).toBe('skipped');
    await host.kernelState();
    expect(await host.runGatedCell(cell, [], options)).toEqual({
      kind: 'unavailable'
    });
    expect(kernel!.executions).toHaveLength(0);
  });

  it('keeps a refused fixed cell, without the aborted request’s outputs', async () => {
    const { host, tools, panel, model } = await setUp();
    const cell = panel.content.widgets[1] as CodeCell;
    cell.model.outputs.add({
      output_type: 'stream',
      name: 'stdout',
      text: 'old\n'
    } as nbformat.IStream);
    cell.model.executionCount = 4;
    tools.checks.set('b = 2', NETWORK);
    await host.kernelState();
    const options = { signal: new AbortController().signal, timeoutMs: 1000 };
    expect(await host.runGatedCell(cell, [], options)).toEqual({
      kind: 'refused',
      check: NETWORK
    });
    expect(sources(model)).toEqual(['a = 1', 'b = 2', 'c = 3']);
    expect(cell.model.outputs.length).toBe(0);
    expect(cell.model.executionCount).toBeNull();

    tools.checks.delete('b = 2');
    const ran = await host.runGatedCell(cell, [], options);
    expect(ran).toMatchObject({ kind: 'ran', result: { outcome: 'ok' } });
    expect(cell.model.executionCount).toBe(1);
  });

  it('says stopped when Stop comes while the gate cannot decide', async () => {
    const { host, tools, panel } = await setUp();
    await host.kernelState();
    const stop = new AbortController();
    tools.gate = () => {
      stop.abort();
      return Promise.reject(new Error('interrupted'));
    };
    const cell = panel.content.widgets[0] as CodeCell;
    const gated = await host.runGatedCell(cell, [], {
      signal: stop.signal,
      timeoutMs: 1000
    });
    expect(gated).toMatchObject({
      kind: 'ran',
      check: null,
      result: { outcome: 'stopped', code: 'a = 1' }
    });
  });
});
