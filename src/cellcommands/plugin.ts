/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { Cell, CodeCell } from '@jupyterlab/cells';
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import { bugIcon, infoIcon, LabIcon } from '@jupyterlab/ui-components';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { codeInterpreterIcon } from '../icons';
import { ICodeInterpreterSettings, IConversationManager } from '../tokens';
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
 * Explain, fix and ask about a notebook cell.
 *
 * #### Notes
 * Gets the notebook's conversation from `IConversationManager` and the
 * per-task model aliases from `ICodeInterpreterSettings`, so it depends on
 * the chat plugin only through those tokens.
 */
export const cellCommandsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-code-interpreter:cell-commands',
  description:
    'Explain this cell, Fix this cell and Ask about this cell: in the cell context menu, the cell toolbar, the palette and beside error outputs.',
  autoStart: true,
  requires: [
    INotebookTracker,
    IRenderMimeRegistry,
    IConversationManager,
    ICodeInterpreterSettings
  ],
  optional: [ICommandPalette, ITranslator, IEditorLanguageRegistry],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    rendermime: IRenderMimeRegistry,
    conversations: IConversationManager,
    settings: ICodeInterpreterSettings,
    palette: ICommandPalette | null,
    translator: ITranslator | null,
    languages: IEditorLanguageRegistry | null
  ): void => {
    const trans = (translator ?? nullTranslator).load(
      'jupyterlab_code_interpreter'
    );
    const actions = new CellActions({
      trans,
      languageCode: () => (translator ?? nullTranslator).languageCode ?? '',
      taskModel: task => settings.taskModel(task),
      languages
    });
    Private.addCommands(app, tracker, conversations, actions, trans);
    const category = trans.__('Code Interpreter');
    for (const command of Private.COMMANDS) {
      palette?.addItem({ command, category });
    }
    Private.refreshOnCellChanges(app, tracker);
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
   * The cell commands, in menu order.
   */
  export const COMMANDS = [
    CellCommandIDs.explain,
    CellCommandIDs.fix,
    CellCommandIDs.ask
  ];

  /**
   * Add the explain, fix and ask commands.
   */
  export function addCommands(
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    conversations: IConversationManager,
    actions: CellActions,
    trans: TranslationBundle
  ): void {
    const add = (
      id: string,
      label: string,
      caption: string,
      icon: LabIcon,
      run: (target: ICellTarget) => Promise<void>
    ): void => {
      app.commands.addCommand(id, {
        label: args => (args.toolbar ? '' : label),
        caption: args => disabledReason(app, tracker, args, trans) ?? caption,
        icon: args => (args.isPalette ? undefined : icon),
        isEnabled: args => disabledReason(app, tracker, args, trans) === null,
        describedBy: {
          args: {
            type: 'object',
            properties: {
              cellId: {
                type: 'string',
                description: trans.__(
                  'The id of the cell; the active cell by default'
                )
              },
              isContextMenu: {
                type: 'boolean',
                description: trans.__(
                  'Act on the cell under the pointer of the context menu'
                )
              }
            }
          }
        },
        execute: async args => {
          const target = await targetOf(app, conversations, tracker, args);
          if (target) {
            app.shell.activateById(ChatPanel.ID);
            await run(target);
          }
        }
      });
    };
    add(
      CellCommandIDs.explain,
      trans.__('Explain This Cell'),
      trans.__(
        'Explain the cell (or the selection in it) in the Code Interpreter chat'
      ),
      infoIcon,
      target => actions.explain(target)
    );
    add(
      CellCommandIDs.fix,
      trans.__('Fix This Cell'),
      trans.__(
        'Propose a fix of the cell (or the selection in it) as a diff to apply or reject'
      ),
      bugIcon,
      target => actions.fix(target)
    );
    add(
      CellCommandIDs.ask,
      trans.__('Ask About This Cell'),
      trans.__('Ask the Code Interpreter a question with this cell as context'),
      codeInterpreterIcon,
      target => actions.ask(target)
    );
  }

  /**
   * Tell toolbar buttons and menu items to read `isEnabled` again when the
   * active cell, the notebook or its cells change.
   */
  export function refreshOnCellChanges(
    app: JupyterFrontEnd,
    tracker: INotebookTracker
  ): void {
    const refresh = (): void => {
      for (const id of COMMANDS) {
        app.commands.notifyCommandChanged(id);
      }
    };
    tracker.activeCellChanged.connect(refresh);
    tracker.currentChanged.connect(refresh);
    tracker.widgetAdded.connect((_, panel) => {
      panel.content.model?.cells.changed.connect(refresh);
    });
  }

  /**
   * The cell a command acts on: `args.cellId` in the current notebook; from
   * the context menu (`args.isContextMenu`), the cell right-clicked; else the
   * active cell.
   */
  export function cellOf(
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    args: ReadonlyPartialJSONObject
  ): { panel: NotebookPanel; cell: CodeCell | null; type: string } | null {
    const id = typeof args.cellId === 'string' ? args.cellId : null;
    const pointed =
      !id && args.isContextMenu ? pointedCell(app, tracker) : null;
    const panel = pointed?.panel ?? tracker.currentWidget;
    if (!panel) {
      return null;
    }
    const cell =
      pointed?.cell ??
      (id
        ? panel.content.widgets.find(w => w.model.id === id)
        : panel.content.activeCell);
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
   * The cell the user right-clicked, with its notebook, or `null`.
   *
   * #### Notes
   * JupyterLab does not activate a cell on a right-click in its editor, so
   * the active cell may be another one; the menu's hit test says which cell
   * was under the pointer.
   */
  function pointedCell(
    app: JupyterFrontEnd,
    tracker: INotebookTracker
  ): { panel: NotebookPanel; cell: Cell } | null {
    const node = app.contextMenuHitTest(n => n.classList.contains('jp-Cell'));
    if (!node) {
      return null;
    }
    let found: { panel: NotebookPanel; cell: Cell } | null = null;
    tracker.forEach(panel => {
      const cell = panel.content.widgets.find(w => w.node === node);
      if (cell) {
        found = { panel, cell };
      }
    });
    return found;
  }

  /**
   * Why the command is disabled, or `null` when it is enabled.
   */
  export function disabledReason(
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    args: ReadonlyPartialJSONObject,
    trans: TranslationBundle
  ): string | null {
    const found = cellOf(app, tracker, args);
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
   * The target of a command, with its notebook's conversation.
   *
   * #### Notes
   * The conversation of a notebook opened a moment ago may still be
   * loading; this waits for that load, which the chat's switch to the
   * notebook shares.
   */
  export async function targetOf(
    app: JupyterFrontEnd,
    conversations: IConversationManager,
    tracker: INotebookTracker,
    args: ReadonlyPartialJSONObject
  ): Promise<ICellTarget | null> {
    const found = cellOf(app, tracker, args);
    if (!found?.cell) {
      return null;
    }
    const { model, host } = await conversations.conversationOf(found.panel);
    return host ? { panel: found.panel, cell: found.cell, model, host } : null;
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
