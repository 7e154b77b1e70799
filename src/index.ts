/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  Dialog,
  ICommandPalette,
  Notification,
  showDialog
} from '@jupyterlab/apputils';
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import { PathExt } from '@jupyterlab/coreutils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ServerConnection } from '@jupyterlab/services';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';

import { cellCommandsPlugin } from './cellcommands/plugin';
import { CommandIDs, ExternalCommandIDs } from './commands';
import { ConversationManager } from './conversation/manager';
import { codeInterpreterIcon } from './icons';
import { IKernelHelpers } from './kernel/replies';
import { DataSourceKernelTools } from './kernel/datasources';
import { KernelTools } from './kernel/tools';
import { GatewayClient } from './llm/client';
import { fetchGatewayStatus } from './llm/status';
import { NotebookBridge } from './notebook';
import { CodeInterpreterSettings } from './settings';
import { ConversationStore, ServerConversations } from './store';
import {
  IChatClient,
  ICodeInterpreterSettings,
  IConversationManager,
  IGatewayStatusProvider
} from './tokens';
import { createStepFileActions } from './widgets/fileactions';
import { ChatPanel } from './widgets/panel';
import { ContentsUploads } from './uploads/contents';
import { UploadQueue } from './uploads/queue';

/**
 * The id of the sidebar chat plugin, also the id of the settings.
 */
const PLUGIN_ID = 'jupyterlab-code-interpreter:plugin';

/**
 * The user settings, loaded once for every plugin of the extension.
 */
const settingsPlugin: JupyterFrontEndPlugin<ICodeInterpreterSettings> = {
  id: 'jupyterlab-code-interpreter:settings',
  description:
    'The Code Interpreter user settings, loaded once and kept current for the other plugins.',
  autoStart: true,
  provides: ICodeInterpreterSettings,
  optional: [ISettingRegistry, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    registry: ISettingRegistry | null,
    translator: ITranslator | null
  ): ICodeInterpreterSettings => {
    const settings = new CodeInterpreterSettings();
    if (registry) {
      const english = (translator?.languageCode ?? 'en').startsWith('en');
      void Private.follow(registry, settings, !english);
    }
    return settings;
  }
};

/**
 * The client that streams completions through the server's gateway.
 */
const clientPlugin: JupyterFrontEndPlugin<IChatClient> = {
  id: 'jupyterlab-code-interpreter:chat-client',
  description:
    'Streams chat completions through the Code Interpreter gateway of the Jupyter server.',
  autoStart: true,
  provides: IChatClient,
  activate: (app: JupyterFrontEnd): IChatClient =>
    new GatewayClient({ serverSettings: app.serviceManager.serverSettings })
};

/**
 * Reads the gateway's status from the server.
 */
const statusPlugin: JupyterFrontEndPlugin<IGatewayStatusProvider> = {
  id: 'jupyterlab-code-interpreter:gateway-status',
  description:
    'Reads whether the Code Interpreter gateway has a model endpoint, and the health of its endpoints.',
  autoStart: true,
  provides: IGatewayStatusProvider,
  activate: (app: JupyterFrontEnd): IGatewayStatusProvider => ({
    fetch: () => fetchGatewayStatus(app.serviceManager.serverSettings)
  })
};

/**
 * The Code Interpreter sidebar chat, with a conversation per notebook.
 */
const plugin: JupyterFrontEndPlugin<IConversationManager> = {
  id: PLUGIN_ID,
  description:
    'A sidebar chat that streams answers from the Code Interpreter gateway.',
  autoStart: true,
  provides: IConversationManager,
  requires: [
    IRenderMimeRegistry,
    INotebookTracker,
    IDocumentManager,
    IChatClient,
    IGatewayStatusProvider,
    ICodeInterpreterSettings
  ],
  optional: [
    ILayoutRestorer,
    ICommandPalette,
    ITranslator,
    IDefaultFileBrowser,
    IEditorLanguageRegistry
  ],
  activate: (
    app: JupyterFrontEnd,
    rendermime: IRenderMimeRegistry,
    tracker: INotebookTracker,
    docManager: IDocumentManager,
    client: IChatClient,
    status: IGatewayStatusProvider,
    settings: ICodeInterpreterSettings,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    translator: ITranslator | null,
    fileBrowser: IDefaultFileBrowser | null,
    languages: IEditorLanguageRegistry | null
  ): IConversationManager => {
    const trans = (translator ?? nullTranslator).load(
      'jupyterlab_code_interpreter'
    );
    const manager = Private.createManager(app, {
      tracker,
      docManager,
      client,
      cwd: () => fileBrowser?.model.path ?? '',
      trans
    });
    const apply = (): void => manager.updateSettings(settings.composite);
    apply();
    settings.changed.connect(apply);
    const panel = new ChatPanel({
      manager,
      languages,
      rendermime,
      trans,
      fetchStatus: () => status.fetch(),
      fileActions: createStepFileActions(docManager),
      uploads: new UploadQueue({
        backend: new ContentsUploads(app.serviceManager.contents),
        settings: () => manager.uploadSettings,
        // With no notebook open, where a new one would be created.
        notebookFolder: () => {
          const path = manager.current.panel?.context.path;
          return path !== undefined
            ? PathExt.dirname(path)
            : (fileBrowser?.model.path ?? '');
        },
        trans: (msgid, ...args) => trans.__(msgid, ...args)
      }),
      openSettings: () =>
        void app.commands.execute(ExternalCommandIDs.openSettings, {
          query: 'Code Interpreter'
        })
    });
    app.shell.add(panel, 'right', { rank: 700 });
    restorer?.add(panel, ChatPanel.ID);
    Private.addCommands(app, manager, panel, trans);
    const category = trans.__('Code Interpreter');
    palette?.addItem({ command: CommandIDs.openPanel, category });
    palette?.addItem({ command: CommandIDs.newChat, category });
    return manager;
  }
};

