/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { NotebookPanel } from '@jupyterlab/notebook';
import type { Kernel } from '@jupyterlab/services';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { ReadonlyPartialJSONValue } from '@lumino/coreutils';
import type { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import {
  agentSettingsFrom,
  DEFAULT_AGENT_SETTINGS,
  IAgentSettings
} from '../agent/settings';
import { ChatModel } from './model';
import type { IAttachment } from '../tokens';
import { describeAttachments } from '../uploads/summaries';
import {
  DEFAULT_UPLOAD_SETTINGS,
  IUploadSettings,
  uploadSettingsFrom
} from '../uploads/settings';
import { chatSettingsFrom, DEFAULT_CHAT_SETTINGS } from './settings';
import {
  ApprovalRegistry,
  effectiveApprovalMode,
  NotebookBridge,
  NotebookExecutionHost,
  setApprovalMode
} from '../notebook';
import type { IKernelTools } from '../kernel/tools';
import type { ConversationStore } from '../store';
import type { ApprovalMode } from '../agent/tokens';
import type { IChatClient, IChatSettings } from '../tokens';

/**
 * One notebook's conversation: its chat model, the host that runs its steps
 * in that notebook, and the approvals its step cards and cells share.
 */
export interface IConversation {
  readonly model: ChatModel;
  readonly approvals: ApprovalRegistry;
  /** Null for the conversation kept while no notebook is open. */
  readonly host: NotebookExecutionHost | null;
  readonly panel: NotebookPanel | null;
}

/**
 * Keeps a conversation per notebook and tells the panel which one to show.
 *
 * #### Notes
 * The panel follows the active notebook (the last one, while focus is in the
 * sidebar). Each conversation is restored from the store when its notebook is
 * first seen and saved as it changes. With no notebook open, a plain chat is
 * shown; its first prompt offers to create a notebook.
 */
export class ConversationManager implements IDisposable {
  /**
   * Create a manager following the bridge's notebooks.
   */
  constructor(options: ConversationManager.IOptions) {
    this._options = options;
    this._scratch = {
      model: this._newModel(),
      approvals: new ApprovalRegistry(),
      host: null,
      panel: null
    };
    this._current = this._scratch;
    options.bridge.currentChanged.connect(this._onNotebookChanged, this);
    void this._onNotebookChanged(options.bridge, options.bridge.currentPanel);
  }

  /**
   * Emitted when the panel should show another conversation.
   */
  get currentChanged(): ISignal<this, IConversation> {
    return this._currentChanged;
  }

  /**
   * The conversation the panel shows.
   */
  get current(): IConversation {
    return this._current;
  }

  /**
   * The approval mode that applies to the current conversation.
   */
  get approvalMode(): ApprovalMode {
    return effectiveApprovalMode(
      this._current.panel?.model ?? null,
      this._agentSettings.approvalMode
    );
  }

  /**
   * Override the approval mode for the current notebook.
   */
  setApprovalMode(mode: ApprovalMode): void {
    const panel = this._current.panel;
    if (panel?.model) {
      setApprovalMode(panel.model, mode);
      this._applySettings(this._current);
      this._currentChanged.emit(this._current);
    }
  }

  /**
   * Whether the manager is disposed.
   */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Apply the user's settings to every conversation.
   */
  updateSettings(composite: Readonly<Record<string, unknown>>): void {
    this._chatSettings = chatSettingsFrom(composite);
    this._agentSettings = agentSettingsFrom(composite);
    this._uploadSettings = uploadSettingsFrom(composite);
    this._applySettings(this._scratch);
    for (const conversation of this._byPanel.values()) {
      this._applySettings(conversation);
    }
  }

  /**
   * Send a prompt in the current conversation.
   *
   * #### Notes
   * With no notebook open, asks (once) whether to create one; if the user
   * agrees the prompt goes to the new notebook's conversation, otherwise to a
   * plain chat, and later prompts go there without asking again.
   */
  async send(text: string, attachments: IAttachment[] = []): Promise<void> {
    if (!this._current.panel && text.trim() && !this._notebookDeclined) {
      const panel = await this._options.bridge.ensureNotebook(
        this._options.confirmNewNotebook
      );
      if (panel) {
        await this._onNotebookChanged(this._options.bridge, panel);
      } else {
        // Asked once: the user chose to chat without a notebook.
        this._notebookDeclined = true;
      }
    }
    const conversation = this._current;
    if (conversation.panel) {
      const notice = await this._options.bridge.ensureKernel(
        conversation.panel
      );
      if (notice) {
        this._options.notify(notice);
      }
    }
    if (!attachments.length || !text.trim()) {
      await conversation.model.send(text);
      return;
    }
    const host = conversation.host;
    const budget = this._uploadSettings.summaryTokenBudget;
    await conversation.model.send(text, {
      files: attachments,
      context: () =>
        describeAttachments(
          attachments,
          host ? paths => host.fileSummaries(paths) : null,
          budget
        )
    });
  }

  /**
   * The upload settings (folder, size limit, summaries' budget).
   */
  get uploadSettings(): IUploadSettings {
    return this._uploadSettings;
  }

  /**
   * The conversation of a notebook, restored from the store the first time
   * it is asked for; the panel's switch to it shares that load.
   */
  conversationOf(panel: NotebookPanel): Promise<IConversation> {
    return this._conversationOf(panel);
  }

  /**
   * Stop every turn and stop following notebooks.
   */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._options.bridge.currentChanged.disconnect(
      this._onNotebookChanged,
      this
    );
    for (const panel of [...this._byPanel.keys()]) {
      this._forget(panel);
    }
    this._scratch.model.dispose();
    this._scratch.approvals.dispose();
    Signal.clearData(this);
  }

  private async _onNotebookChanged(
    _: unknown,
    panel: NotebookPanel | null
  ): Promise<void> {
    if (this._isDisposed) {
      return;
    }
    const conversation = panel ? await this._conversationOf(panel) : null;
    const next = conversation ?? this._scratch;
    if (next !== this._current) {
      this._current = next;
      this._currentChanged.emit(next);
    }
  }

  private async _conversationOf(panel: NotebookPanel): Promise<IConversation> {
    const known = this._byPanel.get(panel);
    if (known) {
      return known;
    }
    const pending = this._loading.get(panel);
    if (pending) {
      return pending;
    }
    const loading = this._load(panel);
    this._loading.set(panel, loading);
    try {
      return await loading;
    } finally {
      this._loading.delete(panel);
    }
  }

  private async _load(panel: NotebookPanel): Promise<IConversation> {
    const { store, trans } = this._options;
    await panel.context.ready;
    const approvals = new ApprovalRegistry();
    const host = new NotebookExecutionHost({
      panel,
      approvals,
      createKernelTools: this._options.createKernelTools,
      trans
    });
    const model = this._newModel();
    model.host = host;
    const conversation: IConversation = { model, approvals, host, panel };
    this._applySettings(conversation);
    let restored = true;
    try {
      const saved = await store.load(panel);
      if (saved) {
        model.fromJSON(saved);
      }
    } catch (reason) {
      restored = false;
      console.error('Could not restore the Code Interpreter chat.', reason);
      model.warn(
        trans.__(
          'The saved chat of this notebook could not be loaded (%1). Reload the page to try again; until then this chat is not saved, so the saved one is not overwritten.',
          reason instanceof Error ? reason.message : String(reason)
        )
      );
    }
    host.notice.connect((_, notice) => this._options.notify(notice));
    this._byPanel.set(panel, conversation);
    if (restored) {
      this._autosaves.set(
        panel,
        store.autosave(panel, {
          changed: model.changed,
          // Messages are plain data (strings, numbers, nested plain objects).
          toJSON: () => model.toJSON() as unknown as ReadonlyPartialJSONValue,
          settled: () => model.status === 'idle'
        })
      );
    }
    panel.disposed.connect(() => this._forget(panel));
    return conversation;
  }

  private _forget(panel: NotebookPanel): void {
    const conversation = this._byPanel.get(panel);
    if (!conversation) {
      return;
    }
    this._byPanel.delete(panel);
    this._autosaves.get(panel)?.dispose();
    this._autosaves.delete(panel);
    conversation.model.dispose();
    conversation.approvals.dispose();
    conversation.host?.dispose();
    if (this._current === conversation) {
      this._current = this._scratch;
      this._currentChanged.emit(this._scratch);
    }
  }

  private _newModel(): ChatModel {
    return new ChatModel({
      client: this._options.client,
      settings: this._chatSettings,
      trans: (msgid, ...args) => this._options.trans.__(msgid, ...args)
    });
  }

  private _applySettings(conversation: IConversation): void {
    conversation.model.settings = this._chatSettings;
    conversation.model.agentSettings = {
      ...this._agentSettings,
      approvalMode: effectiveApprovalMode(
        conversation.panel?.model ?? null,
        this._agentSettings.approvalMode
      )
    };
  }

  private _agentSettings: IAgentSettings = { ...DEFAULT_AGENT_SETTINGS };
  private _autosaves = new Map<NotebookPanel, IDisposable>();
  private _byPanel = new Map<NotebookPanel, IConversation>();
  private _chatSettings: IChatSettings = { ...DEFAULT_CHAT_SETTINGS };
  private _current: IConversation;
  private _currentChanged = new Signal<this, IConversation>(this);
  private _isDisposed = false;
  private _notebookDeclined = false;
  private _loading = new Map<NotebookPanel, Promise<IConversation>>();
  private _options: ConversationManager.IOptions;
  private _scratch: IConversation;
  private _uploadSettings: IUploadSettings = { ...DEFAULT_UPLOAD_SETTINGS };
}

/**
 * A namespace for `ConversationManager` statics.
 */
export namespace ConversationManager {
  /**
   * The options of a conversation manager.
   */
  export interface IOptions {
    /** Follows the active notebook and creates one on request. */
    bridge: NotebookBridge;
    /** Where conversations are saved per notebook. */
    store: ConversationStore;
    /** Streams completions from the gateway. */
    client: IChatClient;
    /** Kernel tools for a notebook's kernel. */
    createKernelTools: (kernel: Kernel.IKernelConnection) => IKernelTools;
    /** Asks whether to create a notebook for a prompt sent with none open. */
    confirmNewNotebook: () => Promise<boolean>;
    /** Shows a notice such as "the kernel was restarted". */
    notify: (message: string) => void;
    /** The extension's translations. */
    trans: TranslationBundle;
  }
}
