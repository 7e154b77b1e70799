/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { CHUNK_SIZE } from '@jupyterlab/filebrowser';
import type { Contents } from '@jupyterlab/services';

/**
 * One request of an upload: the bytes `[start, end)`, and the `chunk`
 * number the Contents API expects (`1, 2, …`, `-1` for the last), absent
 * when the file goes in one request.
 */
export interface IChunk {
  start: number;
  end: number;
  chunk?: number;
}

/**
 * The requests that send a file of `size` bytes, as JupyterLab's file
 * browser sends them (`FileBrowserModel.upload`): one when it fits in a
 * chunk, else 1 MiB chunks numbered from 1, the last one `-1`, which Jupyter
 * Server appends to the file as they arrive.
 */
export function chunkPlan(size: number, chunkSize = CHUNK_SIZE): IChunk[] {
  if (size <= chunkSize) {
    return [{ start: 0, end: size }];
  }
  const plan: IChunk[] = [];
  for (let start = 0; start < size; start += chunkSize) {
    const end = Math.min(start + chunkSize, size);
    plan.push({ start, end, chunk: end >= size ? -1 : end / chunkSize });
  }
  return plan;
}

/**
 * Where uploads go: reads a folder's names and saves files through the
 * Contents API (`ContentsUploads`).
 */
export interface IUploadBackend {
  /**
   * The names in a folder (from the server's root), creating the folder
   * and its parents when missing.
   */
  prepareFolder(folder: string): Promise<string[]>;

  /**
   * Save a file at `path`, reporting the fraction sent after each request.
   */
  save(
    file: Blob,
    path: string,
    onProgress: (fraction: number) => void
  ): Promise<void>;
}

/**
 * Uploads through the server's Contents API, as the file browser makes
 * them: base64 content, chunked past 1 MiB (`chunkPlan`).
 */
export class ContentsUploads implements IUploadBackend {
  /**
   * Create the backend on the application's contents manager.
   */
  constructor(contents: Contents.IManager) {
    this._contents = contents;
  }

  async prepareFolder(folder: string): Promise<string[]> {
    try {
      const model = await this._contents.get(folder, { content: true });
      return Private.names(model);
    } catch (error) {
      if (!Private.isNotFound(error)) {
        throw error;
      }
    }
    // Made one level at a time: the Contents API does not create parents.
    let path = '';
    for (const segment of folder.split('/').filter(s => s)) {
      path = path ? `${path}/${segment}` : segment;
      try {
        await this._contents.get(path, { content: false });
      } catch {
        await this._contents.save(path, { type: 'directory' });
      }
    }
    return [];
  }

  async save(
    file: Blob,
    path: string,
    onProgress: (fraction: number) => void
  ): Promise<void> {
    const name = path.split('/').pop() ?? path;
    const size = file.size;
    for (const part of chunkPlan(size)) {
      const content = await Private.base64(file.slice(part.start, part.end));
      await this._contents.save(path, {
        type: 'file',
        format: 'base64',
        name,
        content,
        ...(part.chunk !== undefined ? { chunk: part.chunk } : {})
      });
      onProgress(size ? part.end / size : 1);
    }
  }

  private _contents: Contents.IManager;
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * The names of a folder's entries.
   */
  export function names(model: Contents.IModel): string[] {
    return Array.isArray(model.content)
      ? (model.content as Contents.IModel[]).map(item => item.name)
      : [];
  }

  /**
   * Whether the Contents API said 404.
   */
  export function isNotFound(error: unknown): boolean {
    const response = (error as { response?: { status?: number } })?.response;
    return response?.status === 404;
  }

  /**
   * A blob's bytes as base64, read as the file browser reads them.
   */
  export function base64(blob: Blob): Promise<string> {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => {
        const url = String(reader.result ?? '');
        resolve(url.slice(url.indexOf(',') + 1));
      };
      reader.onerror = () => reject(reader.error ?? new Error('read failed'));
      reader.readAsDataURL(blob);
    });
  }
}
