/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { GatewayClient } from './chat/client';
import { ChatModel } from './chat/model';
import { fetchGatewayStatus } from './chat/status';
import { CommandIDs, ExternalCommandIDs } from './commands';
import { codeInterpreterIcon } from './icons';
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
  requires: [IRenderMimeRegistry],
  optional: [ILayoutRestorer, ICommandPalette, ISettingRegistry, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    rendermime: IRenderMimeRegistry,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null
  ): void => {
    const trans = (translator ?? nullTranslator).load(
      'jupyterlab_code_interpreter'
    );
    const serverSettings = app.serviceManager.serverSettings;
    const model = new ChatModel({
      client: new GatewayClient({ serverSettings }),
      trans: (msgid, ...args) => trans.__(msgid, ...args)
    });
    const panel = new ChatPanel({
      model,
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
        model.clear();
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
            model.settings = ChatModel.settingsFrom(settings.composite);
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

export default plugin;
