/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

/**
 * The prompt box with its Send and Stop buttons.
 *
 * #### Notes
 * Enter sends and Shift+Enter adds a line; Enter that confirms an input
 * method composition (Chinese, Japanese…) does not send. The box is disabled
 * while a reply streams, and Stop is shown only then.
 */
export function ChatInput(props: ChatInput.IProps): JSX.Element {
  const { busy, trans } = props;
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
    if (busy || !text.trim()) {
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

  return (
    <div className="jp-CodeInterpreter-inputArea">
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
      />
      <div className="jp-CodeInterpreter-inputButtons">
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
          title={trans.__('Send the message')}
          disabled={busy || !text.trim()}
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
  }
}
