/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type {
  ApprovalMode,
  IFailedAttempt,
  StepOutcome
} from '../agent/tokens';

/**
 * The metadata key of everything this extension writes, on cells and on the
 * notebook.
 */
export const METADATA_KEY = 'code_interpreter';

/**
 * Where a step cell is in its life, as recorded in the notebook.
 */
export type CellStepStatus =
  'proposed' | 'running' | 'done' | 'failed' | 'skipped' | 'stopped';

/**
 * The provenance of a cell written by the Code Interpreter:
 * `cell.metadata.code_interpreter`.
 */
export interface ICellProvenance {
  /** The conversation id (the notebook's `code_interpreter.conversation_id`). */
  conversation: string;
  /** The turn id: one user prompt. */
  turn: string;
  /** 1-based step number within the turn. */
  step: number;
  /** Where the step is. */
  status: CellStepStatus;
  /** How the step ended, once it has. */
  outcome?: StepOutcome;
  /** Whether the user edited the proposed code before it ran. */
  edited?: boolean;
  /**
   * The failed steps of the turn whose place this cell took, oldest first
   * (see `failedCellToReplace`).
   */
  attempts?: IFailedAttempt[];
}

/**
 * The notebook-level settings: `notebook.metadata.code_interpreter`.
 */
export interface INotebookSettings {
  /** The id of the notebook's conversation (travels with the file). */
  conversation_id?: string;
  /** This notebook's approval mode, overriding the user's setting. */
  approval_mode?: ApprovalMode;
}

/**
 * What the helpers need of a cell or notebook model: both `ICellModel` and
 * `INotebookModel` have it.
 */
export interface IMetadataHolder {
  getMetadata(key: string): unknown;
  setMetadata(key: string, value: unknown): void;
  deleteMetadata(key: string): unknown;
}

const APPROVAL_MODES: ReadonlyArray<ApprovalMode> = [
  'ask',
  'auto-safe',
  'auto'
];

const CELL_STATUSES: ReadonlyArray<CellStepStatus> = [
  'proposed',
  'running',
  'done',
  'failed',
  'skipped',
  'stopped'
];

/**
 * The provenance of a cell, or null if the Code Interpreter did not write it
 * (or its metadata is malformed).
 */
export function getProvenance(cell: IMetadataHolder): ICellProvenance | null {
  const value = cell.getMetadata(METADATA_KEY);
  if (!isObject(value)) {
    return null;
  }
  const { conversation, turn, step, status } = value;
  if (
    typeof conversation !== 'string' ||
    typeof turn !== 'string' ||
    typeof step !== 'number' ||
    !CELL_STATUSES.includes(status as CellStepStatus)
  ) {
    return null;
  }
  return value as unknown as ICellProvenance;
}

/**
 * Write a cell's provenance.
 */
export function setProvenance(
  cell: IMetadataHolder,
  provenance: ICellProvenance
): void {
  cell.setMetadata(METADATA_KEY, { ...provenance });
}

/**
 * Update some fields of a cell's provenance; no-op on a cell without one.
 */
export function updateProvenance(
  cell: IMetadataHolder,
  changes: Partial<ICellProvenance>
): ICellProvenance | null {
  const current = getProvenance(cell);
  if (!current) {
    return null;
  }
  const next = { ...current, ...changes };
  setProvenance(cell, next);
  return next;
}

/**
 * The notebook-level settings, empty when absent or malformed.
 */
export function getNotebookSettings(
  notebook: IMetadataHolder
): INotebookSettings {
  const value = notebook.getMetadata(METADATA_KEY);
  if (!isObject(value)) {
    return {};
  }
  const settings: INotebookSettings = {};
  if (typeof value.conversation_id === 'string' && value.conversation_id) {
    settings.conversation_id = value.conversation_id;
  }
  if (APPROVAL_MODES.includes(value.approval_mode as ApprovalMode)) {
    settings.approval_mode = value.approval_mode as ApprovalMode;
  }
  return settings;
}

/**
 * Change some notebook-level settings; `undefined` removes a field, and an
 * empty result removes the key.
 */
export function updateNotebookSettings(
  notebook: IMetadataHolder,
  changes: Partial<Record<keyof INotebookSettings, string | undefined>>
): INotebookSettings {
  const value = notebook.getMetadata(METADATA_KEY);
  const next: Record<string, unknown> = isObject(value) ? { ...value } : {};
  for (const [key, field] of Object.entries(changes)) {
    if (field === undefined) {
      delete next[key];
    } else {
      next[key] = field;
    }
  }
  if (Object.keys(next).length === 0) {
    notebook.deleteMetadata(METADATA_KEY);
  } else {
    notebook.setMetadata(METADATA_KEY, next);
  }
  return getNotebookSettings(notebook);
}

/**
 * The notebook's approval mode override, or null to use the setting.
 */
export function getApprovalMode(
  notebook: IMetadataHolder
): ApprovalMode | null {
  return getNotebookSettings(notebook).approval_mode ?? null;
}

/**
 * Set (or with null, remove) the notebook's approval mode override.
 */
export function setApprovalMode(
  notebook: IMetadataHolder,
  mode: ApprovalMode | null
): void {
  if (mode !== null && !APPROVAL_MODES.includes(mode)) {
    throw new Error(`Unknown approval mode "${mode}".`);
  }
  updateNotebookSettings(notebook, { approval_mode: mode ?? undefined });
}

/**
 * The approval mode that applies: the notebook's override, else the setting.
 */
export function effectiveApprovalMode(
  notebook: IMetadataHolder | null,
  fallback: ApprovalMode
): ApprovalMode {
  return (notebook && getApprovalMode(notebook)) ?? fallback;
}

/**
 * The cell status that shows how a step ended.
 */
export function statusOfOutcome(outcome: StepOutcome): CellStepStatus {
  switch (outcome) {
    case 'ok':
      return 'done';
    case 'skipped':
      return 'skipped';
    case 'stopped':
      return 'stopped';
    default:
      return 'failed';
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
