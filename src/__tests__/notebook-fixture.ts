/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

/**
 * A notebook for the jest specs of `src/notebook/` and the cell commands:
 * JupyterLab's own `NotebookPanel`, `Context`, `NotebookModel` and cell
 * widgets, on JupyterLab's mocked services (`@jupyterlab/testutils`), with
 * the scripted kernel of `notebook-fakes.ts`.
 */

import { SessionContextDialogs } from '@jupyterlab/apputils';
import { Context } from '@jupyterlab/docregistry';
import type * as nbformat from '@jupyterlab/nbformat';
import {
  NotebookModel,
  NotebookModelFactory,
  NotebookPanel
} from '@jupyterlab/notebook';
import { ServiceManagerMock } from '@jupyterlab/services/lib/testutils';
import { NBTestUtils } from '@jupyterlab/testutils';
import { nullTranslator } from '@jupyterlab/translation';
import { UUID } from '@lumino/coreutils';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import type { IStepRequest, StepStatus } from '../agent/tokens';
import { ApprovalRegistry } from '../notebook/approvals';
import { NotebookExecutionHost } from '../notebook/host';
import { FakeTools, ScriptedKernel } from './notebook-fakes';

/**
 * A notebook panel on mocked services, attached to the document.
 */
export interface ITestNotebook {
  panel: NotebookPanel;
  model: NotebookModel;
  /** The scripted kernel; null when the notebook has none. */
  kernel: ScriptedKernel | null;
  dispose(): void;
}

/**
 * Open a notebook holding `sources` as code cells.
 *
 * @param options.kernel - start a (scripted) kernel; default true.
 * @param options.documentUndo - the notebook-level undo history (JupyterLab's
 *   "document-wide undo/redo" setting); default true, so a spec can tell
 *   what undo brings back.
 */
export async function openNotebook(
  sources: string[] = [],
  options: { kernel?: boolean; documentUndo?: boolean } = {}
): Promise<ITestNotebook> {
  const startKernel = options.kernel ?? true;
  const context = new Context({
    sessionDialogs: new SessionContextDialogs(),
    manager: new ServiceManagerMock(),
    factory: new NotebookModelFactory({
      disableDocumentWideUndoRedo: !(options.documentUndo ?? true)
    }),
    path: `${UUID.uuid4()}.ipynb`,
    kernelPreference: {
      shouldStart: startKernel,
      canStart: startKernel,
      autoStartDefault: startKernel
    }
  });
  await context.initialize(true);
  await context.sessionContext.initialize();
  const panel = NBTestUtils.createNotebookPanel(context);
  const model = context.model as NotebookModel;
  model.sharedModel.transact(() => {
    model.sharedModel.deleteCellRange(0, model.sharedModel.cells.length);
    model.sharedModel.insertCells(
      0,
      sources.map(source => ({ cell_type: 'code', source }))
    );
  }, false);
  model.sharedModel.clearUndoHistory();
  Widget.attach(panel, document.body);
  MessageLoop.flush();
  panel.content.activeCellIndex = 0;
  const connection = context.sessionContext.session?.kernel ?? null;
  const kernel = connection ? new ScriptedKernel(connection) : null;
  const notebook: ITestNotebook = {
    panel,
    model,
    kernel,
    dispose: () => {
      panel.dispose();
      context.dispose();
    }
  };
  Private.opened.push(notebook);
  return notebook;
}

/**
 * Close every notebook opened so far (for `afterEach`).
 */
export function closeNotebooks(): void {
  while (Private.opened.length) {
    Private.opened.pop()!.dispose();
  }
}

/**
 * A notebook (cells `a = 1`, `b = 2`, `c = 3` by default) with its host,
 * approvals and kernel tools.
 */
export async function openHost(cells: string[] = ['a = 1', 'b = 2', 'c = 3']) {
  const nb = await openNotebook(cells);
  const tools = new FakeTools(nb.kernel);
  const approvals = new ApprovalRegistry();
  const host = new NotebookExecutionHost({
    panel: nb.panel,
    approvals,
    createKernelTools: () => tools,
    trans: nullTranslator.load('jupyterlab_code_interpreter')
  });
  return { ...nb, tools, approvals, host };
}

/**
 * A step request of the conversation `conv`, turn `turn-1`.
 */
export function step(
  number: number,
  code: string,
  extra: Partial<IStepRequest> = {}
): IStepRequest {
  return {
    conversationId: 'conv',
    turnId: 'turn-1',
    step: number,
    toolCallId: `call_${number}`,
    code,
    needsApproval: false,
    timeoutMs: 5000,
    ...extra
  };
}

/**
 * Run a step, recording its statuses.
 */
export function runStep(
  host: NotebookExecutionHost,
  request: IStepRequest,
  signal = new AbortController().signal
) {
  const statuses: StepStatus[] = [];
  const result = host.runStep(request, signal, status => statuses.push(status));
  return { result, statuses };
}

/**
 * The code cells' sources, in order.
 */
export function sources(model: NotebookModel): string[] {
  return Array.from(model.cells).map(cell => cell.sharedModel.getSource());
}

/**
 * Let promises, timers of 0 ms and Lumino messages run.
 */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await new Promise(resolve => setTimeout(resolve, 0));
    MessageLoop.flush();
  }
}

/**
 * Keep out of the test log the warnings Yjs gives when JupyterLab creates a
 * cell before it joins the notebook's document (it reads the cell, and its
 * undo manager looks at it, first); any other warning still shows.
 */
export function hushKnownWarnings(): void {
  const known = [
    'Invalid access: Add Yjs type to a document before reading data.',
    '[yjs#509] Not same Y.Doc'
  ];
  const warn = console.warn;
  let spy: jest.SpyInstance | null = null;
  beforeAll(() => {
    spy = jest.spyOn(console, 'warn').mockImplementation((...args) => {
      const message = args.map(String).join(' ');
      if (!known.some(text => message.includes(text))) {
        warn(...args);
      }
    });
  });
  afterAll(() => spy?.mockRestore());
}

/**
 * The text of stream outputs.
 */
export function streamText(outputs: nbformat.IOutput[]): string {
  return outputs
    .filter(output => output.output_type === 'stream')
    .map(output => String((output as nbformat.IStream).text))
    .join('');
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * The notebooks open, for `closeNotebooks`.
   */
  export const opened: ITestNotebook[] = [];
}
