/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import {
  PartialJSONObject,
  ReadonlyPartialJSONValue,
  UUID
} from '@lumino/coreutils';
import type { IDisposable } from '@lumino/disposable';
import { Throttler } from '@lumino/polling';
import type { ISignal } from '@lumino/signaling';

import {
  getNotebookSettings,
  IMetadataHolder,
  updateNotebookSettings
} from '../notebook/metadata';
import type { IConversationBackend } from './backend';

/**
 * What the store needs of a notebook: its path, its model's metadata and
 * (optionally) its save signal. `NotebookPanel` has them all.
 */
export interface IConversationOwner {
  readonly context: {
    readonly path: string;
    /** Emits `'started'` as a save of the file begins. */
    readonly saveState?: ISignal<unknown, string>;
  };
  readonly model: IMetadataHolder | null;
}

/**
 * Something that serialises itself and says when it changed: the chat model.
 */
export interface ISerializable {
  readonly changed: ISignal<unknown, unknown>;
  toJSON(): ReadonlyPartialJSONValue;
  /**
   * Whether the source is at rest (no turn under way). A change while at rest
   * (a turn just ended, the chat was cleared) is saved at once rather than
   * after the delay, so a page closed right after an answer keeps it.
   */
  settled?(): boolean;
}

/**
 * Conversations kept per notebook on the server (see `ServerConversations`).
 *
 * #### Notes
 * The conversation id lives in the notebook's metadata
 * (`code_interpreter.conversation_id`), so it travels with the file through
 * renames and moves; the server's path → id index finds the conversation of a
 * notebook whose id was never saved into the file. Each save carries a
 * growing revision, so a slow save never overwrites a later one. The stored
 * JSON is opaque here.
 */
export class ConversationStore {
  /**
   * Create a store over a backend.
   */
  constructor(options: ConversationStore.IOptions) {
    this._backend = options.backend;
    this._delay = options.delay ?? 1000;
    this._onSaveError = options.onSaveError ?? null;
    this._window =
      options.window ?? (typeof window === 'undefined' ? null : window);
  }

  /**
   * The conversation id of a notebook, without creating one.
   */
  async findId(owner: IConversationOwner): Promise<string | null> {
    const fromMetadata = owner.model
      ? getNotebookSettings(owner.model).conversation_id
      : undefined;
    if (fromMetadata) {
      return fromMetadata;
    }
    return this._backend.find(owner.context.path);
  }

  /**
   * The conversation id of a notebook, created when it has none; one id per
   * notebook however many saves ask at once.
   *
   * #### Notes
   * A new id is written into the notebook's metadata as the user next saves
   * the file (so asking a question never marks a clean notebook unsaved);
   * until then the server's path index finds it. From then on the id follows
   * renames.
   */
  ensureId(owner: IConversationOwner): Promise<string> {
    let id = this._ids.get(owner);
    if (!id) {
      id = this._resolveId(owner);
      this._ids.set(owner, id);
      // A failed lookup is asked again by the next save.
      id.catch(() => this._ids.delete(owner));
    }
    return id;
  }

  private async _resolveId(owner: IConversationOwner): Promise<string> {
    const id = (await this.findId(owner)) ?? UUID.uuid4();
    const model = owner.model;
    const saveState = owner.context.saveState;
    if (!model || getNotebookSettings(model).conversation_id === id) {
      return id;
    }
    if (!saveState) {
      updateNotebookSettings(model, { conversation_id: id });
      return id;
    }
    const writeOnSave = (_: unknown, state: string): void => {
      if (state === 'started') {
        // Before the file's content is taken, so this save carries it.
        if (getNotebookSettings(model).conversation_id !== id) {
          updateNotebookSettings(model, { conversation_id: id });
        }
        saveState.disconnect(writeOnSave);
      }
    };
    saveState.connect(writeOnSave);
    return id;
  }

  /**
   * The saved conversation of a notebook, or null if it has none.
   */
  async load(
    owner: IConversationOwner
  ): Promise<ReadonlyPartialJSONValue | null> {
    const id = await this.findId(owner);
    if (!id) {
      return null;
    }
    const record = await this._backend.load(id);
    return record?.data ?? null;
  }

