/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type * as nbformat from '@jupyterlab/nbformat';

import type {
  IFailedAttempt,
  IStepRequest,
  StepOutcome
} from '../agent/tokens';
import {
  getProvenance,
  ICellProvenance,
  IMetadataHolder,
  METADATA_KEY
} from './metadata';

/**
 * The cell tag that lets a rerun go on past a cell that raises: nbclient
 * and nbconvert honour it, and JupyterLab sends such a cell with
 * `stop_on_error: false`, so the kernel keeps running the cells after it.
 */
export const RAISES_EXCEPTION_TAG = 'raises-exception';

/**
 * The longest failed source kept in an attempt, in characters.
 */
export const ATTEMPT_SOURCE_LIMIT = 20000;

/**
 * The longest exception message kept in an attempt, in characters.
 */
export const ATTEMPT_EVALUE_LIMIT = 300;

/**
 * The outcomes of a step that ran and failed; the next step of the turn
 * takes the place of its cell.
 */
const FAILED_OUTCOMES: ReadonlyArray<StepOutcome> = [
  'error',
  'timeout',
  'kernel_died'
];

/**
 * The index of the cell a step takes the place of, or -1 for a new cell.
 *
 * #### Notes
 * The turn's last step cell (highest step number) when it failed, and only
 * for a step written after the model saw that failure
 * (`mayReplaceFailed`). A rerun then runs the repair alone: the failed code
 * may have raised half-way, and what it defined must not be needed.
 *
 * @param cells - the notebook's cells, in order.
 * @param request - the step.
 */
export function failedCellToReplace(
  cells: ReadonlyArray<IMetadataHolder>,
  request: Pick<
    IStepRequest,
    'conversationId' | 'turnId' | 'step' | 'mayReplaceFailed'
  >
): number {
  if (!request.mayReplaceFailed) {
    return -1;
  }
  let latest = -1;
  let latestStep = 0;
  cells.forEach((cell, index) => {
    const provenance = getProvenance(cell);
    if (
      provenance &&
      provenance.conversation === request.conversationId &&
      provenance.turn === request.turnId &&
      provenance.step < request.step &&
      provenance.step > latestStep
    ) {
      latest = index;
      latestStep = provenance.step;
    }
  });
  if (latest < 0) {
    return -1;
  }
  const provenance = getProvenance(cells[latest])!;
  return provenance.status === 'failed' &&
    FAILED_OUTCOMES.includes(provenance.outcome ?? 'error')
    ? latest
    : -1;
}

/**
 * The failed attempt a cell holds: its step, source and error.
 *
 * @param provenance - the failed step's provenance.
 * @param source - the cell's source.
 * @param outputs - the cell's outputs.
 */
export function attemptOf(
  provenance: ICellProvenance,
  source: string,
  outputs: ReadonlyArray<nbformat.IOutput>
): IFailedAttempt {
  const error = outputs.find(output => output.output_type === 'error') as
    nbformat.IError | undefined;
  return {
    step: provenance.step,
    outcome: provenance.outcome ?? 'error',
    source: Private.cap(source, ATTEMPT_SOURCE_LIMIT),
    ename: Private.plain(error?.ename ?? ''),
    evalue: Private.cap(
      Private.plain(error?.evalue ?? ''),
      ATTEMPT_EVALUE_LIMIT
    )
  };
}

/**
 * The provenance of a step that takes the place of a failed step's cell:
 * the new step, its attempts so far with the failed one last.
 *
 * @param failed - the failed step's provenance.
 * @param attempt - the failed attempt (`attemptOf`).
 * @param request - the new step.
 */
export function replacementProvenance(
  failed: ICellProvenance,
  attempt: IFailedAttempt,
  request: Pick<IStepRequest, 'step' | 'needsApproval'>
): ICellProvenance {
  return {
    conversation: failed.conversation,
    turn: failed.turn,
    step: request.step,
    status: request.needsApproval ? 'proposed' : 'running',
    attempts: [...attemptsOf(failed), attempt]
  };
}

/**
 * The well-formed attempts of a provenance, oldest first.
 */
export function attemptsOf(provenance: ICellProvenance): IFailedAttempt[] {
  const attempts: unknown = provenance.attempts;
  return Array.isArray(attempts) ? attempts.filter(Private.isAttempt) : [];
}

/**
 * Tag or untag a cell `raises-exception`, leaving its other tags alone.
 *
 * @param cell - the cell's model.
 * @param raises - whether the cell is left raising.
 */
export function setRaisesException(
  cell: IMetadataHolder,
  raises: boolean
): void {
  const current = cell.getMetadata('tags');
  const tags = Array.isArray(current)
    ? current.filter((tag): tag is string => typeof tag === 'string')
    : [];
  const has = tags.includes(RAISES_EXCEPTION_TAG);
  if (raises === has) {
    return;
  }
  const next = raises
    ? [...tags, RAISES_EXCEPTION_TAG]
    : tags.filter(tag => tag !== RAISES_EXCEPTION_TAG);
  if (next.length) {
    cell.setMetadata('tags', next);
  } else {
    cell.deleteMetadata('tags');
  }
}

/**
 * Whether a cell holds a step that failed and no later step repaired: its
 * status is `failed` and it is tagged `raises-exception`.
 */
export function isUnrepaired(cell: IMetadataHolder): boolean {
  const tags = cell.getMetadata('tags');
  return (
    getProvenance(cell)?.status === 'failed' &&
    Array.isArray(tags) &&
    tags.includes(RAISES_EXCEPTION_TAG)
  );
}

/**
 * What a replaced cell held, to put back when the step that took its place
 * does not run (skipped, stopped before running, refused by the gate).
 */
export interface ICellSnapshot {
  source: string;
  outputs: nbformat.IOutput[];
  executionCount: number | null;
  /** The cell's `code_interpreter` and `tags` metadata. */
  provenance: unknown;
  tags: unknown;
}

/**
 * A cell's snapshot.
 */
export function snapshotOf(
  cell: IMetadataHolder,
  source: string,
  outputs: nbformat.IOutput[],
  executionCount: number | null
): ICellSnapshot {
  return {
    source,
    outputs,
    executionCount,
    provenance: cell.getMetadata(METADATA_KEY),
    tags: cell.getMetadata('tags')
  };
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * `text` cut to `limit` characters, marked when cut.
   */
  export function cap(text: string, limit: number): string {
    return text.length > limit ? `${text.slice(0, limit)}…` : text;
  }

  /**
   * `text` without ANSI colour codes.
   */
  export function plain(text: string): string {
    // eslint-disable-next-line no-control-regex
    return text.replace(/\u001b\[[0-9;]*m/g, '');
  }

  /**
   * Whether a value read from a notebook is an attempt.
   */
  export function isAttempt(value: unknown): value is IFailedAttempt {
    if (typeof value !== 'object' || value === null) {
      return false;
    }
    const attempt = value as Record<string, unknown>;
    return (
      typeof attempt.step === 'number' &&
      typeof attempt.source === 'string' &&
      typeof attempt.ename === 'string' &&
      typeof attempt.evalue === 'string'
    );
  }
}
