/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

/**
 * `NotebookExecutionHost.runStep` in JupyterLab's own notebook widgets: the
 * step cell, its provenance and status, approvals from the chat or the
 * cell's banner, execution, Stop and the time limit. The kernel is
 * JupyterLab's mock kernel with its execute requests scripted (see
 * `notebook-fakes.ts` for why and how it answers); everything else is real.
 */

import type { CodeCell } from '@jupyterlab/cells';
import { Mock } from '@jupyterlab/testutils';

import { stepIdOf } from '../notebook/approvals';
import { getProvenance, METADATA_KEY } from '../notebook/metadata';
import {
  PROPOSED_CELL_CLASS,
  STATUS_ATTRIBUTE,
  STEP_CELL_CLASS
} from '../notebook/proposal';
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

describe('NotebookExecutionHost.runStep', () => {
  it('puts a step after the active cell, the next after the conversation’s last cell, with its provenance', async () => {
    const { host, panel, model } = await setUp();
    panel.content.activeCellIndex = 0;
    const first = await runStep(host, step(1, 'x = 1')).result;
    expect(sources(model)).toEqual(['a = 1', 'x = 1', 'b = 2', 'c = 3']);
    // The user moves on; the conversation's next step still follows its last.
    panel.content.activeCellIndex = 3;
    const second = await runStep(host, step(2, 'y = 2')).result;
    expect(sources(model)).toEqual([
      'a = 1',
      'x = 1',
      'y = 2',
      'b = 2',
      'c = 3'
    ]);
    const cell = model.cells.get(2);
    expect(cell.id).toBe(second.cellId);
    expect(cell.getMetadata(METADATA_KEY)).toEqual({
      conversation: 'conv',
      turn: 'turn-1',
      step: 2,
      status: 'done',
      outcome: 'ok',
      edited: false
    });
    expect(getProvenance(model.cells.get(1))?.step).toBe(1);
    expect(first.cellId).toBe(model.cells.get(1).id);
  });

  it('puts another conversation’s first step after the active cell', async () => {
    const { host, panel, model } = await setUp();
    await runStep(host, step(1, 'x = 1')).result;
    panel.content.activeCellIndex = 3;
    await runStep(host, { ...step(1, 'z = 0'), conversationId: 'other' })
      .result;
    expect(sources(model)).toEqual([
      'a = 1',
      'x = 1',
      'b = 2',
      'c = 3',
      'z = 0'
    ]);
  });

  it('moves a proposed step through proposed, running and done, with its outputs', async () => {
    const { host, approvals, kernel, panel } = await setUp();
    kernel!.onExecute = execution => {
      execution.start();
      execution.print('hello\n');
      execution.finish('ok');
    };
    const run = runStep(
      host,
      step(1, "print('hello')", {
        needsApproval: true,
        approvalReason: 'Network: calls requests.get'
      })
    );
    await settle();
    expect(run.statuses).toEqual(['proposed']);
    expect(approvals.isPending('turn-1/1')).toBe(true);
    const cell = panel.content.widgets[1] as CodeCell;
    expect(getProvenance(cell.model)?.status).toBe('proposed');
    expect(cell.hasClass(PROPOSED_CELL_CLASS)).toBe(true);
    expect(cell.node.getAttribute(STATUS_ATTRIBUTE)).toBe('proposed');
    const banner = cell.node.querySelector(
      '.jp-CodeInterpreter-proposalBanner'
    );
    expect(banner?.textContent).toContain('Network: calls requests.get');
    expect(kernel!.executions).toHaveLength(0);

    approvals.decide('turn-1/1', 'run');
    const result = await run.result;
    expect(run.statuses).toEqual(['proposed', 'running', 'done']);
    expect(result).toMatchObject({
      outcome: 'ok',
      code: "print('hello')",
      edited: false,
      executionCount: 1,
      cellId: cell.model.id
    });
    expect(streamText(result.outputs)).toBe('hello\n');
    expect(cell.model.executionCount).toBe(1);
    expect(cell.hasClass(STEP_CELL_CLASS)).toBe(true);
    expect(cell.hasClass(PROPOSED_CELL_CLASS)).toBe(false);
    expect(cell.node.getAttribute(STATUS_ATTRIBUTE)).toBe('done');
    expect(
      cell.node.querySelector('.jp-CodeInterpreter-proposalBanner')
    ).toBeNull();
  });

  it('marks a step that raised as failed, with the error in its outputs', async () => {
    const { host, kernel, model } = await setUp();
    kernel!.onExecute = execution =>
      execution.finish('error', 'ZeroDivisionError', 'division by zero');
    const run = runStep(host, step(1, '1 / 0'));
    const result = await run.result;
    expect(run.statuses).toEqual(['running', 'failed']);
    expect(result.outcome).toBe('error');
    expect(result.outputs).toEqual([
      expect.objectContaining({
        output_type: 'error',
        ename: 'ZeroDivisionError'
      })
    ]);
    expect(getProvenance(model.cells.get(1))).toMatchObject({
      status: 'failed',
      outcome: 'error'
    });
  });

  it('runs the edited source after Edit, and records that it was edited', async () => {
    const { host, approvals, kernel, model, panel } = await setUp();
    const run = runStep(host, step(1, 'x = 1', { needsApproval: true }));
    await settle();
    expect(approvals.requestEdit('turn-1/1')).toBe(true);
    await settle();
    // Edit focuses the proposed cell in edit mode; the step still waits.
    expect(panel.content.activeCellIndex).toBe(1);
    expect(panel.content.mode).toBe('edit');
    expect(approvals.isPending('turn-1/1')).toBe(true);
    model.cells.get(1).sharedModel.setSource('x = 2');
    approvals.decide('turn-1/1', 'run');
    const result = await run.result;
    expect(kernel!.executions.map(e => e.code)).toEqual(['x = 2']);
    expect(result).toMatchObject({
      outcome: 'ok',
      code: 'x = 2',
      edited: true
    });
    expect(getProvenance(model.cells.get(1))).toMatchObject({
      status: 'done',
      edited: true
    });
  });

  it('stops, not runs, when Stop comes with the Run', async () => {
    const { host, approvals, kernel } = await setUp();
    const stop = new AbortController();
    const run = runStep(
      host,
      step(1, 'x = 1', { needsApproval: true }),
      stop.signal
    );
    await settle();
    approvals.decide('turn-1/1', 'run');
    stop.abort();
    expect((await run.result).outcome).toBe('stopped');
    expect(kernel!.executions).toHaveLength(0);
  });

  it('runs a blank step as done without a request to the kernel', async () => {
    const { host, kernel } = await setUp();
    const run = runStep(host, step(1, '   '));
    expect((await run.result).outcome).toBe('ok');
    expect(run.statuses).toEqual(['running', 'done']);
    expect(kernel!.executions).toHaveLength(0);
  });

  it('skips the step when Skip is pressed, and runs nothing', async () => {
    const { host, approvals, kernel, model } = await setUp();
    const run = runStep(host, step(1, 'x = 1', { needsApproval: true }));
    await settle();
    approvals.decide('turn-1/1', 'skip');
    const result = await run.result;
    expect(run.statuses).toEqual(['proposed', 'skipped']);
    expect(result.outcome).toBe('skipped');
    expect(kernel!.executions).toHaveLength(0);
    expect(getProvenance(model.cells.get(1))).toMatchObject({
      status: 'skipped',
      outcome: 'skipped'
    });
  });

  it('skips the step when its proposed cell is deleted', async () => {
    const { host, approvals, kernel, model } = await setUp();
    const run = runStep(host, step(1, 'x = 1', { needsApproval: true }));
    await settle();
    model.sharedModel.deleteCell(1);
    const result = await run.result;
    expect(run.statuses).toEqual(['proposed', 'skipped']);
    expect(result).toMatchObject({ outcome: 'skipped', code: 'x = 1' });
    expect(approvals.pending).toEqual([]);
    expect(kernel!.executions).toHaveLength(0);
    expect(sources(model)).toEqual(['a = 1', 'b = 2', 'c = 3']);
  });

  it.each([
    ['down', 3],
    ['up', 0]
  ])(
    'keeps a proposed step, and its banner, when its cell is moved %s',
    async (_, to) => {
      const { host, approvals, kernel, model, panel } = await setUp();
      const run = runStep(host, step(1, 'x = 1', { needsApproval: true }));
      await settle();
      model.sharedModel.moveCell(1, to);
      await settle();
      expect(approvals.isPending('turn-1/1')).toBe(true);
      expect(sources(model)[to]).toBe('x = 1');
      const runButton = panel.content.widgets[to].node.querySelector(
        '.jp-CodeInterpreter-cellRun'
      ) as HTMLButtonElement;
      expect(runButton).not.toBeNull();
      runButton.click();
      expect((await run.result).outcome).toBe('ok');
      expect(kernel!.executions.map(e => e.code)).toEqual(['x = 1']);
    }
  );

  it('takes the first decision: the banner’s Skip, then the chat’s Run is ignored', async () => {
    const { host, approvals, kernel, panel } = await setUp();
    const run = runStep(host, step(1, 'x = 1', { needsApproval: true }));
    await settle();
    const skip = panel.content.widgets[1].node.querySelector(
      '.jp-CodeInterpreter-cellSkip'
    ) as HTMLButtonElement;
    skip.click();
    expect(approvals.decide('turn-1/1', 'run')).toBe(false);
    expect((await run.result).outcome).toBe('skipped');
    expect(kernel!.executions).toHaveLength(0);
  });

  it('runs from the banner’s Run button', async () => {
    const { host, kernel, panel } = await setUp();
    const run = runStep(host, step(1, 'x = 1', { needsApproval: true }));
    await settle();
    (
      panel.content.widgets[1].node.querySelector(
        '.jp-CodeInterpreter-cellRun'
      ) as HTMLButtonElement
    ).click();
    expect((await run.result).outcome).toBe('ok');
    expect(kernel!.executions.map(e => e.code)).toEqual(['x = 1']);
  });

  it('stops a proposed step on Stop without running it', async () => {
    const { host, kernel, model } = await setUp();
    const stop = new AbortController();
    const run = runStep(
      host,
      step(1, 'x = 1', { needsApproval: true }),
      stop.signal
    );
    await settle();
    stop.abort();
    const result = await run.result;
    expect(run.statuses).toEqual(['proposed', 'stopped']);
    expect(result.outcome).toBe('stopped');
    expect(kernel!.executions).toHaveLength(0);
    expect(getProvenance(model.cells.get(1))?.status).toBe('stopped');
  });

  it('interrupts a running step on Stop', async () => {
    const { host, kernel, model } = await setUp();
    kernel!.onExecute = execution => execution.start();
    const stop = new AbortController();
    const run = runStep(host, step(1, 'while True: pass'), stop.signal);
    await settle();
    expect(run.statuses).toEqual(['running']);
    stop.abort();
    const result = await run.result;
    expect(kernel!.interrupts).toBe(1);
    expect(run.statuses).toEqual(['running', 'stopped']);
    expect(result.outcome).toBe('stopped');
    expect(getProvenance(model.cells.get(1))).toMatchObject({
      status: 'stopped',
      outcome: 'stopped'
    });
  });

  it('counts the time limit from when the kernel starts the cell', async () => {
    const { host, kernel } = await setUp();
    // The kernel is busy with a cell of the user's: this one waits.
    kernel!.onExecute = () => undefined;
    const run = runStep(host, step(1, 'while True: pass', { timeoutMs: 30 }));
    await new Promise(resolve => setTimeout(resolve, 80));
    expect(kernel!.interrupts).toBe(0);
    kernel!.last.start();
    const result = await run.result;
    expect(kernel!.interrupts).toBe(1);
    expect(result.outcome).toBe('timeout');
    expect(run.statuses).toEqual(['running', 'failed']);
  });

  it('gives up on a kernel that ignores the interrupt after the grace period', async () => {
    const { host, kernel } = await setUp();
    kernel!.ignoreInterrupts = true;
    kernel!.onExecute = execution => execution.start();
    jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'setImmediate'] });
    try {
      const stop = new AbortController();
      const run = runStep(host, step(1, 'sleep()'), stop.signal);
      await jest.advanceTimersByTimeAsync(10);
      stop.abort();
      let outcome: string | null = null;
      void run.result.then(result => (outcome = result.outcome));
      // The interrupt's grace period, then the brief wait for the listing.
      await jest.advanceTimersByTimeAsync(9999);
      expect(outcome).toBeNull();
      await jest.advanceTimersByTimeAsync(1001);
      await jest.advanceTimersByTimeAsync(1000);
      expect(outcome).toBe('stopped');
      expect(kernel!.interrupts).toBe(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('ends a step as kernel_died when the kernel dies while it runs', async () => {
    const { host, kernel, panel } = await setUp();
    kernel!.onExecute = execution => execution.start();
    const run = runStep(host, step(1, 'import os; os._exit(1)'));
    await settle();
    Mock.updateKernelStatus(panel.sessionContext, 'dead');
    const result = await run.result;
    expect(result.outcome).toBe('kernel_died');
    expect(run.statuses).toEqual(['running', 'failed']);
  });

  it('ends a step as kernel_died when the kernel restarts and cancels it', async () => {
    const { host, kernel } = await setUp();
    kernel!.onExecute = execution => execution.start();
    const run = runStep(host, step(1, 'x = 1'));
    await settle();
    kernel!.last.cancel();
    expect((await run.result).outcome).toBe('kernel_died');
  });

  it('lists new files, reusing the listing taken with the step’s check', async () => {
    const { host, kernel, tools } = await setUp();
    kernel!.onExecute = execution => {
      tools.files.push('chart.png');
      execution.finish('ok');
    };
    await expect(host.check('plot()')).resolves.toEqual({
      syntaxError: null,
      findings: []
    });
    const result = await runStep(host, step(1, 'plot()')).result;
    expect(result.newFiles).toEqual(['chart.png']);
    // The "before" listing rode on the check; the "after" one was queued.
    expect(tools.calls).toEqual(['check plot()', 'listing queued']);
  });

  it('gives the kernel state through the tools', async () => {
    const { host, tools } = await setUp();
    const state = await host.kernelState();
    expect(state.variables.map(v => v.name)).toEqual(['df']);
    expect(tools.calls).toEqual(['state']);
  });

  it('restarts a dead kernel before the step runs, and tells the chat', async () => {
    const { host, kernel, panel } = await setUp();
    const notices: string[] = [];
    host.notice.connect((_, notice) => notices.push(notice));
    Mock.updateKernelStatus(panel.sessionContext, 'dead');
    const result = await runStep(host, step(1, 'x = 1')).result;
    expect(kernel!.restarts).toBe(1);
    expect(notices).toEqual([
      'The kernel had died: restarted it. Variables from earlier cells are gone.'
    ]);
    expect(result.outcome).toBe('ok');
  });

  it('rejects when the notebook is closed', async () => {
    const { host, panel } = await setUp();
    panel.dispose();
    await expect(
      host.runStep(step(1, 'x'), new AbortController().signal, () => undefined)
    ).rejects.toThrow('The notebook of this conversation is closed.');
  });

  it('stops listening to edit requests once disposed', async () => {
    const { host, approvals, panel } = await setUp();
    panel.content.activeCellIndex = 2;
    host.dispose();
    expect(host.isDisposed).toBe(true);
    void approvals.request('turn-1/1');
    approvals.requestEdit('turn-1/1');
    expect(panel.content.activeCellIndex).toBe(2);
    expect(host.revealStep('turn-9/9')).toBe(false);
  });
});

describe('NotebookExecutionHost.revealStep', () => {
  it('finds a step’s cell by turn and step, and makes it active', async () => {
    const { host, panel } = await setUp();
    await runStep(host, step(1, 'x = 1')).result;
    panel.content.activeCellIndex = 0;
    expect(host.revealStep(stepIdOf({ turnId: 'turn-1', step: 1 }))).toBe(true);
    expect(panel.content.activeCellIndex).toBe(1);
    expect(host.revealStep('turn-1/2')).toBe(false);
  });
});
