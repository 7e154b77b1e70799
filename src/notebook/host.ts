/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { Cell, CodeCell } from '@jupyterlab/cells';
import type { NotebookPanel } from '@jupyterlab/notebook';
import type { Contents, Kernel } from '@jupyterlab/services';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import type {
  ICheckResult,
  IExecutionHost,
  IKernelState,
  IStepRequest,
  IStepResult,
  StepOutcome,
  StepStatus
} from '../agent/tokens';
import { ApprovalOutcome, ApprovalRegistry, stepIdOf } from './approvals';
import { ensureKernel } from './bridge';
import { executeCell } from './execute';
import {
  getProvenance,
  ICellProvenance,
  statusOfOutcome,
  updateProvenance
} from './metadata';
import { markCell, ProposalBanner } from './proposal';
import {
  FolderSnapshot,
  folderOf,
  IFolderLister,
  newEntries,
  snapshotFolder
} from './workspace';

/**
 * What the host needs from the kernel tools (`src/kernel/`): a silent check
 * and the kernel's state.
 */
export interface IKernelTools {
  check(code: string): Promise<ICheckResult>;
  state(): Promise<IKernelState>;
  /** The kernel's execution count as of the last reply (`KernelTools`). */
  readonly executionCount?: number | null;
  /** Restarts seen so far: counts compare only within one. */
  readonly restarts?: number;
}

/**
 * Carries out the agent's steps in one notebook: proposes each as a cell,
 * waits for approval, runs it in the notebook's kernel and collects outputs.
 *
 * #### Notes
 * One host per notebook, so a turn keeps writing into its own notebook when
 * the user switches to another. `check` and `kernelState` are delegated to
 * kernel tools made for the notebook's current kernel.
 */
export class NotebookExecutionHost implements IExecutionHost, IDisposable {
  /**
   * Create a host for a notebook.
   */
  constructor(options: NotebookExecutionHost.IOptions) {
    this._panel = options.panel;
    this._approvals = options.approvals;
    this._contents = options.contents;
    this._createTools = options.createKernelTools;
    this._trans = options.trans;
    this._approvals.editRequested.connect(this._onEditRequested, this);
    this._contents.fileChanged?.connect(this._onFileChanged, this);
  }

  /**
   * Emitted with a message for the chat, e.g. that the kernel was restarted.
   */
  get notice(): ISignal<this, string> {
    return this._notice;
  }

  /**
   * The notebook the host writes into.
   */
  get panel(): NotebookPanel {
    return this._panel;
  }

  /**
   * Whether the host is disposed.
   */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Check code silently in the notebook's kernel.
   */
  async check(code: string): Promise<ICheckResult> {
    const tools = this._liveTools() ?? (await this._tools());
    const folder = folderOf(this._panel.context.path);
    // The folder's "before" listing goes out ahead of the check's request: a
    // step never waits for it (see `_beforeListing`).
    const listing = snapshotFolder(this._contents, folder);
    this._checked = null;
    const result = await tools.check(code);
    this._checked = {
      code,
      folder,
      tools,
      restarts: tools.restarts ?? 0,
      executionCount: tools.executionCount ?? null,
      listing
    };
    return result;
  }

  /**
   * The notebook kernel's variables, packages and files.
   */
  async kernelState(): Promise<IKernelState> {
    return (this._liveTools() ?? (await this._tools())).state();
  }

