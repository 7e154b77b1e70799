/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { isAbort } from '../llm/errors';
import type { IWireContentPart, IWireToolCall } from '../llm/wire';
import type { DeferredText, TranslateFn } from '../translate';
import { untranslated } from '../translate';
import type { AgentEvent, ITurnRequest } from './events';
import { summariseOutputs } from './outputs';
import { IRanStep, ranStep, repeatedFailure, repeatMessage } from './repeats';
import type { IAgentSettings } from './settings';
import type {
  ICheckResult,
  IExecutionHost,
  IFailedAttempt,
  IGatedStep,
  IKernelState,
  IPolicyFinding,
  IStepRequest,
  IStepResult,
  PolicyCategory,
  StepOutcome,
  StepStatus
} from './tokens';
import {
  categoriesRunUnasked,
  failureOf,
  judgeStep,
  replacementNote,
  resultHeader,
  RUN_PYTHON_TOOL
} from './toolresults';

/**
 * What one tool call led to.
 */
export interface ICallOutcome {
  content: string;
  images: IWireContentPart[];
  /** Why the step failed, for the user (why the agent gave up). */
  failure: DeferredText | null;
  stopped: boolean;
  /** Whether it counts as a step (it had code). */
  counted: boolean;
  /** The step, when it reached the kernel (for the repeat check). */
  ran?: IRanStep;
  /** The failed step whose code it repeated, when it was not run for it. */
  repeatOf?: number;
}

/**
 * One tool call and where it stands in the turn.
 */
export interface IToolCallContext {
  host: IExecutionHost;
  settings: IAgentSettings;
  call: IWireToolCall;
  request: ITurnRequest;
  /** The step number this call gets if it has code. */
  step: number;
  state: IKernelState | null;
  signal: AbortSignal;
  listener: (event: AgentEvent) => void;
  /** The UI translation, for the approval reason; untranslated without. */
  trans?: TranslateFn;
  /**
   * Whether an earlier call of the same reply came before this one: it was
   * written without seeing their results, so it does not take the place of
   * a failed step's cell (`IStepRequest.mayReplaceFailed`).
   */
  afterEarlierCall?: boolean;
  /**
   * The turn's last step that reached the kernel: code that repeats it
   * after it failed is not run again (agent/repeats.ts).
   */
  lastRun?: IRanStep | null;
}

/**
 * Carry out one tool call: parse, check, judge, run, summarise.
 */
export async function runToolCall(
  context: IToolCallContext
): Promise<ICallOutcome> {
  const code = Private.codeOfCall(context.call);
  if (typeof code !== 'string') {
    return code;
  }
  const repeated = repeatedFailure(
    code,
    context.lastRun ?? null,
    context.host.kernelRuns?.()
  );
  if (repeated) {
    return Private.repeatOutcome(context, code, repeated);
  }
  context.listener({
    type: 'step-created',
    step: context.step,
    toolCallId: context.call.id,
    code,
    status: 'checking'
  });
  const carried = await Private.carryOutCall(context, code);
  return carried.kind === 'blocked'
    ? Private.blockedOutcome(context, code, carried)
    : Private.ranOutcome(context, carried.result);
}

/**
 * How one step is carried out where it runs: gated, checked, run.
 *
 * #### Notes
 * The agent's steps (`runToolCall`) and a fixed cell of the cell commands
 * give their own ways to run; `carryOutStep` decides between them, so both
 * meet the same policy, approval mode and gate.
 */
export interface IStepRunner {
  /**
   * Check and run in one go, the kernel refusing the step unless every
   * finding is in `allowed` (`IExecutionHost.runGatedStep`); absent when
   * the step cannot be gated.
   */
  runGated?(allowed: readonly PolicyCategory[]): Promise<IGatedStep>;
  /** Check the code silently (syntax and policy findings). */
  check(): Promise<ICheckResult>;
  /** Run the step, after the user's approval when `needsApproval`. */
  run(needsApproval: boolean, approvalReason?: string): Promise<IStepResult>;
}

/**
 * What `carryOutStep` led to: the step ran (or was skipped or stopped), or
 * the policy blocked it and nothing ran.
 */
export type CarriedStep =
  | { kind: 'ran'; result: IStepResult }
  | {
      kind: 'blocked';
      refusal: string;
      failure: DeferredText | null;
      /** The findings the policy blocks (none for a syntax error). */
      findings: IPolicyFinding[];
    };

