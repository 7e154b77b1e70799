/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import { PathExt } from '@jupyterlab/coreutils';
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { TranslationBundle } from '@jupyterlab/translation';
import { addIcon, ReactWidget } from '@jupyterlab/ui-components';
import type { Message } from '@lumino/messaging';
import * as React from 'react';

import type { ApprovalMode } from '../agent/tokens';
import { emptyStateView, StatusResult } from '../llm/emptystate';
import type { ChatModel } from '../conversation/model';
import type { IConversation } from '../conversation/manager';
import type { ISignal } from '@lumino/signaling';
import { codeInterpreterIcon } from '../icons';
import type { IGatewayStatus } from '../tokens';
import { failureMessage } from '../translate';
import { ApprovalModeSelect } from './approvalmode';
import { EmptyState } from './emptystate';
import { PoolStatus } from './poolstatus';
import { ChatInput } from './input';
import { MessageList } from './messages';
import type { IStepFileActions } from './stepfiles';
import type { IAttachment } from '../tokens';
import type { UploadQueue } from '../uploads/queue';
import { watchFileDrops } from './filedrop';
import type { IDisposable } from '@lumino/disposable';

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
    this._manager = options.manager;
    this._conversation = options.manager.current;
    this._languages = options.languages ?? null;
    this._rendermime = options.rendermime;
    this._trans = options.trans;
    this._fetchStatus = options.fetchStatus;
    this._openSettings = options.openSettings;
    this._fileActions = options.fileActions ?? null;
    this._uploads = options.uploads ?? null;
    this.id = ChatPanel.ID;
    this.addClass('jp-CodeInterpreter-panel');
    this.title.icon = codeInterpreterIcon;
    this.title.caption = this._trans.__('Code Interpreter');
    this._connect(this._conversation);
    this._manager.currentChanged.connect(this._onConversationChanged, this);
    const uploads = this._uploads;
    if (uploads) {
      uploads.changed.connect(this._onModelChanged, this);
      this._drops = watchFileDrops(this.node, files => void uploads.add(files));
    }
    void this.refreshStatus();
  }

  /**
   * The conversation shown by the panel: the active notebook's.
   */
  get model(): ChatModel {
    return this._conversation.model;
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
        error: failureMessage(error, (msgid, ...args) =>
          this._trans.__(msgid, ...args)
        )
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
    this._disconnect(this._conversation);
    this._manager.currentChanged.disconnect(this._onConversationChanged, this);
    this._uploads?.changed.disconnect(this._onModelChanged, this);
    this._drops?.dispose();
    super.dispose();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    if (this.model.messages.length === 0) {
      void this.refreshStatus();
    }
  }

  protected render(): JSX.Element {
    const conversation = this._conversation;
    const model = conversation.model;
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
          <button
            type="button"
            className="jp-Button jp-mod-minimal jp-CodeInterpreter-endpointsToggle"
            aria-expanded={this._showEndpoints}
            title={trans.__('Show the model endpoints and their health')}
            onClick={() => {
              this._showEndpoints = !this._showEndpoints;
              if (this._showEndpoints) {
                void this.refreshStatus();
              }
              this.update();
            }}
          >
            {trans.__('Endpoints')}
          </button>
        </div>
        {this._showEndpoints ? (
          <PoolStatus
            status={
              this._status && 'status' in this._status
                ? this._status.status
                : null
            }
            onRefresh={() => void this.refreshStatus()}
            trans={trans}
          />
        ) : null}
        {conversation.panel ? (
          <div className="jp-CodeInterpreter-context">
            <span
              className="jp-CodeInterpreter-notebookName"
              title={conversation.panel.context.path}
            >
              {conversation.panel.title.label}
            </span>
            <ApprovalModeSelect
              value={this._manager.approvalMode}
              onChange={(mode: ApprovalMode) =>
                this._manager.setApprovalMode(mode)
              }
              trans={trans}
            />
          </div>
        ) : null}
        {model.warning ? (
          <div className="jp-CodeInterpreter-warning" role="status">
            {model.warning}
          </div>
        ) : null}
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
            steps={this._stepActions(conversation)}
          />
        )}
        <ChatInput
          busy={busy}
          onSend={text =>
            void this._manager.send(text, this._uploads?.take() ?? [])
          }
          onStop={() => model.stop()}
          trans={trans}
          attachments={Private.attachments(this._uploads)}
        />
      </>
    );
  }

  private _stepActions(conversation: IConversation): MessageList.IStepActions {
    const { approvals, host } = conversation;
    return {
      isPending: stepId => approvals.isPending(stepId),
      run: stepId => void approvals.decide(stepId, 'run'),
      edit: stepId => void approvals.requestEdit(stepId),
      skip: stepId => void approvals.decide(stepId, 'skip'),
      reveal: stepId => void host?.revealStep(stepId),
      revealCell: cellId => Private.revealCell(conversation, cellId),
      languages: this._languages,
      fileLinks:
        conversation.panel && this._fileActions
          ? {
              folder: PathExt.dirname(conversation.panel.context.path),
              actions: this._fileActions
            }
          : null
    };
  }

  private _onConversationChanged(
    _: ChatPanel.IConversations,
    conversation: IConversation
  ): void {
    if (conversation !== this._conversation) {
      this._disconnect(this._conversation);
      this._conversation = conversation;
      this._connect(conversation);
    }
    this.update();
  }

  private _connect(conversation: IConversation): void {
    conversation.model.changed.connect(this._onModelChanged, this);
    conversation.approvals.changed.connect(this._onModelChanged, this);
    // A rename changes the notebook's title, not the conversation.
    conversation.panel?.title.changed.connect(this._onModelChanged, this);
  }

  private _disconnect(conversation: IConversation): void {
    conversation.model.changed.disconnect(this._onModelChanged, this);
    conversation.approvals.changed.disconnect(this._onModelChanged, this);
    conversation.panel?.title.changed.disconnect(this._onModelChanged, this);
  }

  private _onModelChanged(): void {
    this.update();
  }

  private _conversation: IConversation;
  private _drops: IDisposable | null = null;
  private _uploads: UploadQueue | null;
  private _fetchStatus: () => Promise<IGatewayStatus>;
  private _fileActions: IStepFileActions | null;
  private _languages: IEditorLanguageRegistry | null;
  private _showEndpoints = false;
  private _manager: ChatPanel.IConversations;
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
   * What the panel needs of the conversations (`ConversationManager`).
   */
  export interface IConversations {
    readonly current: IConversation;
    readonly currentChanged: ISignal<IConversations, IConversation>;
    readonly approvalMode: ApprovalMode;
    setApprovalMode(mode: ApprovalMode): void;
    send(text: string, attachments?: IAttachment[]): Promise<void>;
  }

  /**
   * The options of a chat panel.
   */
  export interface IOptions {
    /**
     * The conversations, one per notebook; the panel shows the current one.
     */
    manager: IConversations;

    /**
     * Highlights the code of step cards.
     */
    languages?: IEditorLanguageRegistry | null;

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

    /**
     * Opens, downloads and previews the files steps made; without it step
     * cards do not list them.
     */
    fileActions?: IStepFileActions | null;

    /**
     * The files attached to the next prompt (dropped on the panel, pasted
     * or picked); without it the panel takes no files.
     */
    uploads?: UploadQueue | null;
  }
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * What the prompt box shows and does with the attached files.
   */
  export function attachments(
    uploads: UploadQueue | null
  ): ChatInput.IAttachments | undefined {
    return uploads
      ? {
          items: uploads.items,
          uploading: uploads.uploading,
          onAdd: files => void uploads.add(files),
          onRemove: id => uploads.remove(id)
        }
      : undefined;
  }

  /**
   * Scroll the conversation's notebook to a cell and make it active.
   */
  export function revealCell(
    conversation: IConversation,
    cellId: string
  ): void {
    const notebook = conversation.panel?.content;
    const index =
      notebook?.widgets.findIndex(cell => cell.model.id === cellId) ?? -1;
    if (notebook && index >= 0) {
      notebook.activeCellIndex = index;
      void notebook.scrollToCell(notebook.widgets[index], 'center');
    }
  }
}