  /**
   * Propose, approve, run and collect one step.
   *
   * #### Notes
   * Never rejects for what happens in the kernel: every ending is an
   * outcome. It rejects only if the notebook is gone.
   */
  async runStep(
    request: IStepRequest,
    signal: AbortSignal,
    onStatus: (status: StepStatus) => void
  ): Promise<IStepResult> {
    const notebook = this._panel.content;
    const model = notebook.model;
    if (!model || this._panel.isDisposed) {
      throw new Error(
        this._trans.__('The notebook of this conversation is closed.')
      );
    }
    const stepId = stepIdOf(request);
    const provenance: ICellProvenance = {
      conversation: request.conversationId,
      turn: request.turnId,
      step: request.step,
      status: request.needsApproval ? 'proposed' : 'running'
    };
    const index = this._insertionIndex(request.conversationId);
    const shared = model.sharedModel.insertCell(index, {
      cell_type: 'code',
      source: request.code,
      metadata: { code_interpreter: { ...provenance } }
    });
    const cellId = shared.getId();
    const finish = (
      outcome: StepOutcome,
      cell: CodeCell | null,
      extra: Partial<IStepResult> = {}
    ): IStepResult => {
      const status = statusOfOutcome(outcome);
      if (cell && !cell.isDisposed) {
        updateProvenance(cell.model, {
          status,
          outcome,
          ...(extra.edited !== undefined ? { edited: extra.edited } : {})
        });
        markCell(cell, status);
      }
      onStatus(status);
      return {
        outcome,
        code: cell ? cell.model.sharedModel.getSource() : request.code,
        edited: false,
        outputs: cell ? cell.model.outputs.toJSON() : [],
        executionCount: cell ? cell.model.executionCount : null,
        cellId,
        ...extra
      };
    };

    let cell = this._cellById(cellId);
    if (cell) {
      markCell(cell, provenance.status);
      void notebook.scrollToCell(cell, 'auto');
    }

    if (request.needsApproval) {
      onStatus('proposed');
      const decision = await this._awaitApproval(
        stepId,
        cellId,
        request,
        signal
      );
      cell = this._cellById(cellId);
      if (decision !== 'run') {
        const outcome: StepOutcome =
          decision === 'cancelled' && signal.aborted ? 'stopped' : 'skipped';
        return finish(outcome, cell);
      }
    }
    if (!cell) {
      return finish('skipped', null);
    }
    if (signal.aborted) {
      return finish('stopped', cell);
    }

    if (!this._kernelIsLive()) {
      await this._ensureKernel();
    }
    const code = cell.model.sharedModel.getSource();
    const edited = code !== request.code;
    updateProvenance(cell.model, { status: 'running', edited });
    markCell(cell, 'running');
    onStatus('running');

    const folder = folderOf(this._panel.context.path);
    const before =
      this._beforeListing(request, folder) ??
      Promise.resolve(await snapshotFolder(this._contents, folder));
    // The "after" listing starts as soon as the code is done (its reply),
    // and is in flight while the cell's metadata is updated.
    let listing: Promise<FolderSnapshot> | null = null;
    const outcome = await executeCell(cell, this._panel.sessionContext, {
      signal,
      timeoutMs: request.timeoutMs,
      onReply: () => {
        listing ??= snapshotFolder(this._contents, folder);
      }
    });
    listing ??= snapshotFolder(this._contents, folder);
    const result = finish(outcome, cell, { code, edited });
    const after: FolderSnapshot = await listing;
    const newFiles = newEntries(await before, after);
    if (newFiles.length) {
      result.newFiles = newFiles;
    }
    this._lastAfter = this._checked
      ? {
          turnId: request.turnId,
          folder,
          tools: this._checked.tools,
          restarts: this._checked.tools.restarts ?? 0,
          executionCount: cell.isDisposed ? null : cell.model.executionCount,
          snapshot: after
        }
      : null;
    this._checked = null;
    return result;
  }

  /**
   * Scroll to a step's cell; with `edit`, focus its editor in edit mode.
   *
   * @returns whether the cell was found.
   */
  revealStep(stepId: string, edit = false): boolean {
    const notebook = this._panel.content;
    const index = notebook.widgets.findIndex(widget => {
      const provenance = getProvenance(widget.model);
      return (
        provenance !== null &&
        stepIdOf({ turnId: provenance.turn, step: provenance.step }) === stepId
      );
    });
    if (index < 0) {
      return false;
    }
    const cell = notebook.widgets[index];
    notebook.activeCellIndex = index;
    void notebook.scrollToCell(cell, 'center').then(() => {
      if (edit && !cell.isDisposed) {
        notebook.mode = 'edit';
        cell.editor?.focus();
      }
    });
    return true;
  }

