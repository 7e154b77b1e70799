/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

/**
 * The contract between the agent's turn loop (pure, `src/agent/`), the kernel
 * tools (`src/kernel/`) and the notebook bridge (`src/notebook/`).
 *
 * #### Notes
 * The loop never touches JupyterLab: everything it needs from the notebook and
 * the kernel goes through `IExecutionHost`, which the notebook bridge
 * implements and jest tests fake.
 */

import type * as nbformat from '@jupyterlab/nbformat';

/**
 * How generated code may run (settings, overridable per notebook).
 *
 * - `ask`: every step waits for Run / Edit / Skip.
 * - `auto-safe`: runs code the policy found nothing in; asks for the rest.
 * - `auto`: runs what the policy allows; asks what it asks about (by default
 *   shell escapes, code it cannot read and reads of secrets).
 */
export type ApprovalMode = 'ask' | 'auto-safe' | 'auto';

/**
 * What the code policy looks for, by parsing the code in the kernel.
 *
 * #### Notes
 * The policy is a guard rail that catches an honest model's mistakes and asks
 * when in doubt, not a sandbox: isolation comes from kernel limits and, on a
 * hub, per-user servers (docs/policy.md).
 */
export type PolicyCategory =
  | 'install' // !pip, %pip, %conda, subprocess/os.system calling pip or conda
  | 'shell' // ! lines, %%bash / %sx / %system, subprocess, os.system, os.popen
  // Changes outside the notebook's folder: deleting, writing, moving, renaming,
  // truncating (the id predates the writes; kept so settings keep working).
  | 'delete_outside'
  | 'network' // requests/urllib/httpx/socket/... calls
  // Code the checker cannot read statically: exec of strings, computed imports
  // and attributes, sys.modules, ctypes, renamed dangerous callables.
  | 'dynamic'
  // Reading model keys and server tokens: their environment variables, the
  // key store, Jupyter's runtime folder, the settings file, /proc/*/environ.
  | 'secrets';

/**
 * Every policy category, in the order settings and messages list them.
 */
export const POLICY_CATEGORIES: readonly PolicyCategory[] = Object.freeze([
  'install',
  'shell',
  'delete_outside',
  'network',
  'dynamic',
  'secrets'
]);

/**
 * What to do when the policy finds a category in the code.
 */
export type PolicyAction = 'block' | 'ask' | 'allow';

/**
 * One thing the policy found.
 */
export interface IPolicyFinding {
  category: PolicyCategory;
  /** Human-readable, e.g. "installs packages: qrcode" or "calls os.remove('/etc/x')". */
  detail: string;
  /** 1-based line in the proposed code. */
  line: number;
  /** For `install`: the packages named. */
  packages?: string[];
}

/**
 * The result of the silent check the kernel runs before anything executes.
 */
export interface ICheckResult {
  /** Set when the code (after IPython's transforms) does not compile. */
  syntaxError: {
    message: string;
    line: number;
    offset: number;
    text: string;
  } | null;
  findings: IPolicyFinding[];
}

/**
 * One user variable in the kernel.
 */
export interface IKernelVariable {
  name: string;
  type: string;
  /** e.g. "(120, 5)" for a DataFrame, "len=3" for a list; may be empty. */
  shape: string;
}

/**
 * What the model is told about the kernel at the start of a turn.
 */
export interface IKernelState {
  variables: IKernelVariable[];
  /** The distributions importable in the kernel, canonical name → version. */
  packages: Record<string, string>;
  /**
   * What the distributions whose module is not their name import, e.g.
   * `pillow` → `["PIL"]`.
   */
  imports?: Record<string, string[]>;
  /** The kernel's working directory (the notebook's folder). */
  cwd: string;
  /** Files in the working directory (names only, capped). */
  files: string[];
  /**
   * The first line of the folder's CSV/TSV files, by name: the context
   * quotes those the prompt names, so the model sees the exact columns.
   */
  headers?: Record<string, string>;
  /**
   * The server's data sources, which the kernel reaches with
   * `connect(name)`: names and schemas only.
   */
  dataSources?: IDataSource[];
}

/**
 * One table of a data source, as the server read it.
 */
export interface IDataSourceTable {
  name: string;
  /** The database's row estimate; `null` when it keeps none. */
  rows: number | null;
  /** `[name, type]` of each column (the server caps them). */
  columns: [string, string][];
  /** Columns left out by the server's cap. */
  more_columns?: number;
}

/**
 * A data source of the server (`GET code-interpreter/data-sources`): its
 * name, password-free URL and schema, or why the schema could not be read.
 * Never a credential.
 */
export interface IDataSource {
  name: string;
  /** SQLAlchemy dialect, e.g. `mysql`. */
  dialect: string;
  read_only: boolean;
  description?: string;
  tables: IDataSourceTable[];
  /** Tables left out by the server's cap. */
  more_tables?: number;
  /** Why the schema could not be read (names the source, never a password). */
  error: string | null;
}

/**
 * A pandas DataFrame in the kernel, as the helpers' listing describes it.
 */
export interface IDataFrameInfo {
  name: string;
  rows: number;
  /** Column names as strings; one more than the helper's cap when cut. */
  columns: string[];
}

/**
 * One `run_python` step the loop asks the host to carry out.
 */
export interface IStepRequest {
  /** Conversation id (stable per notebook conversation). */
  conversationId: string;
  /** The turn id (one user prompt = one turn). */
  turnId: string;
  /** 1-based step number within the turn. */
  step: number;
  /** The tool call id, for the tool result message. */
  toolCallId: string;
  /** The code the model proposed. */
  code: string;
  /** Whether the user must approve (Run / Edit / Skip) before it runs. */
  needsApproval: boolean;
  /** Why approval is needed, shown beside the buttons (policy findings). */
  approvalReason?: string;
  /** Wall-clock limit of the execution, then the kernel is interrupted. */
  timeoutMs: number;
  /**
   * Whether the step may take the place of the turn's last step cell when
   * that step failed (see `IFailedAttempt`): true for the first call of a
   * model reply, written after the model saw the failure; a later call of
   * the same reply was written without seeing it.
   */
  mayReplaceFailed?: boolean;
}

