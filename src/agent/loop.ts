/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { StreamEventError, isAbort } from '../llm/errors';
import { applyChunk, EMPTY_STREAM, IStreamState } from '../llm/stream';
import { untranslated } from '../translate';
import { markTiming, TimingMarks } from '../marks';
import type {
  IChatClient,
  IChatRequest,
  ITokenUsage,
  IWireContentPart,
  IWireMessage,
  IWireToolCall,
  TranslateFn
} from '../tokens';
import { detectLanguage, ILanguage } from './language';
import { runToolCall } from './toolcall';
import { renderPrompt } from './prompts';
import { IAgentSettings } from './settings';
import { isSmallTalk } from './smalltalk';
import type {
  IExecutionHost,
  IKernelState,
  StepOutcome,
  StepStatus
} from './tokens';
import {
  contextMessage,
  FINAL_REQUEST_NOTE,
  gaveUpMessage,
  RUN_PYTHON_TOOL,
  SMALL_TALK_CONTEXT
} from './toolresults';

/**
 * Something the loop tells the UI while a turn runs.
 *
 * - `text`: a piece of assistant text; `segment` counts the model's replies
 *   in the turn, so text after a step can start a new message.
 * - `step-created`, `step-status`, `step-finished`: a `run_python` step.
 * - `usage`: the token counts of one request.
 * - `warning`: something the user should fix (e.g. a bad prompt override).
 */
export type AgentEvent =
  | { type: 'text'; segment: number; delta: string }
  | {
      type: 'step-created';
      step: number;
      toolCallId: string;
      code: string;
      status: StepStatus;
    }
  | {
      type: 'step-status';
      step: number;
      status: StepStatus;
      approvalReason?: string;
    }
  | {
      type: 'step-finished';
      step: number;
      status: StepStatus;
      outcome: StepOutcome | 'blocked';
      /** The code that ran (the user's edit, if any). */
      code: string;
      edited: boolean;
      cellId?: string;
      /** The tool result the model got (text part). */
      summary: string;
    }
  | { type: 'usage'; usage: ITokenUsage }
  | { type: 'warning'; message: string };

/**
 * How a turn ended.
 */
export interface ITurnResult {
  /**
   * `done`: the model answered; `stopped`: the user pressed Stop;
   * `gave_up`: a limit ended it (`reason` says which, in the user's language).
   */
  status: 'done' | 'stopped' | 'gave_up';

  /**
   * Why the loop gave up, for the assistant message.
   */
  reason?: string;

  /**
   * The turn as wire messages, to append to the history: the user's prompt
   * first, then assistant, tool and image messages. Images are replaced by a
   * short text so that history stays small and serialisable.
   */
  messages: IWireMessage[];

  /**
   * The finish reason of the last reply (`length`, `content_filter`…).
   */
  finishReason: string | null;

  /**
   * The language the turn was answered in.
   */
  language: ILanguage;
}

/**
 * One turn to run.
 */
export interface ITurnRequest {
  conversationId: string;
  turnId: string;
  /** Earlier turns as wire messages, oldest first, without system messages. */
  history: IWireMessage[];
  /** The user's prompt. */
  prompt: string;
  /** The user's language; detected from the prompt when absent. */
  language?: ILanguage;
}

/**
 * The turn loop: prompt → model → `run_python` steps → … → answer.
 *
 * #### Notes
 * Pure: no DOM and no JupyterLab; the model comes through `IChatClient`, the
 * notebook and kernel through `IExecutionHost`. The request's prefix (system
 * prompt, tools, history) is byte-identical across the steps of a turn, for
 * prompt caching; the kernel's state goes in a context message at the end.
 * Errors of the endpoint (HTTP, stream) reject `runTurn`; Stop resolves it
 * with `stopped`.
 */
export class Agent {
  /**
   * Create an agent.
   */
  constructor(options: Agent.IOptions) {
    this.client = options.client;
    this.host = options.host;
    this.settings = options.settings;
    this._trans = options.trans ?? untranslated;
  }

  /**
   * Streams the model's replies.
   */
  readonly client: IChatClient;

  /**
   * Runs steps in the notebook's kernel.
   */
  readonly host: IExecutionHost;

  /**
   * The settings used by the next turn.
   */
  settings: IAgentSettings;

