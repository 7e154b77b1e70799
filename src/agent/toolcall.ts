/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { isAbort } from '../chat/errors';
import type { IWireContentPart, IWireToolCall } from '../tokens';
import type { AgentEvent, ITurnRequest } from './loop';
import { summariseOutputs } from './outputs';
import type { IAgentSettings } from './settings';
import type {
  ICheckResult,
  IExecutionHost,
  IKernelState,
  IStepRequest,
  IStepResult,
  StepOutcome,
  StepStatus
} from './tokens';
import {
  categoriesRunUnasked,
  failureOf,
  judgeStep,
  resultHeader,
  RUN_PYTHON_TOOL
} from './toolresults';

/**
 * What one tool call led to.
 */
export interface ICallOutcome {
  content: string;
  images: IWireContentPart[];
  failure: string | null;
  stopped: boolean;
  /** Whether it counts as a step (it had code). */
  counted: boolean;
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
}

/**
 * Carry out one tool call: parse, check, judge, run, summarise.
 */
export async function runToolCall(
  context: IToolCallContext
): Promise<ICallOutcome> {
  const { host, settings, call, request, step, state, signal, listener } =
    context;
  if (call.function.name !== RUN_PYTHON_TOOL.function.name) {
    const failure = `Unknown tool ${call.function.name || '(no name)'}`;
    return refused(
      `Error: there is no tool named "${call.function.name}"; the only tool is run_python.`,
      failure,
      false
    );
  }
  const code = codeOf(call.function.arguments);
  if (code === null) {
    return refused(
      'Error: the arguments of run_python were not valid JSON of the form {"code": "<python>"}; nothing was run. Call run_python again with valid arguments.',
      'Invalid run_python arguments',
      false
    );
  }
  listener({
    type: 'step-created',
    step,
    toolCallId: call.id,
    code,
    status: 'checking'
  });
  const timeoutSeconds = settings.executionTimeoutSeconds;
  const stepRequest: IStepRequest = {
    conversationId: request.conversationId,
    turnId: request.turnId,
    step,
    toolCallId: call.id,
    code,
    needsApproval: false,
    timeoutMs: timeoutSeconds * 1000
  };
  const onStatus = (status: StepStatus): void =>
    listener({ type: 'step-status', step, status });
  let ran: IStepResult | null = null;
  try {
    // A step that would run unasked goes to the kernel with its check in
    // front, not after the check's round trip.
    const allowed = categoriesRunUnasked(
      settings.policy,
      settings.approvalMode
    );
    const gated =
      allowed && host.runGatedStep
        ? await host.runGatedStep(stepRequest, allowed, signal, onStatus)
        : null;
    let check: ICheckResult | null = null;
    if (gated?.kind === 'ran') {
      ran = gated.result;
    } else if (gated?.kind === 'refused') {
      check = gated.check;
    }
    if (!ran) {
      check ??= await host.check(code);
      const verdict = judgeStep(
        check,
        settings.policy,
        settings.approvalMode,
        state
      );
      if (verdict.refusal) {
        listener({
          type: 'step-finished',
          step,
          status: 'blocked',
          outcome: 'blocked',
          code,
          edited: false,
          summary: verdict.refusal
        });
        return refused(verdict.refusal, verdict.failure, true);
      }
      if (verdict.needsApproval) {
        listener({
          type: 'step-status',
          step,
          status: 'proposed',
          approvalReason: verdict.approvalReason
        });
      }
      ran = await host.runStep(
        {
          ...stepRequest,
          needsApproval: verdict.needsApproval,
          approvalReason: verdict.approvalReason
        },
        signal,
        onStatus
      );
    }
  } catch (error) {
    if (!signal.aborted && !isAbort(error)) {
      throw error;
    }
    ran = {
      outcome: 'stopped',
      code,
      edited: false,
      outputs: [],
      executionCount: null,
      cellId: ''
    };
  }
  const header = resultHeader(ran, timeoutSeconds);
  const ranCode =
    ran.outcome === 'skipped' || ran.outcome === 'stopped' ? '' : ran.code;
  const summary =
    ranCode || ran.outputs.length
      ? summariseOutputs(ran.outputs, {
          tokenBudget: settings.outputTokenBudget,
          vision: settings.visionCapable,
          newFiles: ran.newFiles
        })
      : { text: '', images: [] };
  const content =
    ran.outcome === 'skipped'
      ? header
      : summary.text
        ? `${header}\n${summary.text}`
        : header;
  const status = STATUS[ran.outcome];
  listener({
    type: 'step-finished',
    step,
    status,
    outcome: ran.outcome,
    code: ran.code,
    edited: ran.edited,
    cellId: ran.cellId,
    summary: content
  });
  return {
    content,
    images: summary.images.map(url => ({
      type: 'image_url' as const,
      image_url: { url }
    })),
    failure: failureOf(ran, timeoutSeconds),
    stopped: ran.outcome === 'stopped',
    counted: true
  };
}

/**
 * A call that did not run.
 */
function refused(
  content: string,
  failure: string | null,
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