/**
 * A failed step whose cell a later step of the turn took over: the cell's
 * `code_interpreter.attempts` keeps it, so a rerun of the notebook runs only
 * the repair while the record of what failed stays.
 */
export interface IFailedAttempt {
  /** The failed step's number within the turn. */
  step: number;
  /** How it failed: `error`, `timeout` or `kernel_died`. */
  outcome: StepOutcome;
  /** The code that failed (capped). */
  source: string;
  /** The exception's name (`KeyError`), empty when there was none. */
  ename: string;
  /** The exception's message (capped), empty when there was none. */
  evalue: string;
}

/**
 * How a step ended.
 */
export type StepOutcome =
  | 'ok' // ran, no error
  | 'error' // ran, raised
  | 'timeout' // interrupted after `timeoutMs`
  | 'skipped' // the user declined
  | 'stopped' // the user pressed Stop
  | 'kernel_died'; // the kernel died or restarted while running

/**
 * An entry of the notebook's folder that a step made or rewrote.
 */
export interface IStepFile {
  /** The name in the kernel's working folder; a folder ends with `/`. */
  name: string;
  change: 'new' | 'changed';
  /** Bytes, for a file. */
  size?: number;
  /** The modification time in microseconds, for a file. */
  mtimeUs?: number;
}

/**
 * The result of one step, as the host reports it.
 */
export interface IStepResult {
  outcome: StepOutcome;
  /** The code that actually ran: the user's edit if they edited the cell. */
  code: string;
  /** Whether the user edited the proposed code before running it. */
  edited: boolean;
  /** The cell's outputs after the run, nbformat shape. */
  outputs: nbformat.IOutput[];
  executionCount: number | null;
  /** The id of the notebook cell that holds this step. */
  cellId: string;
  /**
   * Entries of the notebook's folder that appeared while the step ran
   * (workspace diff; directories end with `/`). Absent when none.
   */
  newFiles?: string[];
  /**
   * Files that were there before the step and that it rewrote (size or
   * modification time moved). Absent when none.
   */
  changedFiles?: string[];
  /**
   * The new and changed entries with their sizes, for the chat's list of
   * the files the step made. Absent when none.
   */
  files?: IStepFile[];
  /**
   * The kernel's DataFrames after the step, with their columns, for the
   * model (taken with the "after" listing).
   */
  dataFrames?: IDataFrameInfo[];
  /**
   * The failed attempts this step's cell held before it, oldest first:
   * present when the step took the place of a failed step's cell and ran
   * there (or was stopped while running).
   */
  attempts?: IFailedAttempt[];
}

/**
 * The status of a step as the chat shows it.
 */
export type StepStatus =
  | 'checking'
  | 'proposed' // waiting for approval
  | 'running'
  | 'done'
  | 'failed'
  | 'skipped'
  | 'blocked' // the policy blocked it, or the check failed; never reached the kernel
  | 'stopped';

/**
 * Told as a step moves; `attempts` when the step took the place of a failed
 * step's cell (`IStepResult.attempts`).
 */
export type StepStatusCallback = (
  status: StepStatus,
  attempts?: IFailedAttempt[]
) => void;

/**
 * What the agent loop needs from the notebook and its kernel.
 */
export interface IExecutionHost {
  /**
   * Check code silently in the kernel: IPython-aware syntax check and policy
   * findings. No execution count, no history, no side effect.
   */
  check(code: string): Promise<ICheckResult>;

  /**
   * The kernel's variables, packages and files, found silently.
   */
  kernelState(): Promise<IKernelState>;

  /**
   * A count that moves whenever the kernel runs code that is not silent
   * (anyone's: a step, the user's own cell) or restarts. Optional: without
   * it the loop knows only its own steps (agent/repeats.ts).
   */
  kernelRuns?(): number;

  /**
   * Propose the code as a cell after the conversation's last cell, wait for
   * approval if needed, run it in the notebook's kernel, and collect outputs.
   *
   * @param signal - Stop: interrupts the kernel, resolves with `stopped`.
   * @param onStatus - called as the step moves (proposed → running → …);
   *   with the failed attempts whose cell the step took, once it has.
   */
  runStep(
    request: IStepRequest,
    signal: AbortSignal,
    onStatus: StepStatusCallback
  ): Promise<IStepResult>;

  /**
   * Check and run a step that needs no approval if its check allows it,
   * without waiting for the check's round trip before sending the cell: the
   * kernel runs the cell only if the check passes (every finding's category
   * in `allowed`, no syntax error), else aborts it and the cell is removed.
   *
   * Optional: a host without it, or answering `unavailable` (nothing ran),
   * leaves the step to `check` and `runStep`.
   */
  runGatedStep?(
    request: IStepRequest,
    allowed: readonly PolicyCategory[],
    signal: AbortSignal,
    onStatus: StepStatusCallback
  ): Promise<IGatedStep>;
}

/**
 * How a gated step went (`IExecutionHost.runGatedStep`).
 */
export type IGatedStep =
  | {
      /** The check passed and the cell ran (or Stop came first: `stopped`). */
      kind: 'ran';
      check: ICheckResult | null;
      result: IStepResult;
    }
  | {
      /** The check refused the step; it did not run and left no cell. */
      kind: 'refused';
      check: ICheckResult;
    }
  | {
      /** The step could not be gated; nothing ran. */
      kind: 'unavailable';
    };