  /**
   * Stop listening; pending approvals stay in the registry's hands.
   */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._approvals.editRequested.disconnect(this._onEditRequested, this);
    this._contents.fileChanged?.disconnect(this._onFileChanged, this);
    Signal.clearData(this);
  }

  /**
   * Where a new step cell goes: after the conversation's last cell; for the
   * first step, after the active cell, or at the end.
   */
  private _insertionIndex(conversation: string): number {
    const notebook = this._panel.content;
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
   * Wait for Run / Skip from the chat or the cell; deleting the cell skips,
   * Stop cancels.
   */
  private async _awaitApproval(
    stepId: string,
    cellId: string,
    request: IStepRequest,
    signal: AbortSignal
  ): Promise<ApprovalOutcome> {
    const model = this._panel.content.model!;
    const banner = new ProposalBanner({
      approvals: this._approvals,
      stepId,
      reason: request.approvalReason,
      trans: this._trans
    });
    const attach = (): void => {
      const cell = this._cellById(cellId);
      if (cell && !banner.isAttached && !banner.parent) {
        banner.attachTo(cell);
      }
    };
    attach();
    const onCellsChanged = (): void => {
      if (!this._cellById(cellId)) {
        this._approvals.cancel(stepId);
      } else {
        attach();
      }
    };
    const onAbort = (): void => void this._approvals.cancel(stepId);
    model.cells.changed.connect(onCellsChanged);
    signal.addEventListener('abort', onAbort);
    try {
      if (signal.aborted) {
        return 'cancelled';
      }
      return await this._approvals.request(stepId);
    } finally {
      model.cells.changed.disconnect(onCellsChanged);
      signal.removeEventListener('abort', onAbort);
      banner.dispose();
    }
  }

  private _cellById(cellId: string): CodeCell | null {
    const cell = this._panel.content.widgets.find(
      (widget: Cell) => widget.model.id === cellId
    );
    return cell && cell.model.type === 'code' ? (cell as CodeCell) : null;
  }

  /**
   * The folder as it was before the step's cell, without waiting for a
   * listing in front of the execute request.
   *
   * #### Notes
   * Within a turn, the previous step's "after" listing still holds when the
   * step's check found the kernel's execution count where that step left it
   * (no cell ran in between) and no file of the folder changed through
   * JupyterLab since. Otherwise the listing sent ahead of the check is used:
   * the server reads the folder's names as soon as it handles that request,
   * while the cell cannot start before the check's full round trip to the
   * kernel and back. Without a check of this code (a direct `runStep`) it
   * gives `null`: the caller lists the folder before running, as before.
   */
  private _beforeListing(
    request: IStepRequest,
    folder: string
  ): Promise<FolderSnapshot> | null {
    const checked = this._checked;
    if (
      !checked ||
      checked.code !== request.code ||
      checked.folder !== folder
    ) {
      return null;
    }
    const last = this._lastAfter;
    if (
      last &&
      last.turnId === request.turnId &&
      last.folder === folder &&
      last.tools === checked.tools &&
      last.restarts === checked.restarts &&
      last.executionCount !== null &&
      last.executionCount === checked.executionCount
    ) {
      return Promise.resolve(last.snapshot);
    }
    return checked.listing;
  }

  /**
   * Forget the last "after" listing when a file of the folder is created,
   * renamed or deleted through JupyterLab (an upload, the file browser).
   */
  private _onFileChanged(_: unknown, change: Contents.IChangedArgs): void {
    const last = this._lastAfter;
    if (!last) {
      return;
    }
    const touched = [change.oldValue?.path, change.newValue?.path];
    const inFolder = touched.some(
      path => typeof path === 'string' && folderOf(path) === last.folder
    );
    if (!inFolder) {
      return;
    }
    const saved = change.type === 'save' ? change.newValue : null;
    if (saved?.name && last.snapshot.has(saved.name)) {
      // A save of a file already listed (the notebook's autosave).
      return;
    }
    this._lastAfter = null;
  }

  /**
   * Whether the session has a live kernel now, so `ensureKernel` has nothing
   * to do and need not be awaited.
   */
  private _kernelIsLive(): boolean {
    const context = this._panel.sessionContext;
    const kernel = context.session?.kernel;
    return (
      context.isReady &&
      !!kernel &&
      kernel.status !== 'dead' &&
      kernel.connectionStatus !== 'disconnected'
    );
  }

  /**
   * The tools of the current kernel when it is live and they exist already.
   */
  private _liveTools(): IKernelTools | null {
    const kernel = this._panel.sessionContext.session?.kernel;
    const cached = this._kernelTools;
    return this._kernelIsLive() && cached && cached.kernel === kernel
      ? cached.tools
      : null;
  }

  private async _ensureKernel(): Promise<string | null> {
    const notice = await ensureKernel(this._panel.sessionContext, this._trans);
    if (notice) {
      this._notice.emit(notice);
    }
    return notice;
  }

  private async _tools(): Promise<IKernelTools> {
    await this._ensureKernel();
    const kernel = this._panel.sessionContext.session?.kernel;
    if (!kernel) {
      throw new Error(this._trans.__('The notebook has no running kernel.'));
    }
    if (!this._kernelTools || this._kernelTools.kernel !== kernel) {
      this._kernelTools = { kernel, tools: this._createTools(kernel) };
    }
    return this._kernelTools.tools;
  }

  private _onEditRequested(_: ApprovalRegistry, stepId: string): void {
    this.revealStep(stepId, true);
  }

  private _panel: NotebookPanel;
  private _approvals: ApprovalRegistry;
  private _contents: IFolderLister;
  private _createTools: (kernel: Kernel.IKernelConnection) => IKernelTools;
  private _trans: TranslationBundle;
  private _kernelTools: {
    kernel: Kernel.IKernelConnection;
    tools: IKernelTools;
  } | null = null;
  private _checked: Private.IChecked | null = null;
  private _lastAfter: Private.IAfterListing | null = null;
  private _notice = new Signal<this, string>(this);
  private _isDisposed = false;
}

/**
 * The namespace for `NotebookExecutionHost` statics.
 */
export namespace NotebookExecutionHost {
  /**
   * The options of a host.
   */
  export interface IOptions {
    /** The notebook the conversation belongs to. */
    panel: NotebookPanel;
    /** The pending approvals, shared with the chat's step cards. */
    approvals: ApprovalRegistry;
    /** The Contents API, for the workspace diff. */
    contents: IFolderLister;
    /** Kernel tools for a kernel connection (`new KernelTools(...)`). */
    createKernelTools: (kernel: Kernel.IKernelConnection) => IKernelTools;
    /** The extension's translations. */
    trans: TranslationBundle;
  }
}

/**
 * Private helpers.
 */
namespace Private {
  /**
   * The last check: its code, the kernel's count then, the listing sent ahead.
   */
  export interface IChecked {
    code: string;
    folder: string;
    tools: IKernelTools;
    restarts: number;
    executionCount: number | null;
    listing: Promise<FolderSnapshot>;
  }

  /**
   * The last step's "after" listing and where the kernel's count stood.
   */
  export interface IAfterListing {
    turnId: string;
    folder: string;
    tools: IKernelTools;
    restarts: number;
    executionCount: number | null;
    snapshot: FolderSnapshot;
  }
}
