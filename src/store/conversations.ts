/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { IStateDB } from '@jupyterlab/statedb';
import {
  PartialJSONObject,
  ReadonlyPartialJSONValue,
  UUID
} from '@lumino/coreutils';
import type { IDisposable } from '@lumino/disposable';
import type { ISignal } from '@lumino/signaling';

import {
  getNotebookSettings,
  IMetadataHolder,
  updateNotebookSettings
} from '../notebook/metadata';

/**
 * What the store needs of a notebook: its path and its model's metadata.
 * `NotebookPanel` has both.
 */
export interface IConversationOwner {
  readonly context: { readonly path: string };
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
 * Conversations kept per notebook in the application state (`IStateDB`).
 *
 * #### Notes
 * The conversation id lives in the notebook's metadata
 * (`code_interpreter.conversation_id`), so it travels with the file through
 * renames and moves; a path → id index finds the conversation of a notebook
 * whose id was never saved into the file. The state database is saved by
 * JupyterLab into the workspace on the server, so conversations survive page
 * reloads and server restarts. The stored JSON is opaque here.
 */
export class ConversationStore {
  /**
   * Create a store over a state database.
   */
  constructor(options: ConversationStore.IOptions) {
    this._state = options.state;
    this._delay = options.delay ?? 1000;
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
    const fromPath = await this._state.fetch(
      Private.pathKey(owner.context.path)
    );
    return typeof fromPath === 'string' && fromPath ? fromPath : null;
  }

  /**
   * The conversation id of a notebook, created and written into its metadata
   * when it has none.
   *
   * #### Notes
   * Writing the id marks the notebook as changed: it reaches the file on the
   * next save, and from then on follows renames.
   */
  async ensureId(owner: IConversationOwner): Promise<string> {
    const id = (await this.findId(owner)) ?? UUID.uuid4();
    if (
      owner.model &&
      getNotebookSettings(owner.model).conversation_id !== id
    ) {
      updateNotebookSettings(owner.model, { conversation_id: id });
    }
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
    const record = await this._state.fetch(Private.recordKey(id));
    if (!Private.isRecord(record)) {
      return null;
    }
    return record.data ?? null;
  }

  /**
   * Save a notebook's conversation.
   */
  async save(
    owner: IConversationOwner,
    data: ReadonlyPartialJSONValue
  ): Promise<void> {
    const id = await this.ensureId(owner);
    const path = owner.context.path;
    const record: Private.IRecord = {
      version: 1,
      path,
      updated: new Date().toISOString(),
      data: data as PartialJSONObject
    };
    await this._state.save(Private.recordKey(id), record);
    await this._state.save(Private.pathKey(path), id);
  }

  /**
   * Forget a notebook's conversation (the id stays in the notebook).
   */
  async remove(owner: IConversationOwner): Promise<void> {
    const id = await this.findId(owner);
    if (id) {
      await this._state.remove(Private.recordKey(id));
    }
    await this._state.remove(Private.pathKey(owner.context.path));
  }

  /**
   * Save a conversation whenever it changes, at most once per `delay`, and
   * at once when the page is about to close.
   *
   * #### Notes
   * While a reply streams the conversation changes constantly; saving on the
   * first change of each window (not after the last) keeps what streamed if
   * the page is closed mid-turn. Disposing saves any pending change.
   */
  autosave(owner: IConversationOwner, source: ISerializable): IDisposable {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let disposed = false;
    const flush = (): void => {
      if (timer !== null) {
        clearTimeout(timer);
        timer = null;
      }
      void this.save(owner, source.toJSON()).catch((reason: unknown) => {
        console.error(
          'Could not save the Code Interpreter conversation.',
          reason
        );
      });
    };
    const schedule = (): void => {
      if (disposed) {
        return;
      }
      if (source.settled?.()) {
        flush();
      } else if (timer === null) {
        timer = setTimeout(flush, this._delay);
      }
    };
    const onUnload = (): void => {
      if (timer !== null) {
        flush();
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
        disposed = true;
      }
    };
  }

  private _state: IStateDB;
  private _delay: number;
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
     * The application state (`IStateDB`), saved in the workspace.
     */
    state: IStateDB;

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
   * What the state database holds per conversation.
   */
  export interface IRecord extends PartialJSONObject {
    version: 1;
    /** The notebook's path at the last save. */
    path: string;
    /** ISO time of the last save. */
    updated: string;
    /** The chat model's JSON, opaque to the store. */
    data: PartialJSONObject;
  }

  /**
   * The state key of a conversation.
   */
  export function recordKey(id: string): string {
    return `jupyterlab-code-interpreter:conversation:${id}`;
  }

  /**
   * The state key of the path → id index entry.
   */
  export function pathKey(path: string): string {
    return `jupyterlab-code-interpreter:conversation-path:${path}`;
  }

  /**
   * Whether a stored value is a record this version can read.
   */
  export function isRecord(value: unknown): value is IRecord {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as { version?: unknown }).version === 1 &&
      'data' in value
    );
  }
}
