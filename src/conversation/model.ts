/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { UUID } from '@lumino/coreutils';
import type { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { Agent } from '../agent/loop';
import { DEFAULT_AGENT_SETTINGS, IAgentSettings } from '../agent/settings';
import type { IExecutionHost } from '../agent/tokens';
import type {
  ChatStatus,
  IChatClient,
  IChatMessage,
  IChatSettings,
  ITokenUsage,
  IWireMessage,
  TranslateFn
} from '../tokens';
import { addUsage, wireHistory, withError } from './messages';
import { chatSettingsFrom, DEFAULT_CHAT_SETTINGS } from './settings';
import { restoreMessages } from './persist';
import { describeError, isAbort, StreamEventError } from '../llm/errors';
import {
  applyChunk,
  EMPTY_STREAM,
  IStreamState,
  truncationNote
} from '../llm/stream';
import { ITurnSink, TurnView } from './turnview';
import { untranslated } from '../translate';

/**
 * How a tool-less reply ended.
 */
type ReplyOutcome = 'done' | 'stopped' | 'failed';

/**
 * The completion request of a tool-less reply.
 */
type IChatRequest = Parameters<IChatClient['streamChat']>[0];

/**
 * The state of one conversation: its messages and whether a reply streams.
 *
 * #### Notes
 * No DOM here: views listen to `changed` and read `messages` and `status`.
 * A failed request adds an error message and never removes earlier ones.
 */
export class ChatModel implements IDisposable, ITurnSink {
  /**
   * Create a chat model.
   */
  constructor(options: ChatModel.IOptions) {
    this._client = options.client;
    this._settings = { ...ChatModel.DEFAULT_SETTINGS, ...options.settings };
    this._trans = options.trans ?? untranslated;
    this._agentSettings = {
      ...DEFAULT_AGENT_SETTINGS,
      ...options.agentSettings
    };
    this._conversationId = options.conversationId ?? UUID.uuid4();
  }

  /**
   * Emitted whenever the messages or the status change.
   */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /**
   * The conversation, oldest first.
   */
  get messages(): ReadonlyArray<IChatMessage> {
    return this._messages;
  }

  /**
   * Whether a request is out, and whether tokens are arriving.
   */
  get status(): ChatStatus {
    return this._status;
  }

  /**
   * The settings used for the next request.
   */
  get settings(): IChatSettings {
    return this._settings;
  }
  set settings(value: IChatSettings) {
    this._settings = { ...value };
  }

  /**
   * The notebook and kernel that run code; `null`: plain chat.
   *
   * #### Notes
   * Set by the notebook bridge when the chat is tied to a notebook. Takes
   * effect at the next prompt.
   */
  get host(): IExecutionHost | null {
    return this._host;
  }
  set host(value: IExecutionHost | null) {
    this._host = value;
  }

  /**
   * The settings of the interpreter's turn loop (approval, limits, policy,
   * prompts); `modelAlias` and `temperature` come from `settings`.
   */
  get agentSettings(): IAgentSettings {
    return this._agentSettings;
  }
  set agentSettings(value: IAgentSettings) {
    this._agentSettings = { ...value };
  }

  /**
   * The conversation's id, stable across reloads (persisted).
   */
  get conversationId(): string {
    return this._conversationId;
  }

  /**
   * The last warning for the user (e.g. an invalid prompt override), or
   * `null`.
   */
  get warning(): string | null {
    return this._warning;
  }

  /**
   * The tokens used by the conversation so far (this session).
   */
  get usage(): Readonly<Required<ITokenUsage>> {
    return this._usage;
  }

  /**
   * Whether the model is disposed.
   */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Send a prompt and stream the answer into the conversation.
   *
   * #### Notes
   * Ignored while another reply streams or when the text is blank. Resolves
   * once the reply is done, stopped or failed; it never rejects.
   *
   * @param text - the user's prompt.
   */
  async send(text: string): Promise<void> {
    const prompt = text.trim();
    if (!prompt || this._status !== 'idle' || this._isDisposed) {
      return;
    }
    if (this._host) {
      return this._sendTurn(prompt, this._host);
    }
    await this._reply(prompt, {
      model: this._settings.modelAlias,
      temperature: this._settings.temperature,
      messages: [...this._history(), { role: 'user', content: prompt }]
    });
  }

  /**
   * Ask the model something on the user's behalf, without tools, and stream
   * the answer into the conversation (cell commands: explain, fix).
   *
   * #### Notes
   * The chat shows `display` as the user's message while the model gets
   * `prompt`, which the history keeps (as the message's wire transcript) so
   * later turns see what was really asked. Ignored while another reply
   * streams. Resolves with the answer once done, or `null` when it was
   * stopped, failed or ignored; it never rejects.
   *
   * @param prompt - what the model gets.
   * @param options - what the chat shows, and the model alias to use.
   */
  async ask(
    prompt: string,
    options: ChatModel.IAskOptions
  ): Promise<string | null> {
    if (!prompt.trim() || this._status !== 'idle' || this._isDisposed) {
      return null;
    }
    const reply = await this._reply(options.display, {
      model: options.modelAlias?.trim() || this._settings.modelAlias,
      temperature: this._settings.temperature,
      messages: [...this._history(), { role: 'user', content: prompt }]
    });
    if (reply.outcome !== 'failed') {
      // Later turns see what was really asked, not what the chat showed.
      this._update(reply.userId, {
        wire: [
          { role: 'user', content: prompt },
          { role: 'assistant', content: reply.content }
        ]
      });
    }
    return reply.outcome === 'done' ? reply.content : null;
  }

  /**
   * Add an assistant message that answers no request, e.g. a cell command
   * saying it gave up; it is shown and persisted with the conversation.
   */
  say(content: string): void {
    if (!this._isDisposed && content.trim()) {
      this._append({ role: 'assistant', content, status: 'done' });
    }
  }

  /**
   * Show a warning in the panel (e.g. a template override that was not used).
   */
  warn(message: string): void {
    this._event('warning', message);
  }

  /**
   * Run work on the user's behalf that the panel's Stop ends (a fixed cell
   * of the cell commands): the chat is busy meanwhile, and Stop aborts the
   * signal.
   *
   * @returns what `work` returned, or `null` (without calling it) while
   *   another reply or turn is under way.
   */
  async runStoppable<T>(
    work: (signal: AbortSignal) => Promise<T>
  ): Promise<T | null> {
    if (this._status !== 'idle' || this._isDisposed) {
      return null;
    }
    const controller = new AbortController();
    this._controller = controller;
    this._setStatus('running');
    try {
      return await work(controller.signal);
    } finally {
      if (this._controller === controller) {
        this._controller = null;
        this._setStatus('idle');
      }
    }
  }

  /**
   * Stop the streaming reply; the partial answer stays, marked `stopped`.
   */
  stop(): void {
    this._controller?.abort();
  }

  /**
   * Stop any reply and start a new, empty conversation.
   */
  clear(): void {
    this.stop();
    this._controller = null;
    this._messages = [];
    this._status = 'idle';
    this._warning = null;
    this._conversationId = UUID.uuid4();
    this._changed.emit();
  }

  /**
   * The conversation as JSON, for persistence per notebook.
   *
   * #### Notes
   * Messages are plain data; a turn in progress is saved as it stands and
   * comes back stopped (see `fromJSON`).
   */
  toJSON(): ChatModel.IJSON {
    return {
      version: 1,
      conversationId: this._conversationId,
      messages: this._messages.slice()
    };
  }

  /**
   * Replace the conversation with a saved one.
   *
   * #### Notes
   * Stops any turn first. A turn that was streaming or running when saved is
   * restored as stopped, with a note; malformed messages are dropped.
   *
   * @param data - what `toJSON` returned, maybe from an older session.
   */
  fromJSON(data: unknown): void {
    this.stop();
    this._controller = null;
    const restored = restoreMessages(data, this._trans);
    this._messages = restored.messages;
    this._conversationId = restored.conversationId ?? UUID.uuid4();
    this._counter = Math.max(this._counter, restored.lastCounter);
    this._status = 'idle';
    this._changed.emit();
  }

  /**
   * Dispose of the model, stopping any reply.
   */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this.stop();
    this._isDisposed = true;
    Signal.clearData(this);
  }

  /**
   * Show `display` as the user's message and stream a tool-less answer to
   * `request` below it; never rejects (a failure becomes an error message).
   */
  private async _reply(
    display: string,
    request: IChatRequest
  ): Promise<{ userId: string; outcome: ReplyOutcome; content: string }> {
    const userId = this._nextId();
    const assistantId = this._nextId();
    const controller = new AbortController();
    this._controller = controller;
    this._messages = [
      ...this._messages,
      { id: userId, role: 'user', content: display },
      { id: assistantId, role: 'assistant', content: '', status: 'streaming' }
    ];
    this._warning = null;
    this._status = 'waiting';
    this._changed.emit();
    let state: IStreamState = EMPTY_STREAM;
    let outcome: ReplyOutcome = 'stopped';
    try {
      const stream = this._client.streamChat(request, controller.signal);
      for await (const chunk of stream) {
        // Chunks already parsed when Stop was pressed must not show up.
        if (controller.signal.aborted) {
          break;
        }
        const next = applyChunk(state, chunk);
        if (next.error) {
          throw new StreamEventError(next.error);
        }
        if (next.content !== state.content) {
          this._update(assistantId, { content: next.content });
          this._setStatus('streaming');
        }
        state = next;
      }
      if (!controller.signal.aborted) {
        outcome = 'done';
        this._update(assistantId, {
          status: 'done',
          note: truncationNote(state.finishReason, this._trans) ?? undefined
        });
      } else {
        this._update(assistantId, { status: 'stopped' });
      }
    } catch (error) {
      if (controller.signal.aborted || isAbort(error)) {
        this._update(assistantId, { status: 'stopped' });
      } else {
        outcome = 'failed';
        this._fail(assistantId, error);
      }
    } finally {
      if (this._controller === controller) {
        this._controller = null;
        this._setStatus('idle');
      }
    }
    return { userId, outcome, content: state.content };
  }

  private _history(): IWireMessage[] {
    return wireHistory(this._messages, this._agentSettings.historyTokenBudget);
  }

  /**
   * Run one interpreter turn through the agent.
   */
  private async _sendTurn(prompt: string, host: IExecutionHost): Promise<void> {
    const history = this._history();
    const userId = this._nextId();
    const controller = new AbortController();
    this._controller = controller;
    this._messages = [
      ...this._messages,
      { id: userId, role: 'user', content: prompt }
    ];
    this._warning = null;
    this._status = 'waiting';
    this._changed.emit();
    const turn = new TurnView(this, userId, this._trans);
    const agent = new Agent({
      client: this._client,
      host,
      settings: {
        ...this._agentSettings,
        modelAlias: this._settings.modelAlias,
        temperature: this._settings.temperature
      },
      trans: this._trans
    });
    try {
      const result = await agent.runTurn(
        {
          conversationId: this._conversationId,
          turnId: userId,
          history,
          prompt
        },
        controller.signal,
        event => turn.handle(event)
      );
      turn.finish(result);
    } catch (error) {
      if (controller.signal.aborted || isAbort(error)) {
        turn.finish(null);
      } else {
        turn.stopSteps();
        this._fail(turn.currentAssistant, error);
      }
    } finally {
      if (this._controller === controller) {
        this._controller = null;
        this._setStatus('idle');
      }
    }
  }

  private _fail(assistantId: string | null, error: unknown): void {
    const failed = withError(
      this._messages,
      assistantId,
      describeError(error, this._trans),
      this._nextId()
    );
    if (failed !== this._messages) {
      this._messages = failed;
      this._changed.emit();
    }
  }

  private _update(id: string, patch: Partial<IChatMessage>): void {
    const index = this._messages.findIndex(m => m.id === id);
    if (index < 0 || this._isDisposed) {
      return;
    }
    const messages = this._messages.slice();
    messages[index] = { ...messages[index], ...patch };
    this._messages = messages;
    this._changed.emit();
  }

  /** @internal For the turn view. */
  _append(message: Omit<IChatMessage, 'id'>): string {
    const id = this._nextId();
    this._messages = [...this._messages, { id, ...message }];
    this._changed.emit();
    return id;
  }

  /** @internal For the turn view. */
  _patch(id: string, patch: Partial<IChatMessage>): void {
    this._update(id, patch);
  }

  /** @internal For the turn view. */
  _message(id: string): IChatMessage | undefined {
    return this._messages.find(m => m.id === id);
  }

  /** @internal For the turn view. */
  _event(event: 'warning' | 'usage', value: string | ITokenUsage): void {
    if (typeof value === 'string') {
      this._warning = value;
    } else {
      this._usage = addUsage(this._usage, value);
    }
    this._changed.emit();
  }

  /** @internal For the turn view. */
  _setStatus(status: ChatStatus): void {
    if (this._status !== status && !this._isDisposed) {
      this._status = status;
      this._changed.emit();
    }
  }

  private _nextId(): string {
    return `message-${++this._counter}`;
  }

  private _changed = new Signal<this, void>(this);
  private _agentSettings: IAgentSettings;
  private _client: IChatClient;
  private _conversationId: string;
  private _host: IExecutionHost | null = null;
  private _usage: Required<ITokenUsage> = {
    prompt_tokens: 0,
    completion_tokens: 0,
    total_tokens: 0
  };
  private _warning: string | null = null;
  private _controller: AbortController | null = null;
  private _counter = 0;
  private _isDisposed = false;
  private _messages: ReadonlyArray<IChatMessage> = [];
  private _settings: IChatSettings;
  private _status: ChatStatus = 'idle';
  private _trans: TranslateFn;
}

