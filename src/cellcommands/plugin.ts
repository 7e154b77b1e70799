/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { CodeCell } from '@jupyterlab/cells';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import { bugIcon, infoIcon } from '@jupyterlab/ui-components';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { NotebookExecutionHost } from '../notebook';
import type { ChatModel } from '../conversation/model';
import { codeInterpreterIcon } from '../icons';
import { ChatPanel } from '../widgets/panel';
import { CellActions, ICellTarget } from './actions';
import { errorRendererFactory } from './errorbutton';

/**
 * The command ids of the cell commands.
 */
export namespace CellCommandIDs {
  /**
   * Explain the active cell (or its selection) in the chat.
   *
   * #### Notes
   * Bound to `Alt Shift E` in the schema; the fix and ask commands to
   * `Alt Shift F` and `Alt Shift A`. JupyterLab 4 binds `Alt` digits and a
   * few `Alt` letters, `Alt Shift` digits, and `Accel Shift E`/`F`, but no
   * `Alt Shift` letter.
   */
  export const explain = 'code-interpreter:explain-cell';

  /**
   * Propose a fix of the active cell (or its selection) as a diff.
   */
  export const fix = 'code-interpreter:fix-cell';

  /**
   * Ask a question about the active cell in the chat.
   */
  export const ask = 'code-interpreter:ask-about-cell';
}

/**
 * The id of the main plugin, whose settings the cell commands read.
 */
const SETTINGS_ID = 'jupyterlab-code-interpreter:plugin';

/**
 * Explain, fix and ask about a notebook cell.
 */
