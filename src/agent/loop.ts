/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { StreamEventError, isAbort } from '../llm/errors';
import { applyChunk, EMPTY_STREAM, IStreamState } from '../llm/stream';
import { markTiming, TimingMarks } from '../marks';
import type {
  IChatClient,
  IChatRequest,
  IWireContentPart,
  IWireToolCall,
  ToolProtocol
} from '../llm/wire';
import { DeferredText, TranslateFn, untranslated } from '../translate';
import type {
  AgentEvent,
  IReplyRequest,
  IReplyResult,
  ITurnRequest,
  ITurnResult
} from './events';
import { unavailableSources } from './datasources';
import { detectLanguage } from './language';
import { runToolCall } from './toolcall';
import { callsOf, Turn } from './turn';
import { renderPrompt } from './prompts';
import { IAgentSettings } from './settings';
import { isSmallTalk } from './smalltalk';
import { ProseFilter } from './textprotocol';
import { turnRequest } from './turnrequest';
import { nudgeTurn, readsBlocks, textStep } from './turnsteps';
import type { IExecutionHost, IKernelState } from './tokens';
import {
  contextMessage,
  gaveUpMessage,
  SMALL_TALK_CONTEXT
} from './toolresults';

/**
 * Receives the events of a turn or a reply.
 */
type Listener = (event: AgentEvent) => void;

/**
 * The turn loop: prompt → model → `run_python` steps → … → answer.
 *
 * #### Notes
 * Pure: no DOM and no JupyterLab; the model comes through `IChatClient`, the
 * notebook and kernel through `IExecutionHost`. The request's prefix (system
 * prompt, tools, history) is byte-identical across the steps of a turn, for
 * prompt caching; the kernel's state goes in a context message at the end.
 * Errors of the endpoint (HTTP, stream) reject `runTurn` and `reply`; Stop
 * resolves them with `stopped`. With the text tool protocol (models without
 * reliable native calls) the model writes a fenced python block instead of
 * a call; the turn still records a `run_python` call and its tool result,
 * and converts them only when it sends a request (textprotocolmessages.ts, turnrequest.ts). Every request to the model,
 * with tools or without, streams through `_ask`, so a stream is folded in one place.
 */
export class Agent {
  /**
   * Create an agent.
   */
  constructor(options: Agent.IOptions) {
    this.client = options.client;
    this.host = options.host ?? null;
    this.settings = options.settings;
    this._trans = options.trans ?? untranslated;
  }

  /**
   * Streams the model's replies.
   */
  readonly client: IChatClient;

  /**
   * Runs steps in the notebook's kernel; `null`: only `reply` can be used.
   */
  readonly host: IExecutionHost | null;

  /**
   * The settings used by the next turn.
   */
  settings: IAgentSettings;

  /**
   * Run one turn.
   *
   * #### Notes
   * Each round asks the model, then runs the `run_python` calls of its reply;
   * the turn ends when the model answers without calls, the user stops, or a
   * limit (steps, failed attempts) is reached.
   *
   * @param request - the prompt, its history and ids.
   * @param signal - Stop: cancels the stream and the running step.
   * @param listener - receives the turn's events.
   * @throws when the agent has no host, and on errors of the endpoint.
   */
  async runTurn(
    request: ITurnRequest,
    signal: AbortSignal,
    listener: Listener = () => undefined
  ): Promise<ITurnResult> {
    const host = this.host;
    if (!host) {
      throw new Error('A turn with tools needs a notebook to run them in.');
    }
    const turn = await this._openTurn(request, listener);
    for (;;) {
      if (signal.aborted) {
        return turn.end('stopped', null);
      }
      const finalRequest = turn.steps >= this.settings.maxStepsPerTurn;
      const watch = readsBlocks(turn, finalRequest);
      const reply = await this._ask(
        turnRequest(turn, this.settings, finalRequest),
        signal,
        listener,
        turn.segment,
        watch ? new ProseFilter() : null
      );
      if (signal.aborted) {
        if (reply.content) {
          turn.messages.push({ role: 'assistant', content: reply.content });
        }
        return turn.end('stopped', reply.finishReason);
      }
      turn.segment++;
      const step = watch ? textStep(turn, reply, request.turnId) : null;
      const calls = step?.calls ?? callsOf(reply, request.turnId, turn.steps);
      if (!calls.length) {
        const reason = nudgeTurn(
          turn,
          reply.content,
          finalRequest,
          this.settings.checkUncomputedNumbers
        );
        if (reason) {
          listener({ type: 'nudge', segment: turn.segment - 1, reason });
          continue;
        }
        return this._answered(turn, reply, finalRequest);
      }
      turn.nativeCalls ||= !step;
      const round = await this._runCalls(
        host,
        turn,
        { content: step?.content ?? reply.content, calls },
        signal,
        listener
      );
      const ending = this._endingOf(turn, round, reply.finishReason, signal);
      if (ending) {
        return ending;
      }
    }
  }

