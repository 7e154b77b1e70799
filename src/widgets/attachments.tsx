/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { TranslationBundle } from '@jupyterlab/translation';
import { closeIcon, fileUploadIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { IAttachment } from '../tokens';
import { formatBytes } from '../bytesize';
import type { IPendingUpload } from '../uploads/queue';

/**
 * The files attached to the prompt being written: a chip each, with a
 * progress bar while it uploads, the reason when it was refused or failed,
 * and a button that takes it off the prompt.
 */
export function PendingAttachments(props: {
  items: ReadonlyArray<IPendingUpload>;
  onRemove: (id: number) => void;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { items, trans } = props;
  if (!items.length) {
    return null;
  }
  return (
    <ul
      className="jp-CodeInterpreter-attachments jp-mod-pending"
      aria-label={trans.__('Files attached to the next message')}
    >
      {items.map(item => (
        <li
          key={item.id}
          className="jp-CodeInterpreter-attachment"
          data-status={item.status}
          title={item.message ?? item.attachment?.path ?? item.name}
        >
          <div className="jp-CodeInterpreter-attachmentRow">
            <span className="jp-CodeInterpreter-attachmentName">
              {item.name}
            </span>
            <span className="jp-CodeInterpreter-attachmentSize">
              {formatBytes(item.size)}
            </span>
            {item.status === 'uploading' && (
              <progress
                className="jp-CodeInterpreter-attachmentProgress"
                max={1}
                value={item.progress}
                aria-label={trans.__('Uploading %1', item.name)}
              />
            )}
            <button
              type="button"
              className="jp-Button jp-mod-minimal jp-CodeInterpreter-attachmentRemove"
              aria-label={trans.__('Remove %1 from the message', item.name)}
              title={trans.__('Remove from the message (the saved file stays)')}
              onClick={() => props.onRemove(item.id)}
            >
              <closeIcon.react tag="span" elementPosition="center" />
            </button>
          </div>
          {item.message && (
            <div className="jp-CodeInterpreter-attachmentError" role="alert">
              {item.message}
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}

/**
 * The files a sent message came with, as chips under it.
 */
export function MessageAttachments(props: {
  attachments?: ReadonlyArray<IAttachment>;
  /** Opens a file in JupyterLab, by its path from the server's root. */
  onOpen?: (path: string) => void;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { attachments, onOpen, trans } = props;
  if (!attachments?.length) {
    return null;
  }
  return (
    <ul
      className="jp-CodeInterpreter-attachments"
      aria-label={trans.__('Attached files')}
    >
      {attachments.map(file => (
        <li
          key={file.path}
          className="jp-CodeInterpreter-attachment"
          data-status="done"
          title={file.path}
        >
          <fileUploadIcon.react tag="span" elementPosition="center" />
          {onOpen ? (
            <button
              type="button"
              className="jp-CodeInterpreter-attachmentName jp-CodeInterpreter-attachmentOpen"
              title={trans.__('Open %1', file.path)}
              onClick={() => onOpen(file.path)}
            >
              {file.name}
            </button>
          ) : (
            <span className="jp-CodeInterpreter-attachmentName">
              {file.name}
            </span>
          )}
          <span className="jp-CodeInterpreter-attachmentSize">
            {formatBytes(file.size)}
          </span>
        </li>
      ))}
    </ul>
  );
}

/**
 * The button that opens the browser's file picker.
 */
export function AttachButton(props: {
  disabled: boolean;
  onFiles: (files: File[]) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const input = React.useRef<HTMLInputElement>(null);
  const label = props.trans.__('Attach files');
  return (
    <>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        className="jp-CodeInterpreter-fileInput"
        aria-label={label}
        onChange={event => {
          const files = Array.from(event.target.files ?? []);
          // Picking the same file again must fire again.
          event.target.value = '';
          if (files.length) {
            props.onFiles(files);
          }
        }}
      />
      <button
        type="button"
        className="jp-Button jp-mod-minimal jp-CodeInterpreter-attach"
        aria-label={label}
        title={props.trans.__(
          'Attach files: they are saved beside the notebook and summarised for the model (you can also drop or paste them)'
        )}
        disabled={props.disabled}
        onClick={() => input.current?.click()}
      >
        <fileUploadIcon.react tag="span" elementPosition="center" />
      </button>
    </>
  );
}
