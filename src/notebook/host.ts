/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { CodeCell } from '@jupyterlab/cells';
import type { NotebookPanel } from '@jupyterlab/notebook';
import type { Kernel } from '@jupyterlab/services';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { IDisposable } from '@lumino/disposable';
import { UUID } from '@lumino/coreutils';
import { ISignal, Signal } from '@lumino/signaling';

import type {
  ICheckResult,
  IExecutionHost,
  IGatedStep,
  IKernelState,
  IStepRequest,
  IStepResult,
  PolicyCategory,
  StepOutcome,
  StepStatusCallback
} from '../agent/tokens';
import { ApprovalRegistry, stepIdOf } from './approvals';
import { ensureKernel } from './bridge';
import { cellResult, runGatedCell, sendGated } from './cellrun';
import { executeCell } from './execute';
import { getProvenance, updateProvenance } from './metadata';
import type { IFolderListing } from '../kernel/listing';
import type { IKernelTools } from '../kernel/tools';
import type { IFileSummary } from '../uploads/summaries';
import { listFolder, queueListing, withNewFiles } from './newfiles';
import { noteCellRun, watchUnrepaired } from './failedmark';
import { KernelRuns } from './kernelruns';
import { attemptsOf } from './replacement';
import { codeCellById, placeStepCell } from './stepcell';
import { markCell } from './proposal';
import { awaitStepApproval } from './stepapproval';

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
    this._createTools = options.createKernelTools;
    this._trans = options.trans;
    this._approvals.editRequested.connect(this._onEditRequested, this);
    this._markers = watchUnrepaired(this._panel, this._trans);
    this._kernelRuns = new KernelRuns(this._panel.sessionContext);
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
   * How many times the notebook's kernel ran code (not silently) or
   * restarted so far (`KernelRuns`).
   */
  kernelRuns(): number {
    return this._kernelRuns.count;
  }

  /**
   * Check code silently in the notebook's kernel.
   */
  async check(code: string): Promise<ICheckResult> {
    const tools = this._liveTools() ?? (await this._tools());
    this._checked = null;
    // The folder's "before" listing rides on the check's request.
    const { check, listing } = await tools.checkAndList(code);
    this._checked = {
      code,
      tools,
      restarts: tools.restarts ?? 0,
      listing
    };
    return check;
  }

  /**
   * The notebook kernel's variables, packages and files.
   */
  async kernelState(): Promise<IKernelState> {
    return (this._liveTools() ?? (await this._tools())).state();
  }

  /**
   * Summaries of uploaded files, by path from the notebook's folder, read in
   * its kernel (started if needed).
   */
  async fileSummaries(paths: readonly string[]): Promise<IFileSummary[]> {
    const tools = this._liveTools() ?? (await this._tools());
    if (!tools.summaries) {
      throw new Error(this._trans.__('The kernel tools cannot read files.'));
    }
    return tools.summaries(paths);
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
    onStatus: StepStatusCallback
  ): Promise<IStepResult> {
    const { cellId, attempts, finish, notRun } = placeStepCell(
      this._panel,
      request,
      onStatus,
      this._trans
    );
    const stepId = stepIdOf(request);
    let cell = this._cellById(cellId);
    if (request.needsApproval) {
      onStatus('proposed', attempts ?? undefined);
      const decision = await awaitStepApproval({
        panel: this._panel,
        approvals: this._approvals,
        stepId,
        cellId,
        reason: request.approvalReason,
        signal,
        trans: this._trans
      });
      cell = this._cellById(cellId);
      if (decision !== 'run') {
        const outcome: StepOutcome =
          decision === 'cancelled' && signal.aborted ? 'stopped' : 'skipped';
        return notRun(outcome, cell);
      }
    }
    if (!cell) {
      return notRun('skipped', null);
    }
    if (signal.aborted) {
      return notRun('stopped', cell);
    }

    if (!this._kernelIsLive()) {
      await this._ensureKernel();
    }
    const code = cell.model.sharedModel.getSource();
    const edited = code !== request.code;
    updateProvenance(cell.model, { status: 'running', edited });
    markCell(cell, 'running');
    onStatus('running', attempts ?? undefined);

    const tools = this._liveTools() ?? (await this._tools());
    const before =
      this._beforeListing(request, tools) ?? (await listFolder(tools));
    this._checked = null;
    let queued: Promise<IFolderListing | null> | null = null;
    const outcome = await executeCell(cell, this._panel.sessionContext, {
      signal,
      timeoutMs: request.timeoutMs,
      onSent: () => (queued = queueListing(tools))
    });
    const result = finish(outcome, cell, { code, edited });
    return withNewFiles(result, before, outcome, queued, tools);
  }

  /**
   * Check and run a step that needs no approval, sending its cell right
   * behind the check (see `IExecutionHost.runGatedStep`).
   *
   * #### Notes
   * The check is a gate in the kernel (`gate` in the helpers): a refused
   * step's cell is aborted there (or, if it arrives late, turned into a
   * `raise` by the helpers' guard) and removed from the notebook here.
   * `unavailable` when the kernel is not live with installed helpers yet.
   */
  async runGatedStep(
    request: IStepRequest,
    allowed: readonly PolicyCategory[],
    signal: AbortSignal,
    onStatus: StepStatusCallback
  ): Promise<IGatedStep> {
    const tools = this._liveTools();
    if (!tools?.canGate || signal.aborted) {
      return { kind: 'unavailable' };
    }
    const { cellId, attempts, finish, discard } = placeStepCell(
      this._panel,
      { ...request, needsApproval: false },
      onStatus,
      this._trans
    );
    const cell = this._cellById(cellId);
    if (!cell) {
      discard();
      return { kind: 'unavailable' };
    }
    const token = `${request.turnId}:${request.step}:${UUID.uuid4()}`;
    // The gate, the cell and the "after" listing leave in this order, in one
    // go: the kernel answers them one after the other.
    let queued: Promise<IFolderListing | null> | null = null;
    const { verdict, execution } = sendGated(
      this._panel.sessionContext,
      (code, categories, gateToken) => tools.gate(code, categories, gateToken),
      cell,
      request.code,
      allowed,
      token,
      {
        signal,
        timeoutMs: request.timeoutMs,
        onSent: () => (queued = queueListing(tools))
      }
    );
    const gate = await verdict;
    if (!(gate instanceof Error) && gate.passed) {
      onStatus('running', attempts ?? undefined);
      const outcome = await execution;
      const result = finish(outcome, cell, {
        code: request.code,
        edited: false
      });
      return {
        kind: 'ran',
        check: gate.check,
        result: await withNewFiles(result, gate.listing, outcome, queued, tools)
      };
    }
    // Refused, or the gate could not decide: the cell did not run (aborted,
    // or refused by the guard). It leaves no trace in the notebook; a failed
    // step's cell it had taken gets its failed attempt back.
    await execution;
    discard();
    if (!(gate instanceof Error)) {
      return { kind: 'refused', check: gate.check };
    }
    if (signal.aborted) {
      return {
        kind: 'ran',
        check: null,
        result: {
          outcome: 'stopped',
          code: request.code,
          edited: false,
          outputs: [],
          executionCount: null,
          cellId: ''
        }
      };
    }
    return { kind: 'unavailable' };
  }

  /**
   * Run a cell of this notebook that is not a step (a fixed cell of the
   * cell commands) the way steps run: in the notebook's session, with the
   * time limit counted from when the kernel starts it, and Stop (`signal`)
   * interrupting it.
   *
   * #### Notes
   * The caller has decided it may run (`carryOutStep`). Never rejects for
   * what happens in the kernel; `skipped` when the cell is gone.
   */
  async runCell(
    cell: CodeCell,
    options: NotebookExecutionHost.IRunCellOptions
  ): Promise<IStepResult> {
    if (!this._holds(cell)) {
      return cellResult(cell, 'skipped');
    }
    if (!this._kernelIsLive()) {
      await this._ensureKernel();
    }
    // A listing taken with an earlier check no longer holds once this runs.
    this._checked = null;
    const outcome = await executeCell(cell, this._panel.sessionContext, {
      signal: options.signal,
      timeoutMs: options.timeoutMs
    });
    noteCellRun(cell, outcome === 'ok', this._trans);
    return cellResult(cell, outcome);
  }

  /**
   * Check and run a cell of this notebook that is not a step (a fixed cell)
   * through the step gate: the kernel runs it only if every finding is in
   * `allowed` (see `runGatedStep`).
   *
   * #### Notes
   * A refused cell stays in the notebook (it is the user's), without the
   * outputs of the aborted request. `unavailable` when the kernel is not
   * live with installed helpers yet, or the cell is gone.
   */
  async runGatedCell(
    cell: CodeCell,
    allowed: readonly PolicyCategory[],
    options: NotebookExecutionHost.IRunCellOptions
  ): Promise<IGatedStep> {
    const tools = this._liveTools();
    const { signal, timeoutMs } = options;
    if (!tools?.canGate || signal.aborted || !this._holds(cell)) {
      return { kind: 'unavailable' };
    }
    this._checked = null;
    const gated = await runGatedCell(
      this._panel.sessionContext,
      (code, categories, token) => tools.gate(code, categories, token),
      cell,
      allowed,
      { signal, timeoutMs },
      `cell:${UUID.uuid4()}`
    );
    noteCellRun(
      cell,
      gated.kind === 'ran' && gated.result.outcome === 'ok',
      this._trans
    );
    return gated;
  }

  /**
   * Scroll to a step's cell; with `edit`, focus its editor in edit mode.
   *
   * @returns whether the cell was found.
   */
  revealStep(stepId: string, edit = false): boolean {
    const notebook = this._panel.content;
    // A failed step's cell may hold a later step now: its attempts say so.
    const index = notebook.widgets.findIndex(widget => {
      const provenance = getProvenance(widget.model);
      return (
        provenance !== null &&
        [provenance.step, ...attemptsOf(provenance).map(a => a.step)].some(
          step => stepIdOf({ turnId: provenance.turn, step }) === stepId
        )
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
    this._markers.dispose();
    this._kernelRuns.dispose();
    Signal.clearData(this);
  }

  /**
   * Whether the cell is a live cell of this notebook.
   */
  private _holds(cell: CodeCell): boolean {
    return !cell.isDisposed && this._panel.content.widgets.includes(cell);
  }

  private _cellById(cellId: string): CodeCell | null {
    return codeCellById(this._panel, cellId);
  }

  /**
   * The folder's listing taken with this step's check, when it still holds:
   * same code, same kernel, no restart since, and no wait for approval
   * (during which the user may have run cells that made files).
   */
  private _beforeListing(
    request: IStepRequest,
    tools: IKernelTools
  ): IFolderListing | null {
    const checked = this._checked;
    return checked &&
      !request.needsApproval &&
      checked.code === request.code &&
      checked.tools === tools &&
      checked.restarts === (tools.restarts ?? 0)
      ? checked.listing
      : null;
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
  private _createTools: (kernel: Kernel.IKernelConnection) => IKernelTools;
  private _trans: TranslationBundle;
  private _kernelTools: {
    kernel: Kernel.IKernelConnection;
    tools: IKernelTools;
  } | null = null;
  private _checked: Private.IChecked | null = null;
  private _notice = new Signal<this, string>(this);
  private _markers: IDisposable;
  private _kernelRuns: KernelRuns;
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
    /** Kernel tools for a kernel connection (`new KernelTools(...)`). */
    createKernelTools: (kernel: Kernel.IKernelConnection) => IKernelTools;
    /** The extension's translations. */
    trans: TranslationBundle;
  }

  /**
   * The options of `runCell` and `runGatedCell`.
   */
  export interface IRunCellOptions {
    /** Stop: interrupts the kernel. */
    signal: AbortSignal;
    /** The time limit once the kernel starts the cell. */
    timeoutMs: number;
  }
}

/**
 * Private helpers.
 */
namespace Private {
  /**
   * The last check: its code and kernel, and the listing taken with it.
   */
  export interface IChecked {
    code: string;
    tools: IKernelTools;
    restarts: number;
    listing: IFolderListing | null;
  }
}
