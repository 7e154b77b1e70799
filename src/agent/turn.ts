/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { markTiming, TimingMarks } from '../marks';
import type { IStreamState } from '../llm/stream';
import type { IWireMessage, IWireToolCall, ToolProtocol } from '../llm/wire';
import type { DeferredText } from '../translate';
import type { ITurnRequest, ITurnResult } from './events';
import type { ILanguage } from './language';
import type { IRanStep } from './repeats';
import type { IKernelState } from './tokens';
import { RUN_PYTHON_TOOL } from './toolresults';

/**
 * One turn in progress: what it sends the model and its tally.
 *
 * #### Notes
 * The turn's messages start with the prompt and the notebook's context as
 * two text parts, and only grow, so every request of the turn resends the
 * same prefix.
 */
export class Turn {
  /**
   * Start a turn.
   */
  constructor(options: Turn.IOptions) {
    this.request = options.request;
    this.language = options.language;
    this.system = options.system;
    this.systemText = options.systemText ?? options.system;
    this.protocol = options.protocol ?? 'native';
    this.smallTalk = options.smallTalk;
    this.state = options.state;
    this.messages = [
      {
        role: 'user',
        content: [
          { type: 'text', text: options.request.prompt },
          ...(options.request.attachments
            ? [{ type: 'text' as const, text: options.request.attachments }]
            : []),
          { type: 'text', text: options.context }
        ]
      }
    ];
  }

  readonly request: ITurnRequest;
  readonly language: ILanguage;
  /** The system prompt, the same for every request of the turn. */
  readonly system: string;
  /** The system prompt of the text protocol (it describes the tool). */
  readonly systemText: string;
  /**
   * How the model runs code; `auto` becomes `text` for the rest of the turn
   * when a reply writes a python block instead of a call.
   */
  protocol: ToolProtocol;
  /** Whether the model made a native call in this turn. */
  nativeCalls = false;
  /** Small talk gets no tools. */
  readonly smallTalk: boolean;
  /** The kernel's state when the turn began. */
  readonly state: IKernelState | null;
  /** The turn's messages so far, the prompt first. */
  readonly messages: IWireMessage[];
  /** The steps run (calls with code). */
  steps = 0;
  /** The steps that failed. */
  failures = 0;
  lastFailure: DeferredText | null = null;
  /** The last step that reached the kernel, for the repeat check. */
  lastRun: IRanStep | null = null;
  /** The number of the model's reply in the turn (`text` events). */
  segment = 0;
  /**
   * Whether the loop asked the model to compute the numbers of an answer
   * (agent/nudge.ts); once per turn.
   */
  nudged = false;

  /**
   * Whether the turn made a `run_python` call (run or not).
   */
  get madeCalls(): boolean {
    return this.messages.some(
      message => message.role === 'assistant' && !!message.tool_calls?.length
    );
  }

  /**
   * Count a call's outcome.
   */
  count(outcome: {
    counted: boolean;
    failure: DeferredText | null;
    ran?: IRanStep;
  }): void {
    if (outcome.ran) {
      this.lastRun = outcome.ran;
    }
    if (outcome.counted) {
      this.steps++;
    }
    if (outcome.failure) {
      this.failures++;
      this.lastFailure = outcome.failure;
    }
  }

  /**
   * Answer a call with its tool message.
   */
  answerCall(call: IWireToolCall, content: string): void {
    this.messages.push({ role: 'tool', tool_call_id: call.id, content });
  }

  /**
   * The turn's result; a reason the model did not write itself ends the
   * transcript, so later turns see why this one ended.
   */
  end(
    status: ITurnResult['status'],
    finishReason: string | null,
    reason?: string,
    answered = false
  ): ITurnResult {
    if (reason && !answered) {
      this.messages.push({ role: 'assistant', content: reason });
    }
    return {
      status,
      reason,
      messages: this.messages.map(Private.withoutImages),
      finishReason,
      language: this.language
    };
  }
}

/**
 * A namespace for `Turn` statics.
 */
export namespace Turn {
  /**
   * The options of a turn.
   */
  export interface IOptions {
    request: ITurnRequest;
    /** The user's language, for the texts the loop writes. */
    language: ILanguage;
    /** The rendered system prompt. */
    system: string;
    /** The rendered system prompt of the text protocol; default `system`. */
    systemText?: string;
    /** How the model runs code; default `native`. */
    protocol?: ToolProtocol;
    /** Whether the prompt is small talk (no tools, no kernel state). */
    smallTalk: boolean;
    /** The kernel's state when the turn began, or `null`. */
    state: IKernelState | null;
    /** The notebook's context, sent with the prompt. */
    context: string;
  }
}

/**
 * The tool calls of a reply, each with an id (some servers send none).
 */
export function callsOf(
  reply: IStreamState,
  turnId: string,
  steps: number
): IWireToolCall[] {
  const calls = reply.toolCalls.map((call, index) => ({
    ...call,
    id: call.id || `call_${turnId}_${steps + index + 1}`
  }));
  if (
    calls.some(call => call.function.name === RUN_PYTHON_TOOL.function.name)
  ) {
    markTiming(TimingMarks.toolCallComplete);
  }
  return calls;
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * A message with its image parts replaced by a short text.
   */
  export function withoutImages(message: IWireMessage): IWireMessage {
    if (message.role !== 'user' || typeof message.content === 'string') {
      return message;
    }
    return {
      role: 'user',
      content: message.content
        .map(part =>
          part.type === 'text' ? part.text : '[image, not kept in history]'
        )
        .join('\n')
    };
  }
}
