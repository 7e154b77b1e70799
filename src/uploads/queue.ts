/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { ISignal, Signal } from '@lumino/signaling';

import type { IAttachment, TranslateFn } from '../tokens';
import type { IUploadBackend } from './contents';
import { formatBytes } from '../bytesize';
import { isTooLarge, safeFileName, uniqueName } from './names';
import type { IUploadSettings } from './settings';

/**
 * A file being attached to the next prompt.
 */
export interface IPendingUpload {
  readonly id: number;
  /** The name it is saved under (the browser's name until then). */
  readonly name: string;
  readonly size: number;
  /** From 0 to 1. */
  readonly progress: number;
  /** `refused`: over the size limit, nothing was sent. */
  readonly status: 'uploading' | 'done' | 'failed' | 'refused';
  /** Why it failed or was refused, for the user. */
  readonly message?: string;
  /** Once saved. */
  readonly attachment?: IAttachment;
}

/**
 * The files attached to the prompt being written: each is saved as soon as
 * it is added, with its progress, and goes with the next prompt sent.
 *
 * #### Notes
 * No DOM here. A name is made safe and unique in its folder (the folder's
 * names and the names of uploads still under way there), so an existing
 * file is never overwritten. A file over the size limit is refused before
 * anything is sent.
 */
export class UploadQueue {
  /**
   * Create an upload queue.
   */
  constructor(options: UploadQueue.IOptions) {
    this._backend = options.backend;
    this._settings = options.settings;
    this._notebookFolder = options.notebookFolder;
    this._trans = options.trans;
  }

  /**
   * Emitted when an upload is added, progresses, ends or is removed.
   */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /**
   * The attached files, in the order added.
   */
  get items(): ReadonlyArray<IPendingUpload> {
    return this._items;
  }

  /**
   * Whether an upload is still under way (the prompt waits for it).
   */
  get uploading(): boolean {
    return this._items.some(item => item.status === 'uploading');
  }

  /**
   * Attach files: refuse those over the limit, save the others.
   *
   * @returns once every file is saved, failed or refused; never rejects.
   */
  async add(files: ReadonlyArray<File>): Promise<void> {
    const settings = this._settings();
    const folder = Private.join(this._notebookFolder() ?? '', settings.folder);
    const accepted: { id: number; file: File }[] = [];
    for (const file of files) {
      const item: IPendingUpload = {
        id: ++this._counter,
        name: safeFileName(file.name),
        size: file.size,
        progress: 0,
        status: 'uploading'
      };
      if (isTooLarge(file.size, settings.maxSizeMB)) {
        this._items.push({
          ...item,
          status: 'refused',
          message: this._trans(
            '%1 is %2, larger than the upload limit of %3 MB: it was not uploaded.',
            item.name,
            formatBytes(file.size),
            settings.maxSizeMB
          )
        });
        continue;
      }
      this._items.push(item);
      accepted.push({ id: item.id, file });
    }
    this._changed.emit();
    await Promise.all(
      accepted.map(({ id, file }) =>
        this._upload(id, file, folder, settings.folder)
      )
    );
  }

  /**
   * Remove an attachment from the next prompt (the saved file stays).
   */
  remove(id: number): void {
    this._items = this._items.filter(item => item.id !== id);
    this._changed.emit();
  }

  /**
   * The saved attachments for the prompt being sent; the list is emptied.
   */
  take(): IAttachment[] {
    const taken = this._items
      .map(item => (item.status === 'done' ? item.attachment : undefined))
      .filter((a): a is IAttachment => !!a);
    this._items = this._items.filter(item => item.status === 'uploading');
    this._changed.emit();
    return taken;
  }

  private async _upload(
    id: number,
    file: File,
    folder: string,
    subfolder: string
  ): Promise<void> {
    try {
      // One name choice at a time: two files named alike get two names.
      const name = await this._chooseName(id, folder);
      const path = Private.join(folder, name);
      let shown = 0;
      await this._backend.save(file, path, fraction => {
        // A progress bar needs no more than a hundred steps.
        if (fraction - shown >= 0.01 || fraction >= 1) {
          shown = fraction;
          this._update(id, { progress: fraction });
        }
      });
      this._update(id, {
        status: 'done',
        progress: 1,
        attachment: {
          name,
          path,
          localPath: Private.join(subfolder, name),
          size: file.size
        }
      });
    } catch (error) {
      this._update(id, {
        status: 'failed',
        message: this._trans(
          '%1 could not be uploaded: %2',
          this._find(id)?.name ?? file.name,
          Private.message(error)
        )
      });
    }
  }

  private _chooseName(id: number, folder: string): Promise<string> {
    const chosen = this._naming.then(async () => {
      const existing = await this._backend.prepareFolder(folder);
      const reserved = this._reserved.get(folder) ?? new Set<string>();
      this._reserved.set(folder, reserved);
      const wanted = this._find(id)?.name ?? 'upload';
      const name = uniqueName(wanted, [...existing, ...reserved]);
      reserved.add(name);
      this._update(id, { name });
      return name;
    });
    this._naming = chosen.then(
      () => undefined,
      () => undefined
    );
    return chosen;
  }

  private _find(id: number): IPendingUpload | undefined {
    return this._items.find(item => item.id === id);
  }

  private _update(id: number, change: Partial<IPendingUpload>): void {
    this._items = this._items.map(item =>
      item.id === id ? { ...item, ...change } : item
    );
    this._changed.emit();
  }

  private _backend: IUploadBackend;
  private _changed = new Signal<this, void>(this);
  private _counter = 0;
  private _items: IPendingUpload[] = [];
  private _naming: Promise<void> = Promise.resolve();
  private _notebookFolder: () => string | null;
  private _reserved = new Map<string, Set<string>>();
  private _settings: () => IUploadSettings;
  private _trans: TranslateFn;
}

/**
 * A namespace for `UploadQueue` statics.
 */
export namespace UploadQueue {
  /**
   * The options of an upload queue.
   */
  export interface IOptions {
    /** Saves the files (`ContentsUploads`). */
    backend: IUploadBackend;
    /** The current upload settings. */
    settings: () => IUploadSettings;
    /**
     * The active notebook's folder from the server's root; `null` or `''`:
     * the root.
     */
    notebookFolder: () => string | null;
    /** Translates the messages. */
    trans: TranslateFn;
  }
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * Paths joined with `/`, empty parts left out.
   */
  export function join(...parts: string[]): string {
    return parts
      .flatMap(part => part.split('/'))
      .filter(part => part)
      .join('/');
  }

  export function message(error: unknown): string {
    if (error instanceof Error) {
      return error.message;
    }
    return String(error);
  }
}