export const cellCommandsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-code-interpreter:cell-commands',
  description:
    'Explain this cell, Fix this cell and Ask about this cell: in the cell context menu, the cell toolbar, the palette and beside error outputs.',
  autoStart: true,
  requires: [INotebookTracker, IRenderMimeRegistry],
  optional: [ICommandPalette, ISettingRegistry, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    rendermime: IRenderMimeRegistry,
    palette: ICommandPalette | null,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null
  ): void => {
    const trans = (translator ?? nullTranslator).load(
      'jupyterlab_code_interpreter'
    );
    let taskModels: Record<string, unknown> = {};
    void settingRegistry
      ?.load(SETTINGS_ID)
      .then(settings => {
        const read = (): void => {
          const value = settings.composite.taskModels;
          taskModels =
            value && typeof value === 'object' && !Array.isArray(value)
              ? (value as Record<string, unknown>)
              : {};
        };
        read();
        settings.changed.connect(read);
      })
      .catch(() => undefined);
    const actions = new CellActions({
      trans,
      languageCode: () => (translator ?? nullTranslator).languageCode ?? '',
      taskModel: task => {
        const alias = taskModels[task];
        return typeof alias === 'string' && alias.trim() && alias !== 'default'
          ? alias
          : undefined;
      }
    });

    const addCommand = (
      id: string,
      label: string,
      caption: string,
      icon: typeof bugIcon,
      run: (target: ICellTarget) => Promise<void>
    ): void => {
      app.commands.addCommand(id, {
        label: args => (args.toolbar ? '' : label),
        caption: args =>
          Private.disabledReason(tracker, args, trans) ?? caption,
        icon: args => (args.isPalette ? undefined : icon),
        isEnabled: args =>
          Private.disabledReason(tracker, args, trans) === null,
        describedBy: {
          args: {
            type: 'object',
            properties: {
              cellId: {
                type: 'string',
                description: trans.__(
                  'The id of the cell; the active cell by default'
                )
              }
            }
          }
        },
        execute: async args => {
          const target = await Private.target(app, tracker, args);
          if (target) {
            app.shell.activateById(ChatPanel.ID);
            await run(target);
          }
        }
      });
    };
    addCommand(
      CellCommandIDs.explain,
      trans.__('Explain This Cell'),
      trans.__(
        'Explain the cell (or the selection in it) in the Code Interpreter chat'
      ),
      infoIcon,
      target => actions.explain(target)
    );
    addCommand(
      CellCommandIDs.fix,
      trans.__('Fix This Cell'),
      trans.__(
        'Propose a fix of the cell (or the selection in it) as a diff to apply or reject'
      ),
      bugIcon,
      target => actions.fix(target)
    );
    addCommand(
      CellCommandIDs.ask,
      trans.__('Ask About This Cell'),
      trans.__('Ask the Code Interpreter a question with this cell as context'),
      codeInterpreterIcon,
      target => actions.ask(target)
    );
    const category = trans.__('Code Interpreter');
    for (const command of [
      CellCommandIDs.explain,
      CellCommandIDs.fix,
      CellCommandIDs.ask
    ]) {
      palette?.addItem({ command, category });
    }
    // Toolbar buttons and menu items read isEnabled when told to.
    const refresh = (): void => {
      for (const id of [
        CellCommandIDs.explain,
        CellCommandIDs.fix,
        CellCommandIDs.ask
      ]) {
        app.commands.notifyCommandChanged(id);
      }
    };
    tracker.activeCellChanged.connect(refresh);
    tracker.currentChanged.connect(refresh);
    tracker.widgetAdded.connect((_, panel) => {
      panel.content.model?.cells.changed.connect(refresh);
    });

    rendermime.addFactory(
      errorRendererFactory({
        trans,
        onFix: node => {
          const cellId = Private.cellIdOf(tracker, node);
          if (cellId) {
            void app.commands.execute(CellCommandIDs.fix, { cellId });
          }
        }
      }),
      errorRendererFactory.RANK
    );
  }
};

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * The cell a command acts on: `args.cellId` in the current notebook, else
   * the active cell.
   */
  export function cellOf(
    tracker: INotebookTracker,
    args: ReadonlyPartialJSONObject
  ): { panel: NotebookPanel; cell: CodeCell | null; type: string } | null {
    const panel = tracker.currentWidget;
    if (!panel) {
      return null;
    }
    const id = typeof args.cellId === 'string' ? args.cellId : null;
    const cell = id
      ? panel.content.widgets.find(w => w.model.id === id)
      : panel.content.activeCell;
    if (!cell) {
      return null;
    }
    return {
      panel,
      cell: cell instanceof CodeCell ? cell : null,
      type: cell.model.type
    };
  }

  /**
   * Why the command is disabled, or `null` when it is enabled.
   */
  export function disabledReason(
    tracker: INotebookTracker,
    args: ReadonlyPartialJSONObject,
    trans: TranslationBundle
  ): string | null {
    const found = cellOf(tracker, args);
    if (!found) {
      return trans.__('Open a notebook and select a code cell');
    }
    if (found.type === 'markdown') {
      return trans.__(
        'Only code cells can be explained or fixed; this is a Markdown cell'
      );
    }
    if (found.type === 'raw') {
      return trans.__(
        'Only code cells can be explained or fixed; this is a raw cell'
      );
    }
    return found.cell ? null : trans.__('Select a code cell');
  }

  /**
   * The target of a command, once the panel follows its notebook.
   *
   * #### Notes
   * The conversation of a notebook opened a moment ago may still be
   * loading; this waits for it up to 5 s.
   */
  export async function target(
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    args: ReadonlyPartialJSONObject
  ): Promise<ICellTarget | null> {
    const found = cellOf(tracker, args);
    if (!found?.cell) {
      return null;
    }
    for (let waited = 0; waited <= 5000; waited += 100) {
      const model = chatModel(app);
      const host = model?.host;
      if (
        model &&
        host instanceof NotebookExecutionHost &&
        host.panel === found.panel
      ) {
        return { panel: found.panel, cell: found.cell, model, host };
      }
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    return null;
  }

  /**
   * The chat model the panel shows (the active notebook's conversation).
   */
  export function chatModel(app: JupyterFrontEnd): ChatModel | null {
    for (const widget of app.shell.widgets('right')) {
      if (widget instanceof ChatPanel) {
        return widget.model;
      }
    }
    return null;
  }

  /**
   * The id of the cell an output node belongs to.
   */
  export function cellIdOf(
    tracker: INotebookTracker,
    node: HTMLElement
  ): string | null {
    let found: string | null = null;
    tracker.forEach(panel => {
      for (const cell of panel.content.widgets) {
        if (cell.node.contains(node)) {
          found = cell.model.id;
        }
      }
    });
    return found;
  }
}