/**
 * Carry out one step under the policy and approval mode: a step that would
 * run unasked goes to the kernel with its check in front (the gate), not
 * after the check's round trip; otherwise, or when the gate refuses, the
 * check's verdict blocks it, asks, or lets it run.
 *
 * @param runner - how the step is gated, checked and run.
 * @param settings - the policy and approval mode.
 * @param state - the kernel's state, for the packages an install may use.
 * @param trans - the UI translation, for the approval reason.
 */
export async function carryOutStep(
  runner: IStepRunner,
  settings: Pick<IAgentSettings, 'policy' | 'approvalMode'>,
  state: IKernelState | null,
  trans: TranslateFn = untranslated
): Promise<CarriedStep> {
  const allowed = categoriesRunUnasked(settings.policy, settings.approvalMode);
  const gated =
    allowed && runner.runGated ? await runner.runGated(allowed) : null;
  if (gated?.kind === 'ran') {
    return { kind: 'ran', result: gated.result };
  }
  const check = gated?.kind === 'refused' ? gated.check : await runner.check();
  const verdict = judgeStep(
    check,
    settings.policy,
    settings.approvalMode,
    state,
    trans
  );
  if (verdict.refusal) {
    return {
      kind: 'blocked',
      refusal: verdict.refusal,
      failure: verdict.failure,
      findings: verdict.blocked
    };
  }
  return {
    kind: 'ran',
    result: await runner.run(verdict.needsApproval, verdict.approvalReason)
  };
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * The code of a `run_python` call, or what answers a call that has none
   * (another tool's name, arguments that are not valid JSON).
   */
  export function codeOfCall(call: IWireToolCall): string | ICallOutcome {
    if (call.function.name !== RUN_PYTHON_TOOL.function.name) {
      return refused(
        `Error: there is no tool named "${call.function.name}"; the only tool is run_python.`,
        trans =>
          trans('Unknown tool %1', call.function.name || trans('(no name)')),
        false
      );
    }
    const code = codeOf(call.function.arguments);
    if (code === null) {
      return refused(
        'Error: the arguments of run_python were not valid JSON of the form {"code": "<python>"}; nothing was run. Call run_python again with valid arguments.',
        trans => trans('Invalid run_python arguments'),
        false
      );
    }
    return code;
  }

  /**
   * Carry out the call's step in the host: gated, or checked then run, with
   * its statuses reported; a step the user stopped ran as `stopped`.
   */
  export async function carryOutCall(
    context: IToolCallContext,
    code: string
  ): Promise<CarriedStep> {
    const { settings, state, signal, trans } = context;
    try {
      return await carryOutStep(
        stepRunnerOf(context, code),
        settings,
        state,
        trans
      );
    } catch (error) {
      if (!signal.aborted && !isAbort(error)) {
        throw error;
      }
      return {
        kind: 'ran',
        result: {
          outcome: 'stopped',
          code,
          edited: false,
          outputs: [],
          executionCount: null,
          cellId: ''
        }
      };
    }
  }

  /**
   * How the host gates, checks and runs the call's step.
   */
  function stepRunnerOf(context: IToolCallContext, code: string): IStepRunner {
    const { host, settings, call, request, step, signal, listener } = context;
    const stepRequest: IStepRequest = {
      conversationId: request.conversationId,
      turnId: request.turnId,
      step,
      toolCallId: call.id,
      code,
      needsApproval: false,
      timeoutMs: settings.executionTimeoutSeconds * 1000,
      mayReplaceFailed: !context.afterEarlierCall
    };
    const onStatus = (status: StepStatus, attempts?: IFailedAttempt[]): void =>
      listener({
        type: 'step-status',
        step,
        status,
        ...(attempts?.length ? { attempts } : {})
      });
    const runGatedStep = host.runGatedStep?.bind(host);
    return {
      runGated: runGatedStep
        ? allowed => runGatedStep(stepRequest, allowed, signal, onStatus)
        : undefined,
      check: () => host.check(code),
      run: (needsApproval, approvalReason) => {
        if (needsApproval) {
          listener({
            type: 'step-status',
            step,
            status: 'proposed',
            approvalReason
          });
        }
        return host.runStep(
          { ...stepRequest, needsApproval, approvalReason },
          signal,
          onStatus
        );
      }
    };
  }

  /**
   * Report a step the policy blocked; its refusal answers the call.
   */
  export function blockedOutcome(
    context: IToolCallContext,
    code: string,
    blocked: { refusal: string; failure: DeferredText | null },
    repeatOf?: number
  ): ICallOutcome {
    context.listener({
      type: 'step-finished',
      step: context.step,
      status: 'blocked',
      outcome: 'blocked',
      code,
      edited: false,
      summary: blocked.refusal,
      ...(repeatOf !== undefined ? { repeatOf } : {})
    });
    return {
      ...refused(blocked.refusal, blocked.failure, true),
      ...(repeatOf !== undefined ? { repeatOf } : {})
    };
  }

  /**
   * Report a call not run because it repeats a failed step: no cell, no
   * approval; the model is told why and what the step's error was.
   *
   * #### Notes
   * It counts as a step and as a failure, like a refused check: a model
   * that sends the same code forever still meets the repair budget and the
   * step limit, and the turn ends with the usual message and the error.
   */
  export function repeatOutcome(
    context: IToolCallContext,
    code: string,
    failed: IRanStep
  ): ICallOutcome {
    context.listener({
      type: 'step-created',
      step: context.step,
      toolCallId: context.call.id,
      code,
      status: 'checking'
    });
    const error = failed.error;
    return blockedOutcome(
      context,
      code,
      {
        refusal: repeatMessage(failed),
        // The exception's name and value are Python's, shown as they are.
        failure: error
          ? () => `${error.ename}: ${error.evalue}`
          : trans => trans('Error')
      },
      failed.step
    );
  }

  /**
   * Report a step that ran (or was skipped or stopped); its outputs,
   * summarised within the budget, answer the call.
   */
  export function ranOutcome(
    context: IToolCallContext,
    ran: IStepResult
  ): ICallOutcome {
    const { settings } = context;
    const timeoutSeconds = settings.executionTimeoutSeconds;
    const header = resultHeader(ran, timeoutSeconds);
    const ranCode =
      ran.outcome === 'skipped' || ran.outcome === 'stopped' ? '' : ran.code;
    const summary =
      ranCode || ran.outputs.length
        ? summariseOutputs(ran.outputs, {
            tokenBudget: settings.outputTokenBudget,
            vision: settings.visionCapable,
            newFiles: ran.newFiles,
            changedFiles: ran.changedFiles,
            dataFrames: ran.dataFrames
          })
        : { text: '', images: [] };
    const body =
      ran.outcome === 'skipped'
        ? header
        : summary.text
          ? `${header}\n${summary.text}`
          : header;
    const note = replacementNote(ran);
    const content = note ? `${body}\n${note}` : body;
    context.listener({
      type: 'step-finished',
      step: context.step,
      status: STATUS[ran.outcome],
      outcome: ran.outcome,
      code: ran.code,
      edited: ran.edited,
      cellId: ran.cellId,
      summary: content,
      ...(ran.attempts?.length ? { attempts: ran.attempts } : {}),
      ...(ran.files?.length ? { files: ran.files } : {})
    });
    return {
      content,
      images: summary.images.map(url => ({
        type: 'image_url' as const,
        image_url: { url }
      })),
      failure: failureOf(ran, timeoutSeconds),
      stopped: ran.outcome === 'stopped',
      counted: true,
      ran: ranStep(context.step, ran, context.host.kernelRuns?.()) ?? undefined
    };
  }

  /**
   * A call that did not run.
   */
  function refused(
    content: string,
    failure: DeferredText | null,
    counted: boolean
  ): ICallOutcome {
    return { content, images: [], failure, stopped: false, counted };
  }

  /**
   * The code of `run_python` arguments, or `null` when they are not valid.
   */
  function codeOf(args: string): string | null {
    try {
      const parsed: unknown = JSON.parse(args);
      if (parsed && typeof parsed === 'object' && 'code' in parsed) {
        const code = (parsed as { code: unknown }).code;
        return typeof code === 'string' && code.trim() ? code : null;
      }
    } catch {
      // Not JSON: reported to the model as such.
    }
    return null;
  }

  /**
   * The step status of an outcome.
   */
  const STATUS: Record<StepOutcome, StepStatus> = {
    ok: 'done',
    error: 'failed',
    timeout: 'failed',
    kernel_died: 'failed',
    skipped: 'skipped',
    stopped: 'stopped'
  };
}
