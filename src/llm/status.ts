/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { ServerConnection } from '@jupyterlab/services';

import { routeURL } from '../routes';
import { parseGatewayStatus } from './emptystate';
import type { IGatewayStatus } from './wire';

/**
 * Ask the server whether a model endpoint is configured.
 *
 * @param serverSettings - the server to ask; defaults to the page's server.
 * @returns the parsed `GET <base>/code-interpreter/status` reply.
 * @throws `ServerConnection.ResponseError` on an HTTP error, or
 * `ServerConnection.NetworkError` when the server cannot be reached.
 */
export async function fetchGatewayStatus(
  serverSettings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<IGatewayStatus> {
  const url = routeURL(serverSettings, 'status');
  const response = await ServerConnection.makeRequest(
    url,
    { method: 'GET' },
    serverSettings
  );
  if (!response.ok) {
    throw await ServerConnection.ResponseError.create(response);
  }
  return parseGatewayStatus(await response.json());
}
