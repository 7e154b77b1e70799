/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IPendingUpload } from '../uploads/queue';
import { AttachButton, PendingAttachments } from './attachments';

/**
 * The prompt box with its Send and Stop buttons, and the files attached.
 *
 * #### Notes
 * Enter sends and Shift+Enter adds a line; Enter that confirms an input
 * method composition (Chinese, Japanese…) does not send. The box is disabled
 * while a reply streams, and Stop is shown only then. Files are attached
 * with the button or by pasting them (dropping them is the panel's); the
 * prompt waits until they are uploaded.
 */
export function ChatInput(props: ChatInput.IProps): JSX.Element {
  const { busy, trans, attachments } = props;
  const uploading = attachments?.uploading ?? false;
  const [text, setText] = React.useState('');
  const box = React.useRef<HTMLTextAreaElement>(null);
  const wasBusy = React.useRef(busy);

  React.useEffect(() => {
    if (wasBusy.current && !busy) {
      box.current?.focus();
    }
    wasBusy.current = busy;
  }, [busy]);

  const send = (): void => {
    if (busy || uploading || !text.trim()) {
      return;
    }
    props.onSend(text);
    setText('');
  };

  const onKeyDown = (event: React.KeyboardEvent<HTMLTextAreaElement>): void => {
    if (
      event.key === 'Enter' &&
      !event.shiftKey &&
      !event.nativeEvent.isComposing
    ) {
      event.preventDefault();
      send();
    }
  };

  const onPaste = (event: React.ClipboardEvent<HTMLTextAreaElement>): void => {
    const files = Array.from(event.clipboardData?.files ?? []);
    if (attachments && files.length) {
      event.preventDefault();
      attachments.onAdd(files);
    }
  };

  return (
    <div className="jp-CodeInterpreter-inputArea">
      {attachments && (
        <PendingAttachments
          items={attachments.items}
          onRemove={attachments.onRemove}
          trans={trans}
        />
      )}
      <textarea
        ref={box}
        className="jp-CodeInterpreter-input"
        value={text}
        rows={3}
        disabled={busy}
        placeholder={trans.__(
          'Ask about your data (Enter to send, Shift+Enter for a new line)'
        )}
        aria-label={trans.__('Message to the Code Interpreter')}
        onChange={event => setText(event.target.value)}
        onKeyDown={onKeyDown}
        onPaste={onPaste}
      />
      <div className="jp-CodeInterpreter-inputButtons">
        {attachments && (
          <AttachButton
            disabled={busy}
            onFiles={attachments.onAdd}
            trans={trans}
          />
        )}
        {busy && (
          <button
            type="button"
            className="jp-Button jp-mod-styled jp-mod-warn jp-CodeInterpreter-stop"
            aria-label={trans.__('Stop the answer')}
            title={trans.__('Stop the answer')}
            onClick={props.onStop}
          >
            {trans.__('Stop')}
          </button>
        )}
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-accept jp-CodeInterpreter-send"
          aria-label={trans.__('Send the message')}
          title={
            uploading
              ? trans.__('Waiting for the attached files to upload')
              : trans.__('Send the message')
          }
          disabled={busy || uploading || !text.trim()}
          onClick={send}
        >
          {trans.__('Send')}
        </button>
      </div>
    </div>
  );
}

/**
 * A namespace for `ChatInput` statics.
 */
export namespace ChatInput {
  /**
   * The properties of the prompt box.
   */
  export interface IProps {
    /**
     * Whether a reply is being waited for or streamed.
     */
    busy: boolean;

    /**
     * Send a prompt.
     */
    onSend: (text: string) => void;

    /**
     * Stop the reply.
     */
    onStop: () => void;

    trans: TranslationBundle;

    /**
     * The files attached to the next prompt; absent: no attaching.
     */
    attachments?: IAttachments;
  }

  /**
   * The files attached to the next prompt, and how to change them.
   */
  export interface IAttachments {
    items: ReadonlyArray<IPendingUpload>;
    /** Whether one is still uploading (Send waits). */
    uploading: boolean;
    onAdd: (files: File[]) => void;
    onRemove: (id: number) => void;
  }
}
