/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

/**
 * `NotebookBridge` and `ensureKernel`: which notebook the chat works in, a
 * new notebook when there is none, a kernel when it has none or it died.
 * Notebooks and session contexts are JupyterLab's own on its mocked services
 * (`notebook-fixture.ts`); the tracker and the document manager are stand-ins
 * for the two things the bridge reads of them.
 */

import type { IDocumentManager } from '@jupyterlab/docmanager';
import { Mock } from '@jupyterlab/testutils';
import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { nullTranslator } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';

import { ensureKernel, NotebookBridge } from '../notebook/bridge';
import {
  closeNotebooks,
  hushKnownWarnings,
  openNotebook
} from './notebook-fixture';

const trans = nullTranslator.load('jupyterlab_code_interpreter');

/**
 * The notebook tracker's current notebook and its signal.
 */
class Tracker {
  currentWidget: NotebookPanel | null = null;
  readonly currentChanged = new Signal<this, NotebookPanel | null>(this);

  focus(panel: NotebookPanel | null): void {
    this.currentWidget = panel;
    this.currentChanged.emit(panel);
  }
}

/**
 * A document manager that creates `Untitled.ipynb` and opens `panel` for it.
 */
class DocManager {
  constructor(public panel: NotebookPanel | undefined) {}

  calls: unknown[][] = [];
  services = { kernelspecs: { specs: { default: 'python3' } } };

  async newUntitled(options: unknown): Promise<{ path: string }> {
    this.calls.push(['newUntitled', options]);
    return { path: 'work/Untitled.ipynb' };
  }

  open(path: string, factory: string, kernel: unknown) {
    this.calls.push(['open', path, factory, kernel]);
    return this.panel;
  }
}

function bridgeOf(tracker: Tracker, docManager = new DocManager(undefined)) {
  return new NotebookBridge({
    tracker: tracker as unknown as INotebookTracker,
    docManager: docManager as unknown as IDocumentManager,
    cwd: () => 'work',
    trans
  });
}

function notebook(options?: { kernel?: boolean }) {
  return openNotebook(['a = 1'], options);
}

hushKnownWarnings();

afterEach(closeNotebooks);

describe('NotebookBridge', () => {
  it('follows the active notebook, and keeps the last one when the tracker forgets it', async () => {
    const a = await notebook();
    const b = await notebook();
    const tracker = new Tracker();
    tracker.currentWidget = a.panel;
    const bridge = bridgeOf(tracker);
    const changes: Array<NotebookPanel | null> = [];
    bridge.currentChanged.connect((_, panel) => changes.push(panel));
    expect(bridge.currentPanel).toBe(a.panel);

    tracker.focus(b.panel);
    expect(bridge.currentPanel).toBe(b.panel);
    // Focus on a console: the tracker has no notebook, the chat keeps b.
    tracker.focus(null);
    expect(bridge.currentPanel).toBe(b.panel);
    tracker.focus(b.panel);
    expect(changes).toEqual([b.panel]);
  });

  it('lets go of a closed notebook', async () => {
    const a = await notebook();
    const tracker = new Tracker();
    tracker.currentWidget = a.panel;
    const bridge = bridgeOf(tracker);
    const changes: Array<NotebookPanel | null> = [];
    bridge.currentChanged.connect((_, panel) => changes.push(panel));
    a.panel.dispose();
    tracker.focus(null);
    expect(bridge.currentPanel).toBeNull();
    expect(changes).toEqual([null]);
  });

  it('gives the current notebook without asking', async () => {
    const a = await notebook();
    const tracker = new Tracker();
    tracker.currentWidget = a.panel;
    const confirm = jest.fn(async () => true);
    const docManager = new DocManager(undefined);
    const bridge = bridgeOf(tracker, docManager);
    expect(await bridge.ensureNotebook(confirm)).toBe(a.panel);
    expect(confirm).not.toHaveBeenCalled();
    expect(docManager.calls).toEqual([]);
  });

  it('creates no notebook unless the user agrees', async () => {
    const docManager = new DocManager(undefined);
    const bridge = bridgeOf(new Tracker(), docManager);
    expect(await bridge.ensureNotebook()).toBeNull();
    expect(await bridge.ensureNotebook(async () => false)).toBeNull();
    expect(docManager.calls).toEqual([]);
  });

  it('creates a notebook in the file browser’s folder with the default kernel, and works in it', async () => {
    const created = await notebook();
    const docManager = new DocManager(created.panel);
    const bridge = bridgeOf(new Tracker(), docManager);
    const changes: Array<NotebookPanel | null> = [];
    bridge.currentChanged.connect((_, panel) => changes.push(panel));
    expect(await bridge.ensureNotebook(async () => true)).toBe(created.panel);
    expect(docManager.calls).toEqual([
      ['newUntitled', { path: 'work', type: 'notebook' }],
      ['open', 'work/Untitled.ipynb', 'Notebook', { name: 'python3' }]
    ]);
    expect(bridge.currentPanel).toBe(created.panel);
    expect(changes).toEqual([created.panel]);
  });

  it('says which notebook could not be opened', async () => {
    const bridge = bridgeOf(new Tracker(), new DocManager(undefined));
    await expect(bridge.createNotebook()).rejects.toThrow(
      'Could not open the new notebook work/Untitled.ipynb.'
    );
  });

  it('stops following the tracker once disposed', async () => {
    const a = await notebook();
    const tracker = new Tracker();
    const bridge = bridgeOf(tracker);
    bridge.dispose();
    bridge.dispose();
    expect(bridge.isDisposed).toBe(true);
    tracker.focus(a.panel);
    // Without a remembered notebook it reads the tracker's.
    expect(bridge.currentPanel).toBe(a.panel);
    tracker.focus(null);
    expect(bridge.currentPanel).toBeNull();
  });
});

describe('ensureKernel', () => {
  it('does nothing to a live kernel', async () => {
    const { panel } = await notebook();
    const bridge = bridgeOf(new Tracker());
    expect(await bridge.ensureKernel(panel)).toBeNull();
  });

  it('starts the default kernel in a notebook without one', async () => {
    const { panel } = await notebook({ kernel: false });
    expect(panel.sessionContext.session?.kernel ?? null).toBeNull();
    expect(await ensureKernel(panel.sessionContext, trans)).toBe(
      'The notebook had no kernel: started python3.'
    );
    expect(panel.sessionContext.session?.kernel).toBeTruthy();
  });

  it('restarts a dead kernel, and says that variables are gone', async () => {
    const { panel, kernel } = await notebook();
    Mock.updateKernelStatus(panel.sessionContext, 'dead');
    expect(await ensureKernel(panel.sessionContext, trans)).toBe(
      'The kernel had died: restarted it. Variables from earlier cells are gone.'
    );
    expect(kernel!.restarts).toBe(1);
    expect(await ensureKernel(panel.sessionContext, trans)).toBeNull();
  });
});