  /**
   * Ask the model for one answer without tools: the history, then the
   * prompt, with no system prompt and no notebook context.
   *
   * @param request - the prompt, its history and the model alias.
   * @param signal - Stop: cancels the stream.
   * @param listener - receives the answer's `text` and `usage` events.
   */
  async reply(
    request: IReplyRequest,
    signal: AbortSignal,
    listener: Listener = () => undefined
  ): Promise<IReplyResult> {
    const reply = await this._ask(
      {
        model: request.model || this.settings.modelAlias,
        temperature: this.settings.temperature,
        messages: [
          ...request.history,
          { role: 'user', content: request.prompt }
        ]
      },
      signal,
      listener,
      0
    );
    return {
      status: signal.aborted ? 'stopped' : 'done',
      content: reply.content,
      finishReason: reply.finishReason,
      messages: [
        { role: 'user', content: request.prompt },
        { role: 'assistant', content: reply.content }
      ]
    };
  }

  /**
   * Start a turn: the user's language, the system prompt, and the prompt
   * with the notebook's context.
   */
  private async _openTurn(
    request: ITurnRequest,
    listener: Listener
  ): Promise<Turn> {
    const settings = this.settings;
    const language = request.language ?? detectLanguage(request.prompt);
    // A file sent with "hi" is still something to look at.
    const smallTalk = !request.attachments && isSmallTalk(request.prompt);
    const [protocol, state] = await Promise.all([
      this._toolProtocol(),
      // The notebook's context rides with the prompt, as a second text part:
      // the prompt stays the last user message, and every step of the turn
      // (and every later turn) resends the same bytes, which prompt caching
      // rewards.
      smallTalk ? null : this._kernelState()
    ]);
    for (const message of unavailableSources(state, this._trans)) {
      listener({ type: 'warning', message });
    }
    const values = {
      language: language.name,
      language_tag: language.tag,
      max_steps: settings.maxStepsPerTurn,
      timeout_seconds: settings.executionTimeoutSeconds
    };
    const render = (name: 'system' | 'systemText') => {
      const rendered = renderPrompt(
        name,
        values,
        settings.prompts,
        this._trans
      );
      if (rendered.warning) {
        listener({ type: 'warning', message: rendered.warning });
      }
      return rendered.text;
    };
    const system = protocol === 'text' ? '' : render('system');
    const systemText = protocol === 'native' ? '' : render('systemText');
    const context = smallTalk
      ? SMALL_TALK_CONTEXT
      : contextMessage(state, false, {
          prompt: request.prompt,
          dataPackagesOnly: protocol === 'text'
        });
    return new Turn({
      request,
      language,
      system,
      systemText,
      protocol,
      smallTalk,
      state,
      context
    });
  }

  /**
   * The next request of a turn: the same prefix every time, the turn so far,
   * and at the step limit a note asking for an answer without tools.
   */
  /**
   * End the turn on a reply without calls: the answer, or at the step limit
   * the answer with the reason the turn ended there.
   */
  private _answered(
    turn: Turn,
    reply: IStreamState,
    finalRequest: boolean
  ): ITurnResult {
    turn.messages.push({ role: 'assistant', content: reply.content });
    // At the step limit the model was asked to answer without tools:
    // its answer stands, and the turn says why it ended there.
    return finalRequest
      ? turn.end(
          'gave_up',
          reply.finishReason,
          this._gaveUp(turn, 'steps', this.settings.maxStepsPerTurn, ''),
          true
        )
      : turn.end('done', reply.finishReason);
  }