export default [
  settingsPlugin,
  clientPlugin,
  statusPlugin,
  plugin,
  cellCommandsPlugin
];

/**
 * Private helpers.
 */
namespace Private {
  /**
   * Keep the settings current: load them, then follow the user's edits.
   *
   * #### Notes
   * The settings JupyterLab preloads come from jupyterlab_server's list,
   * which leaves the schemas of prebuilt extensions untranslated; it
   * translates a schema fetched alone. So in another language ours is
   * fetched again, alone, for the settings form to show it translated.
   *
   * @param translated - whether the UI's language is not English.
   */
  export async function follow(
    registry: ISettingRegistry,
    settings: CodeInterpreterSettings,
    translated: boolean
  ): Promise<void> {
    try {
      const loaded = await (translated
        ? registry.reload(PLUGIN_ID)
        : registry.load(PLUGIN_ID));
      const read = (): void => settings.update(loaded.composite);
      read();
      loaded.changed.connect(read);
    } catch (reason) {
      console.error(
        `Could not load the settings of ${PLUGIN_ID}; using defaults.`,
        reason
      );
    }
  }

  /**
   * The conversations, one per notebook, saved on the server.
   */
  export function createManager(
    app: JupyterFrontEnd,
    options: {
      tracker: INotebookTracker;
      docManager: IDocumentManager;
      client: IChatClient;
      cwd: () => string;
      trans: TranslationBundle;
    }
  ): ConversationManager {
    const { tracker, docManager, client, cwd, trans } = options;
    const serverSettings = app.serviceManager.serverSettings;
    const helpers = helpersLoader(serverSettings);
    return new ConversationManager({
      bridge: new NotebookBridge({ tracker, docManager, cwd, trans }),
      store: new ConversationStore({
        backend: new ServerConversations(serverSettings),
        onSaveError: message =>
          void Notification.warning(
            trans.__(
              'The Code Interpreter chat could not be saved: %1. It stays in this page and is saved again with the next change.',
              message
            ),
            { autoClose: false }
          )
      }),
      client,
      createKernelTools: kernel =>
        new DataSourceKernelTools({
          kernel,
          fetchHelpers: helpers,
          fetchDataSources: () =>
            DataSourceKernelTools.fetchDataSources(serverSettings)
        }),
      confirmNewNotebook: () => confirmNewNotebook(trans),
      notify: message => void Notification.info(message, { autoClose: 5000 }),
      trans
    });
  }

  /**
   * Add the commands that open the chat and start a new conversation.
   */
  export function addCommands(
    app: JupyterFrontEnd,
    manager: ConversationManager,
    panel: ChatPanel,
    trans: TranslationBundle
  ): void {
    app.commands.addCommand(CommandIDs.openPanel, {
      label: trans.__('Open Code Interpreter'),
      caption: trans.__('Open the Code Interpreter chat in the right sidebar'),
      icon: args => (args.isPalette ? undefined : codeInterpreterIcon),
      execute: () => app.shell.activateById(panel.id)
    });
    app.commands.addCommand(CommandIDs.newChat, {
      label: trans.__('New Code Interpreter Chat'),
      caption: trans.__('Stop any answer and start an empty conversation'),
      execute: () => {
        manager.current.model.clear();
        app.shell.activateById(panel.id);
      }
    });
  }

  /**
   * Loads the kernel helpers once; a failed load is retried on next use.
   */
  export function helpersLoader(
    settings: ServerConnection.ISettings
  ): () => Promise<IKernelHelpers> {
    let loading: Promise<IKernelHelpers> | null = null;
    return () => {
      loading ??= KernelTools.fetchHelpers(settings).catch(reason => {
        loading = null;
        throw reason;
      });
      return loading;
    };
  }

  /**
   * Ask whether to create a notebook for a prompt sent with none open.
   */
  export async function confirmNewNotebook(
    trans: TranslationBundle
  ): Promise<boolean> {
    const result = await showDialog({
      title: trans.__('Create a notebook?'),
      body: trans.__(
        'The Code Interpreter runs its code in a notebook, and none is open. Create a new notebook in the current folder for this conversation?'
      ),
      buttons: [
        Dialog.cancelButton({ label: trans.__('Chat without a notebook') }),
        Dialog.okButton({ label: trans.__('Create notebook') })
      ]
    });
    return result.button.accept;
  }
}
