/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { CodeCell } from '@jupyterlab/cells';
import type { TranslationBundle } from '@jupyterlab/translation';

import type { IPolicyFinding, IStepResult } from '../agent/tokens';
import { carryOutStep, CarriedStep } from '../agent/toolcall';
import { describeFindings } from '../agent/toolresults';
import type { IConversationModel, INotebookHost } from '../tokens';
import { failureMessage } from '../translate';
import type { DeferredText, TranslateFn } from '../translate';
import type { FixPhase } from '../widgets/diff';

/**
 * What running a fixed cell needs: the cell, its conversation's chat model
 * (settings, and the panel's Stop) and the notebook's host.
 */
export interface IFixRunTarget {
  cell: CodeCell;
  model: Pick<IConversationModel, 'agentSettings' | 'runStoppable'>;
  host: Pick<INotebookHost, 'check' | 'runCell' | 'runGatedCell'>;
}

/**
 * How a fixed cell's run ended: the diff's last phase and what the chat says.
 */
export interface IFixRunEnd {
  phase: FixPhase;
  message: string;
}

/**
 * Run a cell whose fix was just applied the way an agent step runs.
 *
 * #### Notes
 * The fixed code is the model's, so it meets what the model's steps meet
 * (`carryOutStep`): the notebook's code policy blocks it or asks as it
 * would a step, under the notebook's approval mode; in `auto` and
 * `auto-safe` it goes through the kernel's gate; it runs through the host
 * with the run time limit, and the panel's Stop interrupts it. When the code
 * cannot be checked (no kernel helpers), the user is asked. Never rejects.
 *
 * @param target - the cell, its chat model and host.
 * @param options - the approval prompt and the running phase of the diff.
 */
export async function runFixedCell(
  target: IFixRunTarget,
  options: IFixRunOptions
): Promise<IFixRunEnd> {
  const { cell, model, host } = target;
  const { trans } = options;
  const settings = model.agentSettings;
  const timeoutSeconds = settings.executionTimeoutSeconds;
  const timeoutMs = timeoutSeconds * 1000;
  const stoppable = async <T>(
    work: (signal: AbortSignal) => Promise<T>
  ): Promise<T> => {
    options.running();
    const result = await model.runStoppable(work);
    if (result === null) {
      throw new Private.Busy();
    }
    return result;
  };
  const run = async (
    needsApproval: boolean,
    reason?: string
  ): Promise<IStepResult> => {
    if (needsApproval && !(await options.approve(reason))) {
      return Private.skipped();
    }
    return stoppable(signal => host.runCell(cell, { signal, timeoutMs }));
  };
  let carried: CarriedStep;
  let checked = true;
  try {
    carried = await carryOutStep(
      {
        runGated: allowed =>
          stoppable(signal =>
            host.runGatedCell(cell, allowed, { signal, timeoutMs })
          ),
        check: () =>
          host.check(cell.model.sharedModel.getSource()).catch(error => {
            checked = false;
            throw error;
          }),
        run
      },
      settings,
      null,
      (msgid, ...args) => trans.__(msgid, ...args)
    );
  } catch (error) {
    if (error instanceof Private.Busy) {
      return Private.busy(trans);
    }
    if (checked) {
      return {
        phase: 'skipped',
        message: trans.__(
          'Fix applied but not run: %1',
          failureMessage(error, (msgid, ...args) => trans.__(msgid, ...args))
        )
      };
    }
    // No verdict: the user decides, having seen the code.
    try {
      carried = {
        kind: 'ran',
        result: await run(
          true,
          trans.__('The code could not be checked against the code policy.')
        )
      };
    } catch (again) {
      return again instanceof Private.Busy
        ? Private.busy(trans)
        : {
            phase: 'skipped',
            message: trans.__('Fix applied but not run: %1', String(again))
          };
    }
  }
  if (carried.kind === 'blocked') {
    return { phase: 'skipped', message: Private.blocked(carried, trans) };
  }
  return Private.ending(carried.result, timeoutSeconds, trans);
}

/**
 * The options of `runFixedCell`.
 */
export interface IFixRunOptions {
  trans: TranslationBundle;
  /**
   * Ask the user to run the fixed cell (the diff's Run / Skip); resolves
   * with whether to run.
   */
  approve(reason?: string): Promise<boolean>;
  /** The cell is about to run. */
  running(): void;
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * The chat is busy with another answer, so Stop could not reach the cell.
   */
  export class Busy extends Error {}

  /**
   * The result of a cell the user chose not to run.
   */
  export function skipped(): IStepResult {
    return {
      outcome: 'skipped',
      code: '',
      edited: false,
      outputs: [],
      executionCount: null,
      cellId: ''
    };
  }

  /**
   * Why a fixed cell did not run while the chat is busy.
   */
  export function busy(trans: TranslationBundle): IFixRunEnd {
    return {
      phase: 'skipped',
      message: trans.__(
        'Fix applied but not run: the Code Interpreter is busy with another answer. Run the cell once it is done.'
      )
    };
  }

  /**
   * Why a fixed cell was not run: its syntax error, or what the policy
   * blocks in it.
   */
  export function blocked(
    carried: {
      refusal: string;
      failure: DeferredText | null;
      findings: IPolicyFinding[];
    },
    trans: TranslationBundle
  ): string {
    const t: TranslateFn = (msgid, ...args) => trans.__(msgid, ...args);
    if (carried.findings.length) {
      return trans.__(
        'Fix applied but not run: the code policy of this notebook blocks it (%1). Read the code, and run the cell yourself only if you mean it.',
        describeFindings(carried.findings, t)
      );
    }
    return trans.__(
      'Fix applied but not run: %1',
      carried.failure ? carried.failure(t) : carried.refusal.split('\n')[0]
    );
  }

  /**
   * The diff's last phase and the chat's message for how the run ended.
   */
  export function ending(
    result: IStepResult,
    timeoutSeconds: number,
    trans: TranslationBundle
  ): IFixRunEnd {
    switch (result.outcome) {
      case 'ok':
        return {
          phase: 'succeeded',
          message: trans.__('The fixed cell ran without error.')
        };
      case 'error':
        return { phase: 'failed', message: '' };
      case 'timeout':
        return {
          phase: 'skipped',
          message: trans.__(
            'The fixed cell was interrupted after %1 s, the time limit of a run (Execution time limit in the settings).',
            timeoutSeconds
          )
        };
      case 'stopped':
        return {
          phase: 'skipped',
          message: trans.__('Stopped: the fixed cell was interrupted.')
        };
      case 'kernel_died':
        return {
          phase: 'skipped',
          message: trans.__(
            'The kernel restarted or died while the fixed cell ran (perhaps at its memory or time limit); run it again once the kernel is back.'
          )
        };
      case 'skipped':
        return {
          phase: 'skipped',
          message: trans.__('Fix applied; the cell was not run.')
        };
    }
  }
}
