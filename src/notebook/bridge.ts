/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { ISessionContext } from '@jupyterlab/apputils';
import type { IDocumentManager } from '@jupyterlab/docmanager';
import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

/**
 * The widget factory that opens notebooks in JupyterLab.
 */
const NOTEBOOK_FACTORY = 'Notebook';

/**
 * Follows the notebook the chat works in, and opens one or starts its kernel
 * when there is none.
 *
 * #### Notes
 * The notebook tracker keeps the last notebook current while focus is in the
 * sidebar; the bridge also remembers it if the tracker forgets (focus on a
 * console or a text editor), until that notebook is closed.
 */
export class NotebookBridge implements IDisposable {
  /**
   * Create a bridge.
   */
  constructor(options: NotebookBridge.IOptions) {
    this._tracker = options.tracker;
    this._docManager = options.docManager;
    this._cwd = options.cwd ?? (() => '');
    this._trans = options.trans;
    this._current = this._tracker.currentWidget;
    this._tracker.currentChanged.connect(this._onCurrentChanged, this);
  }

  /**
   * Emitted when the notebook the chat works in changes.
   */
  get currentChanged(): ISignal<this, NotebookPanel | null> {
    return this._currentChanged;
  }

  /**
   * The notebook the chat works in: the active one, or the last active one.
   */
  get currentPanel(): NotebookPanel | null {
    if (this._current && !this._current.isDisposed) {
      return this._current;
    }
    return this._tracker.currentWidget;
  }

  /**
   * Whether the bridge is disposed.
   */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * The current notebook; with none, a new one if `confirm` agrees.
   *
   * @param confirm - asks the user whether to create a notebook.
   */
  async ensureNotebook(
    confirm?: () => Promise<boolean>
  ): Promise<NotebookPanel | null> {
    const current = this.currentPanel;
    if (current) {
      return current;
    }
    if (!confirm || !(await confirm())) {
      return null;
    }
    return this.createNotebook();
  }

  /**
   * Create an untitled notebook in the file browser's folder, open it with
   * the default (Python) kernel, and wait until its kernel is ready.
   */
  async createNotebook(): Promise<NotebookPanel> {
    const model = await this._docManager.newUntitled({
      path: this._cwd(),
      type: 'notebook'
    });
    const widget = this._docManager.open(model.path, NOTEBOOK_FACTORY, {
      name: this._docManager.services.kernelspecs.specs?.default || 'python3'
    });
    if (!widget) {
      throw new Error(
        this._trans.__('Could not open the new notebook %1.', model.path)
      );
    }
    const panel = widget as NotebookPanel;
    await panel.context.ready;
    await panel.sessionContext.ready;
    this._setCurrent(panel);
    return panel;
  }

  /**
   * Make sure a notebook has a live kernel: start one if it has none, restart
   * it if it died.
   *
   * @returns a notice for the chat when something was done, else null.
   */
  async ensureKernel(panel: NotebookPanel): Promise<string | null> {
    return ensureKernel(panel.sessionContext, this._trans);
  }

  /**
   * Stop following notebooks.
   */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._tracker.currentChanged.disconnect(this._onCurrentChanged, this);
    Signal.clearData(this);
  }

  private _onCurrentChanged(_: unknown, panel: NotebookPanel | null): void {
    if (panel) {
      this._setCurrent(panel);
    } else if (this._current?.isDisposed) {
      this._setCurrent(null);
    }
  }

  private _setCurrent(panel: NotebookPanel | null): void {
    if (panel === this._current) {
      return;
    }
    this._current = panel;
    this._currentChanged.emit(panel);
  }

  private _tracker: INotebookTracker;
  private _docManager: IDocumentManager;
  private _cwd: () => string;
  private _trans: TranslationBundle;
  private _current: NotebookPanel | null;
  private _currentChanged = new Signal<this, NotebookPanel | null>(this);
  private _isDisposed = false;
}

/**
 * The namespace for `NotebookBridge` statics.
 */
export namespace NotebookBridge {
  /**
   * The options of a bridge.
   */
  export interface IOptions {
    /**
     * The notebooks open in JupyterLab.
     */
    tracker: INotebookTracker;

    /**
     * Opens and creates documents.
     */
    docManager: IDocumentManager;

    /**
     * The folder new notebooks go to: the default file browser's.
     */
    cwd?: () => string;

    /**
     * The extension's translations.
     */
    trans: TranslationBundle;
  }
}

/**
 * Make sure a session has a live kernel: start the default one if it has
 * none, restart it if it died.
 *
 * @returns a notice for the chat when something was done, else null.
 */
export async function ensureKernel(
  sessionContext: ISessionContext,
  trans: TranslationBundle
): Promise<string | null> {
  await sessionContext.ready;
  const kernel = sessionContext.session?.kernel;
  if (!kernel) {
    const name = sessionContext.specsManager.specs?.default || 'python3';
    await sessionContext.changeKernel({ name });
    return trans.__('The notebook had no kernel: started %1.', name);
  }
  if (kernel.status === 'dead' || kernel.connectionStatus === 'disconnected') {
    await sessionContext.restartKernel();
    return trans.__(
      'The kernel had died: restarted it. Variables from earlier cells are gone.'
    );
  }
  return null;
}
