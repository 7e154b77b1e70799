/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { ServerConnection } from '@jupyterlab/services';
import type { PartialJSONObject } from '@lumino/coreutils';

import { routeURL } from '../routes';

/**
 * What is saved per conversation.
 */
export interface IConversationRecord {
  /** Grows with every save, so a late save never overwrites a newer one. */
  revision: number;
  /** The notebook's path at the time of the save. */
  path: string;
  /** The chat model's JSON, opaque to the store. */
  data: PartialJSONObject;
}

/**
 * Where conversations are kept: the server's `code-interpreter/conversations` routes,
 * or anything with the same behaviour (tests).
 */
export interface IConversationBackend {
  /** The id of the conversation last saved for the notebook at `path`. */
  find(path: string): Promise<string | null>;
  /** A saved conversation, or null. */
  load(id: string): Promise<IConversationRecord | null>;
  /**
   * Save a conversation; false when a newer revision is already saved.
   *
   * `keepalive` asks the browser to finish the request even if the page
   * unloads meanwhile.
   */
  save(
    id: string,
    record: IConversationRecord,
    options?: { keepalive?: boolean }
  ): Promise<boolean>;
  /** Forget a conversation. */
  remove(id: string): Promise<void>;
}

/**
 * Conversations kept by our server extension, one file per conversation
 * under the user's Jupyter data directory.
 */
export class ServerConversations implements IConversationBackend {
  /**
   * Create a backend talking to `serverSettings`' server.
   */
  constructor(
    serverSettings: ServerConnection.ISettings = ServerConnection.makeSettings()
  ) {
    this._settings = serverSettings;
  }

  async find(path: string): Promise<string | null> {
    const url = `${this._url()}?path=${encodeURIComponent(path)}`;
    const response = await this._request(url, { method: 'GET' });
    // The server answers `{"id": null}` for a notebook without one; a server
    // of an earlier version answered 404.
    if (response.status === 404) {
      return null;
    }
    await Private.ensureOk(response);
    const { id } = (await response.json()) as { id?: unknown };
    return typeof id === 'string' ? id : null;
  }

  async load(id: string): Promise<IConversationRecord | null> {
    const response = await this._request(this._url(id), { method: 'GET' });
    if (response.status === 404) {
      return null;
    }
    await Private.ensureOk(response);
    return (await response.json()) as IConversationRecord;
  }

  async save(
    id: string,
    record: IConversationRecord,
    options: { keepalive?: boolean } = {}
  ): Promise<boolean> {
    const body = JSON.stringify(record);
    // Browsers cap what keepalive requests may carry (64 KB in all).
    const keepalive =
      !!options.keepalive &&
      new TextEncoder().encode(body).length < Private.KEEPALIVE_LIMIT;
    const response = await this._request(this._url(id), {
      method: 'PUT',
      body,
      keepalive
    });
    if (response.status === 409) {
      return false;
    }
    await Private.ensureOk(response);
    return true;
  }

  async remove(id: string): Promise<void> {
    const response = await this._request(this._url(id), { method: 'DELETE' });
    if (response.status !== 404) {
      await Private.ensureOk(response);
    }
  }

  private _url(id?: string): string {
    return id
      ? routeURL(this._settings, 'conversations', encodeURIComponent(id))
      : routeURL(this._settings, 'conversations');
  }

  private _request(url: string, init: RequestInit): Promise<Response> {
    return ServerConnection.makeRequest(url, init, this._settings);
  }

  private _settings: ServerConnection.ISettings;
}

namespace Private {
  /**
   * Under the browsers' 64 KB budget for keepalive requests, with room for headers.
   */
  export const KEEPALIVE_LIMIT = 60_000;

  /**
   * Throw the server's message for an error response.
   */
  export async function ensureOk(response: Response): Promise<void> {
    if (!response.ok) {
      throw await ServerConnection.ResponseError.create(response);
    }
  }
}