  /**
   * Save a notebook's conversation.
   *
   * @param options.keepalive - finish the request even if the page unloads.
   * @returns false when a newer save of it had already arrived.
   */
  async save(
    owner: IConversationOwner,
    data: ReadonlyPartialJSONValue,
    options: { keepalive?: boolean } = {}
  ): Promise<boolean> {
    // Taken before any await, so revisions follow the order of the calls.
    this._revision = Math.max(Date.now(), this._revision + 1);
    const revision = this._revision;
    const id = await this.ensureId(owner);
    return this._backend.save(
      id,
      {
        revision,
        path: owner.context.path,
        data: data as PartialJSONObject
      },
      options
    );
  }

  /**
   * Forget a notebook's conversation (the id stays in the notebook).
   */
  async remove(owner: IConversationOwner): Promise<void> {
    const id = await this.findId(owner);
    if (id) {
      await this._backend.remove(id);
    }
  }

  /**
   * Save a conversation whenever it changes, at most once per `delay`, and
   * at once when the page is about to close.
   *
   * #### Notes
   * While a reply streams the conversation changes constantly; a trailing
   * `Throttler` saves `delay` after the first change of each window (not
   * after the last), which keeps what streamed if the page is closed
   * mid-turn. Disposing saves any pending change.
   */
  autosave(owner: IConversationOwner, source: ISerializable): IDisposable {
    let pending = false;
    let disposed = false;
    let failing = false;
    const save = (keepalive: boolean): void => {
      pending = false;
      this.save(owner, source.toJSON(), { keepalive }).then(
        () => {
          failing = false;
        },
        (reason: unknown) => {
          console.error(
            'Could not save the Code Interpreter conversation.',
            reason
          );
          // Once per failing streak; the next change saves everything again.
          if (!failing) {
            failing = true;
            this._onSaveError?.(Private.messageOf(reason));
          }
        }
      );
    };
    const throttler = new Throttler(() => save(false), {
      limit: this._delay,
      edge: 'trailing'
    });
    // Now rather than at the end of the window, which is dropped.
    const flush = (keepalive: boolean): void => {
      void throttler.stop();
      save(keepalive);
    };
    const schedule = (): void => {
      if (disposed) {
        return;
      }
      if (source.settled?.()) {
        flush(false);
      } else {
        pending = true;
        void throttler.invoke();
      }
    };
    const onUnload = (): void => {
      if (pending) {
        flush(true);
      }
    };
    source.changed.connect(schedule);
    this._window?.addEventListener('beforeunload', onUnload);
    return {
      get isDisposed() {
        return disposed;
      },
      dispose: () => {
        if (disposed) {
          return;
        }
        source.changed.disconnect(schedule);
        this._window?.removeEventListener('beforeunload', onUnload);
        onUnload();
        throttler.dispose();
        disposed = true;
      }
    };
  }

  private _backend: IConversationBackend;
  private _ids = new WeakMap<IConversationOwner, Promise<string>>();
  private _delay: number;
  private _onSaveError: ((message: string) => void) | null;
  private _revision = 0;
  private _window: Pick<
    Window,
    'addEventListener' | 'removeEventListener'
  > | null;
}

/**
 * The namespace for `ConversationStore` statics.
 */
export namespace ConversationStore {
  /**
   * The options of a store.
   */
  export interface IOptions {
    /**
     * Where conversations are kept (the server).
     */
    backend: IConversationBackend;

    /**
     * Told, once per streak of failures, why a save failed.
     */
    onSaveError?: (message: string) => void;

    /**
     * The longest a change waits before it is saved, in ms (1000).
     */
    delay?: number;

    /**
     * The window whose `beforeunload` flushes pending saves (the page's).
     */
    window?: Pick<Window, 'addEventListener' | 'removeEventListener'> | null;
  }
}

namespace Private {
  /**
   * The message of a failure, for the user.
   */
  export function messageOf(reason: unknown): string {
    return reason instanceof Error ? reason.message : String(reason);
  }
}