  /**
   * Run the calls of one reply, in order, and answer each with a tool
   * message; images the steps made follow in one user message.
   */
  private async _runCalls(
    host: IExecutionHost,
    turn: Turn,
    reply: { content: string; calls: IWireToolCall[] },
    signal: AbortSignal,
    listener: Listener
  ): Promise<Private.IRound> {
    const settings = this.settings;
    turn.messages.push({
      role: 'assistant',
      content: reply.content || null,
      tool_calls: reply.calls
    });
    const images: IWireContentPart[] = [];
    const round: Private.IRound = { stopped: false, limitHit: false };
    // A call not run as a repeat leaves the failed cell to the next call.
    let afterEarlierCall = false;
    for (const call of reply.calls) {
      if (round.stopped) {
        turn.answerCall(call, 'Not run: the user stopped the turn.');
        continue;
      }
      if (turn.steps >= settings.maxStepsPerTurn) {
        round.limitHit = true;
        turn.answerCall(
          call,
          `Not run: the limit of ${settings.maxStepsPerTurn} steps for this request is reached.`
        );
        continue;
      }
      const outcome = await runToolCall({
        host,
        settings,
        call,
        request: turn.request,
        step: turn.steps + 1,
        state: turn.state,
        signal,
        listener,
        trans: this._trans,
        afterEarlierCall,
        lastRun: turn.lastRun
      });
      afterEarlierCall ||= outcome.repeatOf === undefined;
      turn.count(outcome);
      round.stopped = outcome.stopped;
      turn.answerCall(call, outcome.content);
      images.push(...outcome.images);
    }
    if (images.length) {
      turn.messages.push({
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
    return round;
  }

  /**
   * How the turn ends after a round of steps, or `null` to ask the model
   * again.
   */
  private _endingOf(
    turn: Turn,
    round: Private.IRound,
    finishReason: string | null,
    signal: AbortSignal
  ): ITurnResult | null {
    if (round.stopped || signal.aborted) {
      return turn.end('stopped', finishReason);
    }
    if (turn.failures > this.settings.repairBudget) {
      return turn.end(
        'gave_up',
        finishReason,
        this._gaveUp(turn, 'repair', turn.failures, turn.lastFailure ?? '')
      );
    }
    if (round.limitHit) {
      return turn.end(
        'gave_up',
        finishReason,
        this._gaveUp(turn, 'steps', this.settings.maxStepsPerTurn, '')
      );
    }
    return null;
  }

  /**
   * Why the turn gave up, in the user's language.
   */
  private _gaveUp(
    turn: Turn,
    kind: 'repair' | 'steps',
    count: number,
    detail: string | DeferredText
  ): string {
    return gaveUpMessage(kind, count, detail, turn.language.tag, this._trans);
  }

  /**
   * Stream one request: its text goes to the listener as `text` events of
   * `segment` as it arrives (through `filter`, which keeps a python block
   * out of the chat), its token counts as a `usage` event.
   */
  private async _ask(
    request: IChatRequest,
    signal: AbortSignal,
    listener: Listener,
    segment: number,
    filter: ProseFilter | null = null
  ): Promise<IStreamState> {
    const show = (delta: string) => {
      if (delta) {
        listener({ type: 'text', segment, delta });
      }
    };
    const reply = await this._stream(request, signal, delta =>
      show(filter ? filter.push(delta) : delta)
    );
    if (filter) {
      show(filter.finish());
    }
    if (reply.usage) {
      listener({ type: 'usage', usage: reply.usage });
    }
    return reply;
  }

  /**
   * Fold one streamed reply; text pieces go to `onText`. Stop ends it
   * quietly with what arrived; an error event in the stream rejects.
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
   * How the model of the turn runs code: the client knows the endpoint's
   * setting; a client that does not is native.
   */
  private async _toolProtocol(): Promise<ToolProtocol> {
    const client = this.client;
    if (!client.toolProtocol) {
      return 'native';
    }
    try {
      return await client.toolProtocol(this.settings.modelAlias);
    } catch {
      return 'auto';
    }
  }

  /**
   * The kernel's state, or `null` if it cannot be read (the turn goes on).
   */
  private async _kernelState(): Promise<IKernelState | null> {
    try {
      return (await this.host?.kernelState()) ?? null;
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
    /** Runs the turn's steps; without one the agent only answers (`reply`). */
    host?: IExecutionHost | null;
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
   * What a round of steps left to decide on.
   */
  export interface IRound {
    /** The user stopped a step. */
    stopped: boolean;
    /** A call was not run because the step limit was reached. */
    limitHit: boolean;
  }
}
