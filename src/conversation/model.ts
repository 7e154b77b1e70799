/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { UUID } from '@lumino/coreutils';
import type { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import type { AgentEvent } from '../agent/events';
import { Agent } from '../agent/loop';
import { DEFAULT_AGENT_SETTINGS, IAgentSettings } from '../agent/settings';
import type { IExecutionHost } from '../agent/tokens';
import { describeError, isAbort } from '../llm/errors';
import type {
  ChatStatus,
  IAttachment,
  IChatClient,
  IChatMessage,
  IChatSettings,
  IConversationModel,
  IQuotedCell,
  ITokenUsage,
  IWireMessage,
  TranslateFn
} from '../tokens';
import { untranslated } from '../translate';
import { wireHistory } from './messages';
import { DEFAULT_CHAT_SETTINGS } from './settings';
import { restoreMessages } from './persist';
import {
  appended,
  applyAgentEvent,
  EMPTY_CONVERSATION,
  failTurn,
  finishTurn,
  IConversationState,
  ITurnEnding,
  startTurn,
  withStatus
} from './turnview';

/**
 * The state of one conversation: its messages and whether a reply streams.
 *
 * #### Notes
 * No DOM here: views listen to `changed` and read `messages` and `status`.
 * A failed request adds an error message and never removes earlier ones.
 */
export class ChatModel implements IDisposable {
  /**
   * Create a chat model.
   */
  constructor(options: ChatModel.IOptions) {
    this._client = options.client;
    this._settings = { ...DEFAULT_CHAT_SETTINGS, ...options.settings };
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
    return this._state.messages;
  }

  /**
   * Whether a request is out, and whether tokens are arriving.
   */
  get status(): ChatStatus {
    return this._state.status;
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
    return this._state.warning;
  }

  /**
   * The tokens used by the conversation so far (this session).
   */
  get usage(): Readonly<Required<ITokenUsage>> {
    return this._state.usage;
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
   * @param attachments - files uploaded with it, and what the model is told
   *   of them.
   */
  async send(
    text: string,
    attachments?: ChatModel.IAttachments
  ): Promise<void> {
    const prompt = text.trim();
    if (!prompt || this.status !== 'idle' || this._isDisposed) {
      return;
    }
    const history = this._history();
    const host = this._host;
    const display = attachments?.files.length
      ? { content: prompt, attachments: attachments.files }
      : prompt;
    await this._run(display, !host, async (agent, signal, listener, turnId) => {
      if (!host) {
        // A plain chat: the history reads the messages' texts.
        const reply = await agent.reply({ history, prompt }, signal, listener);
        return { status: reply.status, finishReason: reply.finishReason };
      }
      // Read once the prompt shows: summaries can take the kernel a moment.
      const context =
        typeof attachments?.context === 'function'
          ? await attachments.context()
          : attachments?.context;
      const result = await agent.runTurn(
        {
          conversationId: this._conversationId,
          turnId,
          history,
          prompt,
          ...(context ? { attachments: context } : {})
        },
        signal,
        listener
      );
      return { ...result, wire: result.messages };
    });
  }

  /**
   * Ask the model something on the user's behalf, without tools, and stream
   * the answer into the conversation (cell commands: explain, fix).
   *
   * #### Notes
   * The chat shows `display` (Markdown) as the user's message while the
   * model gets `prompt`, which the history keeps (as the message's wire
   * transcript) so later turns see what was really asked. Ignored while
   * another reply streams. Resolves with the answer once done, or `null`
   * when it was stopped, failed or ignored; it never rejects.
   *
   * @param prompt - what the model gets.
   * @param options - what the chat shows, and the model alias to use.
   */
  async ask(
    prompt: string,
    options: ChatModel.IAskOptions
  ): Promise<string | null> {
    if (!prompt.trim() || this.status !== 'idle' || this._isDisposed) {
      return null;
    }
    const history = this._history();
    let answer: string | null = null;
    const display = {
      content: options.display,
      format: 'markdown' as const,
      quotedCell: options.quotedCell
    };
    await this._run(display, true, async (agent, signal, listener) => {
      if (options.warning) {
        this.warn(options.warning);
      }
      const reply = await agent.reply(
        { history, prompt, model: options.modelAlias?.trim() },
        signal,
        listener
      );
      answer = reply.status === 'done' ? reply.content : null;
      // Later turns see what was really asked, not what the chat showed.
      return { ...reply, wire: reply.messages };
    });
    return answer;
  }

  /**
   * Add an assistant message that answers no request, e.g. a cell command
   * saying it gave up; it is shown and persisted with the conversation.
   */
  say(content: string): void {
    if (content.trim()) {
      this._set(
        appended(this._state, { role: 'assistant', content, status: 'done' })
          .state
      );
    }
  }

  /**
   * Show a warning in the panel (e.g. a template override that was not used).
   */
  warn(message: string): void {
    this._set({ ...this._state, warning: message });
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
    if (this.status !== 'idle' || this._isDisposed) {
      return null;
    }
    const controller = new AbortController();
    this._controller = controller;
    this._set(withStatus(this._state, 'running'));
    try {
      return await work(controller.signal);
    } finally {
      this._settle(controller);
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
    this._conversationId = UUID.uuid4();
    this._set({
      ...this._state,
      messages: [],
      status: 'idle',
      warning: null,
      turn: null
    });
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
      messages: this._state.messages.slice()
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
    this._conversationId = restored.conversationId ?? UUID.uuid4();
    this._set({
      ...this._state,
      messages: restored.messages,
      counter: Math.max(this._state.counter, restored.lastCounter),
      status: 'idle',
      turn: null
    });
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
   * Run one turn or reply through the agent, folding its events into the
   * conversation; never rejects (a failure becomes an error message).
   *
   * @param display - the user's message as the chat shows it: text the user
   *   typed, or a command's Markdown.
   * @param answering - whether the answer shows at once (a reply without
   *   tools) rather than with its first text.
   * @param go - starts the agent and says how the turn ended.
   */
  private async _run(
    display:
      | string
      | { content: string; format: 'markdown'; quotedCell?: IQuotedCell }
      | { content: string; attachments: IAttachment[] },
    answering: boolean,
    go: (
      agent: Agent,
      signal: AbortSignal,
      listener: (event: AgentEvent) => void,
      turnId: string
    ) => Promise<ITurnEnding>
  ): Promise<void> {
    const controller = new AbortController();
    this._controller = controller;
    const started =
      typeof display === 'string'
        ? startTurn(this._state, display, answering)
        : 'attachments' in display
          ? startTurn(
              this._state,
              display.content,
              answering,
              undefined,
              undefined,
              display.attachments
            )
          : startTurn(
              this._state,
              display.content,
              answering,
              display.format,
              display.quotedCell
            );
    const userId = started.turn?.userId ?? '';
    this._set(started);
    // Late events of a turn the chat no longer shows (cleared, restored)
    // are dropped; usage still counts.
    const ours = (state: IConversationState) => state.turn?.userId === userId;
    const agent = new Agent({
      client: this._client,
      host: this._host,
      settings: {
        ...this._agentSettings,
        modelAlias: this._settings.modelAlias,
        temperature: this._settings.temperature
      },
      trans: this._trans
    });
    try {
      const ending = await go(
        agent,
        controller.signal,
        event =>
          this._set(
            ours(this._state) || event.type === 'usage'
              ? applyAgentEvent(this._state, event)
              : this._state
          ),
        userId
      );
      this._endTurn(ours, state => finishTurn(state, ending, this._trans));
    } catch (error) {
      if (controller.signal.aborted || isAbort(error)) {
        this._endTurn(ours, state => finishTurn(state, null, this._trans));
      } else {
        const description = describeError(error, this._trans);
        this._endTurn(ours, state => failTurn(state, description));
      }
    } finally {
      this._settle(controller);
    }
  }

  /**
   * End the turn, if the chat still shows it.
   */
  private _endTurn(
    ours: (state: IConversationState) => boolean,
    end: (state: IConversationState) => IConversationState
  ): void {
    if (ours(this._state)) {
      this._set(end(this._state));
    }
  }

  /**
   * Back to idle once the work `controller` stops is over, unless other
   * work has started since.
   */
  private _settle(controller: AbortController): void {
    if (this._controller === controller) {
      this._controller = null;
      this._set(withStatus(this._state, 'idle'));
    }
  }

  private _history(): IWireMessage[] {
    return wireHistory(
      this._state.messages,
      this._agentSettings.historyTokenBudget
    );
  }

  /**
   * Show another state; a disposed model changes no more.
   */
  private _set(state: IConversationState): void {
    if (state !== this._state && !this._isDisposed) {
      this._state = state;
      this._changed.emit();
    }
  }

  private _changed = new Signal<this, void>(this);
  private _agentSettings: IAgentSettings;
  private _client: IChatClient;
  private _conversationId: string;
  private _host: IExecutionHost | null = null;
  private _controller: AbortController | null = null;
  private _isDisposed = false;
  private _settings: IChatSettings;
  private _state: IConversationState = EMPTY_CONVERSATION;
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
   * The options of `ask`: the public contract's (`IConversationModel`).
   */
  export type IAskOptions = IConversationModel.IAskOptions;

  /**
   * Files sent with a prompt (`send`).
   */
  export interface IAttachments {
    /** The uploaded files, shown on the user's message. */
    files: IAttachment[];
    /**
     * What the model is told about them (`''`: nothing), or what finds it
     * once the prompt is shown.
     */
    context: string | (() => Promise<string>);
  }

  /**
   * A conversation as JSON (`toJSON`, `fromJSON`).
   */
  export interface IJSON {
    version: 1;
    conversationId: string;
    messages: IChatMessage[];
  }
}
