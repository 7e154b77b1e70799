/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { ChatStatus, IChatMessage } from '../tokens';
import { MarkdownBody } from './markdown';

/**
 * The conversation: its messages and the waiting indicator.
 *
 * #### Notes
 * A live region (`role="log"`), so screen readers announce new messages; it
 * follows the end of the conversation unless the user scrolled up.
 */
export function MessageList(props: MessageList.IProps): JSX.Element {
  const { messages, status, trans } = props;
  const list = React.useRef<HTMLDivElement>(null);
  const pinned = React.useRef(true);

  const onScroll = React.useCallback(() => {
    const node = list.current;
    if (node) {
      pinned.current =
        node.scrollHeight - node.scrollTop - node.clientHeight < 40;
    }
  }, []);

  React.useLayoutEffect(() => {
    const node = list.current;
    if (node && pinned.current) {
      node.scrollTop = node.scrollHeight;
    }
  });

  return (
    <div
      className="jp-CodeInterpreter-messages"
      ref={list}
      onScroll={onScroll}
      role="log"
      aria-live="polite"
      aria-label={trans.__('Conversation')}
    >
      {messages.map(message => (
        <MessageItem
          key={message.id}
          message={message}
          rendermime={props.rendermime}
          trans={trans}
        />
      ))}
      {status === 'waiting' && (
        <div
          className="jp-CodeInterpreter-progress"
          role="status"
          aria-label={trans.__('Waiting for the answer')}
        >
          <span className="jp-CodeInterpreter-progressDot" />
          <span className="jp-CodeInterpreter-progressDot" />
          <span className="jp-CodeInterpreter-progressDot" />
        </div>
      )}
    </div>
  );
}

/**
 * A namespace for `MessageList` statics.
 */
export namespace MessageList {
  /**
   * The properties of a message list.
   */
  export interface IProps {
    messages: ReadonlyArray<IChatMessage>;
    status: ChatStatus;
    rendermime: IRenderMimeRegistry;
    trans: TranslationBundle;
  }
}

/**
 * One message: plain text for the user and errors, markdown for the model.
 */
const MessageItem = React.memo(function MessageItem(props: {
  message: IChatMessage;
  rendermime: IRenderMimeRegistry;
  trans: TranslationBundle;
}): JSX.Element {
  const { message, trans } = props;
  const label = Private.roleLabel(message, trans);
  return (
    <div
      className={`jp-CodeInterpreter-message jp-mod-${message.role}`}
      data-role={message.role}
      data-status={message.status}
      aria-label={label}
    >
      <div className="jp-CodeInterpreter-messageHeader">
        <span className="jp-CodeInterpreter-messageAuthor">{label}</span>
        {message.status === 'stopped' && (
          <span className="jp-CodeInterpreter-badge">
            {trans.__('stopped')}
          </span>
        )}
        {message.status === 'error' && (
          <span className="jp-CodeInterpreter-badge">
            {trans.__('incomplete')}
          </span>
        )}
      </div>
      {message.role === 'assistant' ? (
        <MarkdownBody
          text={message.content}
          streaming={message.status === 'streaming'}
          rendermime={props.rendermime}
        />
      ) : (
        <div
          className="jp-CodeInterpreter-messageBody"
          role={message.role === 'error' ? 'alert' : undefined}
        >
          {message.content}
        </div>
      )}
      {message.note && (
        <div className="jp-CodeInterpreter-note">{message.note}</div>
      )}
    </div>
  );
});

/**
 * Private helpers.
 */
namespace Private {
  /**
   * The visible author of a message.
   */
  export function roleLabel(
    message: IChatMessage,
    trans: TranslationBundle
  ): string {
    switch (message.role) {
      case 'user':
        return trans.__('You');
      case 'assistant':
        return trans.__('Code Interpreter');
      default:
        return trans.__('Error');
    }
  }
}
