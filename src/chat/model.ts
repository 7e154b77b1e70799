/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import type {
  ChatStatus,
  IChatClient,
  IChatMessage,
  IChatSettings,
  IWireMessage,
  TranslateFn
} from '../tokens';
import { describeError, isAbort, StreamEventError } from './errors';
import {
  applyChunk,
  EMPTY_STREAM,
  IStreamState,
  truncationNote
} from './stream';
import { untranslated } from './translate';

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
    this._settings = { ...ChatModel.DEFAULT_SETTINGS, ...options.settings };
    this._trans = options.trans ?? untranslated;
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
    const history = this._history();
    history.push({ role: 'user', content: prompt });
    const assistantId = this._nextId();
    const controller = new AbortController();
    this._controller = controller;
    this._messages = [
      ...this._messages,
      { id: this._nextId(), role: 'user', content: prompt },
      { id: assistantId, role: 'assistant', content: '', status: 'streaming' }
    ];
    this._status = 'waiting';
    this._changed.emit();

    let state: IStreamState = EMPTY_STREAM;
    try {
      const stream = this._client.streamChat(
        {
          model: this._settings.modelAlias,
          temperature: this._settings.temperature,
          messages: history
        },
        controller.signal
      );
      for await (const chunk of stream) {
        // Chunks already parsed when Stop was pressed must not show up.
        if (controller.signal.aborted) {
          break;
        }
        const next = applyChunk(state, chunk);
        if (next.error) {
          state = next;
          throw new StreamEventError(next.error);
        }
        if (next.content !== state.content) {
          this._update(assistantId, { content: next.content });
          this._setStatus('streaming');
        }
        state = next;
      }
      this._update(
        assistantId,
        controller.signal.aborted
          ? { status: 'stopped' }
          : {
              status: 'done',
              note: truncationNote(state.finishReason, this._trans) ?? undefined
            }
      );
    } catch (error) {
      if (controller.signal.aborted || isAbort(error)) {
        this._update(assistantId, { status: 'stopped' });
      } else {
        this._fail(assistantId, error);
      }
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

  private _history(): IWireMessage[] {
    const history: IWireMessage[] = [];
    for (const message of this._messages) {
      if (
        (message.role === 'user' || message.role === 'assistant') &&
        message.content
      ) {
        history.push({ role: message.role, content: message.content });
      }
    }
    return history;
  }

  private _fail(assistantId: string, error: unknown): void {
    const description = describeError(error, this._trans);
    const assistant = this._messages.find(m => m.id === assistantId);
    if (!assistant) {
      return;
    }
    this._messages = assistant.content
      ? this._messages.map(m =>
          m.id === assistantId ? { ...m, status: 'error' as const } : m
        )
      : this._messages.filter(m => m.id !== assistantId);
    this._messages = [
      ...this._messages,
      {
        id: this._nextId(),
        role: 'error',
        content: description.message,
        errorKind: description.kind
      }
    ];
    this._changed.emit();
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

  private _setStatus(status: ChatStatus): void {
    if (this._status !== status && !this._isDisposed) {
      this._status = status;
      this._changed.emit();
    }
  }

  private _nextId(): string {
    return `message-${++this._counter}`;
  }

  private _changed = new Signal<this, void>(this);
  private _client: IChatClient;
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
  }

  /**
   * Read the chat settings from the plugin's composite settings.
   *
   * #### Notes
   * Invalid or missing values fall back to the defaults; other properties
   * (such as `endpoint`, which only the server reads) are ignored.
   */
  export function settingsFrom(
    composite: Readonly<Record<string, unknown>>
  ): IChatSettings {
    const { modelAlias, temperature } = composite;
    return {
      modelAlias:
        typeof modelAlias === 'string' && modelAlias.trim()
          ? modelAlias.trim()
          : DEFAULT_SETTINGS.modelAlias,
      temperature:
        typeof temperature === 'number' && Number.isFinite(temperature)
          ? temperature
          : DEFAULT_SETTINGS.temperature
    };
  }

  /**
   * The settings used until the setting registry answers.
   */
  export const DEFAULT_SETTINGS: IChatSettings = {
    modelAlias: 'default',
    temperature: 0.2
  };
}