/**
 * A namespace for `ChatModel` statics.
 */
export namespace ChatModel {
  /**
   * The options of a chat model.
   */
  export interface IOptions {
    /**
     * Streams the completions.
     */
    client: IChatClient;

    /**
     * The initial settings; defaults fill the gaps.
     */
    settings?: Partial<IChatSettings>;

    /**
     * Translates the texts the model writes (errors, notes).
     */
    trans?: TranslateFn;

    /**
     * The interpreter's settings; defaults fill the gaps.
     */
    agentSettings?: Partial<IAgentSettings>;

    /**
     * The conversation's id; a new one by default.
     */
    conversationId?: string;
  }

  /**
   * The options of `ask`.
   */
  export interface IAskOptions {
    /** The user message the chat shows in place of the prompt. */
    display: string;
    /** The model alias for this request; the chat's alias by default. */
    modelAlias?: string;
  }

  /**
   * A conversation as JSON (`toJSON`, `fromJSON`).
   */
  export interface IJSON {
    version: 1;
    conversationId: string;
    messages: IChatMessage[];
  }

  /**
   * Read the chat settings from the plugin's composite settings.
   */
  export const settingsFrom = chatSettingsFrom;

  /**
   * The settings used until the setting registry answers.
   */
  export const DEFAULT_SETTINGS = DEFAULT_CHAT_SETTINGS;
}
