/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { TranslationBundle } from '@jupyterlab/translation';
import { addIcon, ReactWidget } from '@jupyterlab/ui-components';
import type { Message } from '@lumino/messaging';
import * as React from 'react';

import { emptyStateView, StatusResult } from '../chat/emptystate';
import type { ChatModel } from '../chat/model';
import { codeInterpreterIcon } from '../icons';
import type { IGatewayStatus } from '../tokens';
import { EmptyState } from './emptystate';
import { ChatInput } from './input';
import { MessageList } from './messages';

/**
 * The Code Interpreter sidebar: the conversation and the prompt box.
 *
 * #### Notes
 * While the conversation is empty it shows whether a model endpoint is
 * configured, asked again from the server each time the panel is shown.
 */
export class ChatPanel extends ReactWidget {
  /**
   * Create a chat panel.
   */
  constructor(options: ChatPanel.IOptions) {
    super();
    this._model = options.model;
    this._rendermime = options.rendermime;
    this._trans = options.trans;
    this._fetchStatus = options.fetchStatus;
    this._openSettings = options.openSettings;
    this.id = ChatPanel.ID;
    this.addClass('jp-CodeInterpreter-panel');
    this.title.icon = codeInterpreterIcon;
    this.title.caption = this._trans.__('Code Interpreter');
    this._model.changed.connect(this._onModelChanged, this);
    void this.refreshStatus();
  }

  /**
   * The conversation shown by the panel.
   */
  get model(): ChatModel {
    return this._model;
  }

  /**
   * Ask the server again whether a model endpoint is configured.
   *
   * #### Notes
   * The previous answer stays on screen until the new one arrives.
   */
  async refreshStatus(): Promise<void> {
    let result: StatusResult;
    try {
      result = { status: await this._fetchStatus() };
    } catch (error) {
      result = {
        error: error instanceof Error ? error.message : String(error)
      };
    }
    if (!this.isDisposed) {
      this._status = result;
      this.update();
    }
  }

  /**
   * Dispose of the panel; the model is owned by the caller.
   */
  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._model.changed.disconnect(this._onModelChanged, this);
    super.dispose();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    if (this._model.messages.length === 0) {
      void this.refreshStatus();
    }
  }

  protected render(): JSX.Element {
    const model = this._model;
    const trans = this._trans;
    const busy = model.status !== 'idle';
    return (
      <>
        <div className="jp-CodeInterpreter-header">
          <h2 className="jp-CodeInterpreter-title">
            {trans.__('Code Interpreter')}
          </h2>
          <button
            type="button"
            className="jp-Button jp-mod-minimal jp-CodeInterpreter-newChat"
            aria-label={trans.__('New chat')}
            title={trans.__('New chat')}
            disabled={model.messages.length === 0}
            onClick={() => model.clear()}
          >
            <addIcon.react tag="span" elementPosition="center" />
          </button>
        </div>
        {model.messages.length === 0 ? (
          <EmptyState
            view={emptyStateView(this._status, (msgid, ...args) =>
              trans.__(msgid, ...args)
            )}
            onOpenSettings={this._openSettings}
            trans={trans}
          />
        ) : (
          <MessageList
            messages={model.messages}
            status={model.status}
            rendermime={this._rendermime}
            trans={trans}
          />
        )}
        <ChatInput
          busy={busy}
          onSend={text => void model.send(text)}
          onStop={() => model.stop()}
          trans={trans}
        />
      </>
    );
  }

  private _onModelChanged(): void {
    this.update();
  }

  private _fetchStatus: () => Promise<IGatewayStatus>;
  private _model: ChatModel;
  private _openSettings: () => void;
  private _rendermime: IRenderMimeRegistry;
  private _status: StatusResult = null;
  private _trans: TranslationBundle;
}

/**
 * A namespace for `ChatPanel` statics.
 */
export namespace ChatPanel {
  /**
   * The id of the panel in the shell.
   */
  export const ID = 'jp-code-interpreter-panel';

  /**
   * The options of a chat panel.
   */
  export interface IOptions {
    /**
     * The conversation.
     */
    model: ChatModel;

    /**
     * Renders the answers' markdown.
     */
    rendermime: IRenderMimeRegistry;

    /**
     * Translates the panel's texts.
     */
    trans: TranslationBundle;

    /**
     * Asks the server whether a model endpoint is configured.
     */
    fetchStatus: () => Promise<IGatewayStatus>;

    /**
     * Opens the settings editor at the Code Interpreter settings.
     */
    openSettings: () => void;
  }
}
