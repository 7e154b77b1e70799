/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { ISessionContext } from '@jupyterlab/apputils';
import type { CodeCell } from '@jupyterlab/cells';

import type {
  IGatedStep,
  IStepResult,
  PolicyCategory,
  StepOutcome
} from '../agent/tokens';
import { GATE_METADATA_KEY } from '../kernel/replies';
import type { IGateVerdict } from '../kernel/tools';
import { executeCell, IExecuteOptions } from './execute';

/**
 * The step gate of the kernel tools (`KernelTools.gate`).
 */
export type GateFn = (
  code: string,
  allowed: readonly PolicyCategory[],
  token: string
) => Promise<IGateVerdict>;

/**
 * Send the gate of `code` and the cell's execute request right behind it,
 * carrying the token the gate passes, in one go: the kernel answers them one
 * after the other, and runs the cell only if the gate passed.
 *
 * @returns the gate's verdict (an `Error` when it could not decide) and how
 *   the execution ended.
 */
export function sendGated(
  sessionContext: ISessionContext,
  gate: GateFn,
  cell: CodeCell,
  code: string,
  allowed: readonly PolicyCategory[],
  token: string,
  options: Omit<IExecuteOptions, 'metadata'>
): { verdict: Promise<IGateVerdict | Error>; execution: Promise<StepOutcome> } {
  const verdict = gate(code, allowed, token).catch((error: unknown) =>
    error instanceof Error ? error : new Error(String(error))
  );
  const execution = executeCell(cell, sessionContext, {
    ...options,
    metadata: { [GATE_METADATA_KEY]: token }
  });
  return { verdict, execution };
}

/**
 * Gate and run a cell that is not a step (a fixed cell): its current source
 * is checked in the kernel and runs only if every finding is in `allowed`.
 *
 * #### Notes
 * A refused cell stays in the notebook (it is the user's), without the
 * outputs or execution count of the aborted request. When the gate could
 * not decide the cell did not run either: `unavailable`, or `stopped` after
 * Stop.
 */
export async function runGatedCell(
  sessionContext: ISessionContext,
  gate: GateFn,
  cell: CodeCell,
  allowed: readonly PolicyCategory[],
  options: Omit<IExecuteOptions, 'metadata'>,
  token: string
): Promise<IGatedStep> {
  const code = cell.model.sharedModel.getSource();
  const { verdict, execution } = sendGated(
    sessionContext,
    gate,
    cell,
    code,
    allowed,
    token,
    options
  );
  const passed = await verdict;
  const outcome = await execution;
  if (!(passed instanceof Error) && passed.passed) {
    return {
      kind: 'ran',
      check: passed.check,
      result: cellResult(cell, outcome)
    };
  }
  if (!cell.isDisposed) {
    cell.model.outputs.clear();
    cell.model.executionCount = null;
  }
  if (!(passed instanceof Error)) {
    return { kind: 'refused', check: passed.check };
  }
  return options.signal.aborted
    ? { kind: 'ran', check: null, result: cellResult(cell, 'stopped') }
    : { kind: 'unavailable' };
}

/**
 * The result of a cell that is not a step, as it stands.
 */
export function cellResult(cell: CodeCell, outcome: StepOutcome): IStepResult {
  const live = !cell.isDisposed;
  return {
    outcome,
    code: live ? cell.model.sharedModel.getSource() : '',
    edited: false,
    outputs: live ? cell.model.outputs.toJSON() : [],
    executionCount: live ? cell.model.executionCount : null,
    cellId: live ? cell.model.id : ''
  };
}
