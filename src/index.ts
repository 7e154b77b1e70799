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
import { IDocumentManager } from '@jupyterlab/docmanager';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';

import { ServerConnection } from '@jupyterlab/services';

import { cellCommandsPlugin } from './cellcommands/plugin';
import { GatewayClient } from './llm/client';
import { fetchGatewayStatus } from './llm/status';
import { CommandIDs, ExternalCommandIDs } from './commands';
import { ConversationManager } from './conversation/manager';
import { codeInterpreterIcon } from './icons';
import { IKernelHelpers } from './kernel/replies';
import { KernelTools } from './kernel/tools';
import { NotebookBridge } from './notebook';
import { ConversationStore, ServerConversations } from './store';
import { ChatPanel } from './widgets/panel';

/**
 * The plugin id, also the id of its settings.
 */
const PLUGIN_ID = 'jupyterlab-code-interpreter:plugin';

/**
 * The Code Interpreter sidebar chat.
 */
const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description:
    'A sidebar chat that streams answers from the Code Interpreter gateway.',
  autoStart: true,
  requires: [IRenderMimeRegistry, INotebookTracker, IDocumentManager],
  optional: [
    ILayoutRestorer,
    ICommandPalette,
    ISettingRegistry,
    ITranslator,
    IDefaultFileBrowser,
    IEditorLanguageRegistry
  ],
  activate: (
    app: JupyterFrontEnd,
    rendermime: IRenderMimeRegistry,
    tracker: INotebookTracker,
    docManager: IDocumentManager,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null,
    fileBrowser: IDefaultFileBrowser | null,
    languages: IEditorLanguageRegistry | null
  ): void => {
    const trans = (translator ?? nullTranslator).load(
      'jupyterlab_code_interpreter'
    );
    const serverSettings = app.serviceManager.serverSettings;
    const helpers = Private.helpersLoader(serverSettings);
    const manager = new ConversationManager({
      bridge: new NotebookBridge({
        tracker,
        docManager,
        cwd: () => fileBrowser?.model.path ?? '',
        trans
      }),
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
      client: new GatewayClient({ serverSettings }),
      createKernelTools: kernel =>
        new KernelTools({ kernel, fetchHelpers: helpers }),
      confirmNewNotebook: () => Private.confirmNewNotebook(trans),
      notify: message => void Notification.info(message, { autoClose: 5000 }),
      trans
    });
    const panel = new ChatPanel({
      manager,
      languages,
      rendermime,
      trans,
      fetchStatus: () => fetchGatewayStatus(serverSettings),
      openSettings: () =>
        void app.commands.execute(ExternalCommandIDs.openSettings, {
          query: 'Code Interpreter'
        })
    });
    app.shell.add(panel, 'right', { rank: 700 });
    restorer?.add(panel, ChatPanel.ID);

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
    const category = trans.__('Code Interpreter');
    palette?.addItem({ command: CommandIDs.openPanel, category });
    palette?.addItem({ command: CommandIDs.newChat, category });

    if (settingRegistry) {
      void settingRegistry
        .load(PLUGIN_ID)
        .then(settings => {
          const apply = (): void => {
            manager.updateSettings(settings.composite);
          };
          apply();
          settings.changed.connect(apply);
        })
        .catch((reason: unknown) => {
          console.error(
            `Could not load the settings of ${PLUGIN_ID}; using defaults.`,
            reason
          );
        });
    }
  }
};

export default [plugin, cellCommandsPlugin];

/**
 * Private helpers.
 */
namespace Private {
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
