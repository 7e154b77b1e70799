/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { ServerConnection } from '@jupyterlab/services';
import OpenAI from 'openai';

import { routeURL } from '../routes';
import { fetchGatewayStatus } from './status';
import type {
  IChatClient,
  IChatRequest,
  IStreamChunk,
  ToolProtocol
} from './wire';

/**
 * Streams chat completions from the server gateway with the openai SDK.
 *
 * #### Notes
 * The browser only ever talks to its own Jupyter server, at
 * `<base_url>/code-interpreter/v1`; the keys stay on the server. Requests go
 * through `ServerConnection.makeRequest`, which adds the Jupyter token and
 * the `X-XSRFToken` header, and anything outside the gateway is refused.
 */
export class GatewayClient implements IChatClient {
  /**
   * Create a client of the gateway of the given server.
   */
  constructor(options: GatewayClient.IOptions = {}) {
    const serverSettings =
      options.serverSettings ?? ServerConnection.makeSettings();
    this._serverSettings = serverSettings;
    this.baseURL = GatewayClient.gatewayURL(serverSettings);
    this._openai = new OpenAI({
      baseURL: this.baseURL,
      apiKey: 'unused-the-server-holds-the-keys',
      dangerouslyAllowBrowser: true,
      fetch: GatewayClient.makeFetch(serverSettings, this.baseURL),
      maxRetries: 2
    });
  }

  /**
   * The OpenAI-compatible base URL of the gateway.
   */
  readonly baseURL: string;

  /**
   * Stream the chunks of one chat completion.
   *
   * #### Notes
   * Aborting `signal` cancels the HTTP request; the SDK then ends the
   * iteration, or throws `APIUserAbortError` if no response had arrived.
   */
  async *streamChat(
    request: IChatRequest,
    signal: AbortSignal
  ): AsyncIterable<IStreamChunk> {
    const stream = await this._openai.chat.completions.create(
      {
        model: request.model,
        temperature: request.temperature,
        messages: request.messages,
        ...(request.tools ? { tools: request.tools } : {}),
        ...(request.tool_choice ? { tool_choice: request.tool_choice } : {}),
        ...(request.max_tokens ? { max_tokens: request.max_tokens } : {}),
        stream: true,
        stream_options: { include_usage: true }
      },
      { signal }
    );
    for await (const chunk of stream) {
      yield chunk;
    }
  }

  /**
   * How the loop runs code with an alias, from the gateway's status.
   *
   * #### Notes
   * Read again for every turn, so a changed endpoint setting counts at
   * once; when the status cannot be read the answer is `auto`, which works
   * with both kinds of model.
   */
  async toolProtocol(model: string): Promise<ToolProtocol> {
    try {
      const status = await fetchGatewayStatus(this._serverSettings);
      return status.tool_protocols?.[model] ?? 'auto';
    } catch {
      return 'auto';
    }
  }

  private _openai: OpenAI;
  private _serverSettings: ServerConnection.ISettings;
}

/**
 * A namespace for `GatewayClient` statics.
 */
export namespace GatewayClient {
  /**
   * The options of a gateway client.
   */
  export interface IOptions {
    /**
     * The server to talk to; defaults to the page's server.
     */
    serverSettings?: ServerConnection.ISettings;
  }

  /**
   * The gateway's OpenAI-compatible base URL on a server.
   */
  export function gatewayURL(settings: ServerConnection.ISettings): string {
    return routeURL(settings, 'v1');
  }

  /**
   * A `fetch` for the openai SDK that goes through `makeRequest`.
   *
   * #### Notes
   * The SDK's `Authorization: Bearer <placeholder>` is dropped, so that the
   * server sees only the Jupyter token `makeRequest` adds.
   *
   * @param settings - the server settings (token, XSRF, fetch).
   * @param gatewayURL - the only URL prefix requests may go to.
   */
  export function makeFetch(
    settings: ServerConnection.ISettings,
    gatewayURL: string
  ): (input: string | URL | Request, init?: RequestInit) => Promise<Response> {
    return (input, init = {}) => {
      const url =
        typeof input === 'string'
          ? input
          : input instanceof URL
            ? input.href
            : input.url;
      if (!url.startsWith(gatewayURL)) {
        return Promise.reject(
          new Error(`Refused a request outside the gateway: ${url}`)
        );
      }
      const headers = new Headers(init.headers);
      headers.delete('authorization');
      headers.delete('api-key');
      return ServerConnection.makeRequest(
        url,
        { ...init, headers, cache: 'no-cache' },
        settings
      );
    };
  }
}
