/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { PathExt, URLExt } from '@jupyterlab/coreutils';
import type { IDocumentManager } from '@jupyterlab/docmanager';
import { ServerConnection } from '@jupyterlab/services';

import type { IStepFileActions } from './stepfiles';

/**
 * The step cards' file actions on JupyterLab's document manager and the
 * server's files route.
 *
 * #### Notes
 * Previews go through `ServerConnection.makeRequest`, which sends the
 * session's token and XSRF header, so they load wherever JupyterLab's own
 * requests do; the version (size and time) in the query keeps a rewritten
 * file from showing its cached picture.
 */
export function createStepFileActions(
  docManager: IDocumentManager
): IStepFileActions {
  const serverSettings = docManager.services.serverSettings;
  return {
    open: path => {
      docManager.openOrReveal(path);
    },
    download: async path => {
      const url = await docManager.services.contents.getDownloadUrl(path);
      const link = document.createElement('a');
      link.href = url;
      link.download = PathExt.basename(path);
      link.rel = 'noopener';
      document.body.appendChild(link);
      link.click();
      link.remove();
    },
    preview: async (path, version) => {
      const url = URLExt.join(
        serverSettings.baseUrl,
        'files',
        URLExt.encodeParts(path)
      );
      const response = await ServerConnection.makeRequest(
        `${url}?v=${encodeURIComponent(version)}`,
        { method: 'GET' },
        serverSettings
      );
      if (!response.ok) {
        throw new ServerConnection.ResponseError(response);
      }
      return response.blob();
    }
  };
}