  /**
   * Run one turn.
   *
   * @param request - the prompt, its history and ids.
   * @param signal - Stop: cancels the stream and the running step.
   * @param listener - receives the turn's events.
   */
  async runTurn(
    request: ITurnRequest,
    signal: AbortSignal,
    listener: (event: AgentEvent) => void = () => undefined
  ): Promise<ITurnResult> {
    const settings = this.settings;
    const language = request.language ?? detectLanguage(request.prompt);
    const smallTalk = isSmallTalk(request.prompt);
    const system = renderPrompt(
      'system',
      {
        language: language.name,
        language_tag: language.tag,
        max_steps: settings.maxStepsPerTurn,
        timeout_seconds: settings.executionTimeoutSeconds
      },
      settings.prompts,
      this._trans
    );
    if (system.warning) {
      listener({ type: 'warning', message: system.warning });
    }
    // The notebook's context rides with the prompt, as a second text part: the
    // prompt stays the last user message, and every step of the turn (and
    // every later turn) resends the same bytes, which prompt caching rewards.
    const state = smallTalk ? null : await this._kernelState();
    const context = smallTalk
      ? SMALL_TALK_CONTEXT
      : contextMessage(state, false);
    const turn: IWireMessage[] = [
      {
        role: 'user',
        content: [
          { type: 'text', text: request.prompt },
          { type: 'text', text: context }
        ]
      }
    ];
    let steps = 0;
    let failures = 0;
    let lastFailure = '';
    let segment = 0;
    const result = (
      status: ITurnResult['status'],
      finishReason: string | null,
      reason?: string,
      answered = false
    ): ITurnResult => {
      if (reason && !answered) {
        turn.push({ role: 'assistant', content: reason });
      }
      return {
        status,
        reason,
        messages: turn.map(Private.withoutImages),
        finishReason,
        language
      };
    };

    for (;;) {
      if (signal.aborted) {
        return result('stopped', null);
      }
      const finalRequest = steps >= settings.maxStepsPerTurn;
      const chat: IChatRequest = {
        model: settings.modelAlias,
        temperature: settings.temperature,
        messages: [
          { role: 'system', content: system.text },
          ...request.history,
          ...turn,
          ...(finalRequest
            ? [{ role: 'user' as const, content: FINAL_REQUEST_NOTE }]
            : [])
        ]
      };
      if (!smallTalk) {
        chat.tools = [RUN_PYTHON_TOOL];
        if (finalRequest) {
          chat.tool_choice = 'none';
        }
      }
      const reply = await this._stream(chat, signal, delta =>
        listener({ type: 'text', segment, delta })
      );
      if (reply.usage) {
        listener({ type: 'usage', usage: reply.usage });
      }
      if (signal.aborted) {
        if (reply.content) {
          turn.push({ role: 'assistant', content: reply.content });
        }
        return result('stopped', reply.finishReason);
      }
      segment++;
      const calls = reply.toolCalls.map((call, index) => ({
        ...call,
        id: call.id || `call_${request.turnId}_${steps + index + 1}`
      }));
      if (
        calls.some(call => call.function.name === RUN_PYTHON_TOOL.function.name)
      ) {
        markTiming(TimingMarks.toolCallComplete);
      }
      if (!calls.length) {
        turn.push({ role: 'assistant', content: reply.content });
        // At the step limit the model was asked to answer without tools:
        // its answer stands, and the turn says why it ended there.
        return finalRequest
          ? result(
              'gave_up',
              reply.finishReason,
              gaveUpMessage(
                'steps',
                settings.maxStepsPerTurn,
                '',
                language.tag,
                this._trans
              ),
              true
            )
          : result('done', reply.finishReason);
      }
      turn.push({
        role: 'assistant',
        content: reply.content || null,
        tool_calls: calls
      });
      const images: IWireContentPart[] = [];
      let stopped = false;
      let limitHit = false;
      for (const call of calls) {
        if (stopped) {
          turn.push(Private.tool(call, 'Not run: the user stopped the turn.'));
          continue;
        }
        if (steps >= settings.maxStepsPerTurn) {
          limitHit = true;
          turn.push(
            Private.tool(
              call,
              `Not run: the limit of ${settings.maxStepsPerTurn} steps for this request is reached.`
            )
          );
          continue;
        }
        const outcome = await runToolCall({
          host: this.host,
          settings,
          call,
          request,
          step: steps + 1,
          state,
          signal,
          listener
        });
        if (outcome.counted) {
          steps++;
        }
        if (outcome.failure) {
          failures++;
          lastFailure = outcome.failure;
        }
        stopped = outcome.stopped;
        turn.push(Private.tool(call, outcome.content));
        images.push(...outcome.images);
      }
      if (images.length) {
        turn.push({
          role: 'user',
          content: [
            {
              type: 'text',
              text: '[Images produced by the code above, attached by the notebook]'
            },
            ...images
          ]
        });
      }
      if (stopped || signal.aborted) {
        return result('stopped', reply.finishReason);
      }
      if (failures > settings.repairBudget) {
        return result(
          'gave_up',
          reply.finishReason,
          gaveUpMessage(
            'repair',
            failures,
            lastFailure,
            language.tag,
            this._trans
          )
        );
      }
      if (limitHit) {
        return result(
          'gave_up',
          reply.finishReason,
          gaveUpMessage(
            'steps',
            settings.maxStepsPerTurn,
            '',
            language.tag,
            this._trans
          )
        );
      }
    }
  }

  /**
   * Stream one reply; text pieces go to `onText`.
   */
  private async _stream(
    request: IChatRequest,
    signal: AbortSignal,
    onText: (delta: string) => void
  ): Promise<IStreamState> {
    let state: IStreamState = EMPTY_STREAM;
    markTiming(TimingMarks.modelRequest);
    try {
      for await (const chunk of this.client.streamChat(request, signal)) {
        // Chunks already parsed when Stop was pressed must not show up.
        if (signal.aborted) {
          break;
        }
        const next = applyChunk(state, chunk);
        if (next.error) {
          throw new StreamEventError(next.error);
        }
        if (next.content.length > state.content.length) {
          onText(next.content.slice(state.content.length));
        }
        state = next;
      }
    } catch (error) {
      if (!(signal.aborted || isAbort(error))) {
        throw error;
      }
    }
    return state;
  }

  /**
   * The kernel's state, or `null` if it cannot be read (the turn goes on).
   */
  private async _kernelState(): Promise<IKernelState | null> {
    try {
      return await this.host.kernelState();
    } catch {
      return null;
    }
  }

  private _trans: TranslateFn;
}

/**
 * A namespace for `Agent` statics.
 */
export namespace Agent {
  /**
   * The options of an agent.
   */
  export interface IOptions {
    client: IChatClient;
    host: IExecutionHost;
    settings: IAgentSettings;
    /** Translates texts the loop writes (warnings, gave-up messages). */
    trans?: TranslateFn;
  }
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * The tool message answering a call.
   */
  export function tool(call: IWireToolCall, content: string): IWireMessage {
    return { role: 'tool', tool_call_id: call.id, content };
  }

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
