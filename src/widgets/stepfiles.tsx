/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { PathExt } from '@jupyterlab/coreutils';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IStepFile } from '../agent/tokens';
import { formatBytes } from '../bytesize';

/**
 * What the file list of a step card does with a file, by its path from the
 * server's root (`createStepFileActions` in fileactions.ts).
 */
export interface IStepFileActions {
  /** Open the file in JupyterLab (or show it if it is open). */
  open(path: string): void;
  /** Download the file. */
  download(path: string): Promise<void>;
  /** The file's content, for an image preview. */
  preview(path: string, version: string): Promise<Blob>;
}

/**
 * The largest image previewed; a bigger one shows as a link only.
 */
export const MAX_PREVIEW_BYTES = 8 * 1024 * 1024;

/**
 * Names a browser shows as an image.
 */
const IMAGE = /\.(png|jpe?g|gif|webp|bmp|svg)$/i;

/**
 * The files a step made or rewrote, under its card: links that open them in
 * JupyterLab, a download button, and a thumbnail for images.
 *
 * #### Notes
 * The conversation keeps only names and sizes; a thumbnail is fetched from
 * the server (with the session's authentication) when the card is shown,
 * so the chat's store never holds image data. A folder shows its name only.
 */
export function StepFiles(props: {
  files: ReadonlyArray<IStepFile>;
  /** The notebook's folder, from the server's root: the kernel's folder. */
  folder: string;
  actions: IStepFileActions;
  trans: TranslationBundle;
}): JSX.Element {
  const { files, folder, actions, trans } = props;
  return (
    <ul
      className="jp-CodeInterpreter-stepFiles"
      aria-label={trans.__('Files this step made or changed')}
    >
      {files.map(file => (
        <StepFileItem
          key={file.name}
          file={file}
          path={PathExt.join(folder, file.name)}
          actions={actions}
          trans={trans}
        />
      ))}
    </ul>
  );
}

function StepFileItem(props: {
  file: IStepFile;
  path: string;
  actions: IStepFileActions;
  trans: TranslationBundle;
}): JSX.Element {
  const { file, path, actions, trans } = props;
  const folder = file.name.endsWith('/');
  const previewed =
    !folder && IMAGE.test(file.name) && (file.size ?? 0) <= MAX_PREVIEW_BYTES;
  return (
    <li
      className="jp-CodeInterpreter-stepFile"
      data-file={file.name}
      data-change={file.change}
    >
      {previewed ? (
        <Thumbnail
          path={path}
          version={`${file.size ?? ''}-${file.mtimeUs ?? ''}`}
          name={file.name}
          actions={actions}
          trans={trans}
        />
      ) : null}
      {folder ? (
        <span className="jp-CodeInterpreter-stepFileName">{file.name}</span>
      ) : (
        <button
          type="button"
          className="jp-CodeInterpreter-stepFileOpen"
          title={trans.__('Open %1 in JupyterLab', file.name)}
          onClick={() => actions.open(path)}
        >
          {file.name}
        </button>
      )}
      <span className="jp-CodeInterpreter-stepFileChange">
        {file.change === 'new' ? trans.__('new') : trans.__('changed')}
      </span>
      {file.size !== undefined ? (
        <span className="jp-CodeInterpreter-stepFileSize">
          {formatBytes(file.size)}
        </span>
      ) : null}
      {folder ? null : (
        <button
          type="button"
          className="jp-Button jp-mod-minimal jp-CodeInterpreter-stepFileDownload"
          title={trans.__('Download %1', file.name)}
          onClick={() => void actions.download(path).catch(() => undefined)}
        >
          {trans.__('Download')}
        </button>
      )}
    </li>
  );
}

/**
 * A small preview of an image file, loaded from the server while shown.
 */
function Thumbnail(props: {
  path: string;
  version: string;
  name: string;
  actions: IStepFileActions;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { path, version, name, actions, trans } = props;
  const [url, setUrl] = React.useState<string | null>(null);
  const [failed, setFailed] = React.useState(false);
  React.useEffect(() => {
    let objectUrl: string | null = null;
    let cancelled = false;
    actions
      .preview(path, version)
      .then(blob => {
        if (!cancelled) {
          objectUrl = URL.createObjectURL(blob);
          setUrl(objectUrl);
        }
      })
      .catch(() => {
        if (!cancelled) {
          setFailed(true);
        }
      });
    return () => {
      cancelled = true;
      if (objectUrl) {
        URL.revokeObjectURL(objectUrl);
      }
    };
  }, [path, version, actions]);
  if (failed) {
    return null;
  }
  return (
    <button
      type="button"
      className="jp-CodeInterpreter-stepFileThumb"
      title={trans.__('Open %1 in JupyterLab', name)}
      onClick={() => actions.open(path)}
    >
      {url ? <img src={url} alt={trans.__('Preview of %1', name)} /> : null}
    </button>
  );
}
