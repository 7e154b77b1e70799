/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { URLExt } from '@jupyterlab/coreutils';
import type { ServerConnection } from '@jupyterlab/services';

/**
 * The URL of one of our server extension's routes.
 *
 * #### Notes
 * Every route lives under `<base_url>/code-interpreter/`; building them in
 * one place keeps the prefix and the base URL's handling (a server under a
 * sub-path, a trailing slash) the same for every caller. Parts are joined
 * as given: a caller encodes what it takes from the user (an id, a path).
 *
 * @param settings - the server's connection settings.
 * @param parts - the route under the prefix, e.g. `'conversations', id`.
 */
export function routeURL(
  settings: Pick<ServerConnection.ISettings, 'baseUrl'>,
  ...parts: string[]
): string {
  return URLExt.join(settings.baseUrl, 'code-interpreter', ...parts);
}
