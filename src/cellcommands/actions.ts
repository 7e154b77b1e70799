/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { LanguageSupport } from '@codemirror/language';
import { InputDialog } from '@jupyterlab/apputils';
import { Cell, CodeCell } from '@jupyterlab/cells';
import type { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import type * as nbformat from '@jupyterlab/nbformat';
import type { NotebookPanel } from '@jupyterlab/notebook';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { PanelLayout } from '@lumino/widgets';

import { ENGLISH, ILanguage, language } from '../agent/language';
import type { IKernelState } from '../agent/tokens';
import type { IConversationModel, INotebookHost, IQuotedCell } from '../tokens';
import { FixDiffWidget, FixPhase } from '../widgets/diff';
import { errorOf, gatherCellContext, ICellContext } from './context';
import { parseFixProposal } from './proposal';
import { loadPythonSupport } from './python';
import { runFixedCell } from './fixrun';
import {
  askRequest,
  explainRequest,
  fixRequest,
  ICellRequest
} from './requests';

/**
 * A cell a command acts on, with its notebook and conversation.
 */
export interface ICellTarget {
  panel: NotebookPanel;
  cell: CodeCell;
  /** The chat model of the notebook's conversation. */
  model: IConversationModel;
  /** The notebook's host, which runs a fixed cell as it runs steps. */
  host: INotebookHost;
}

/**
 * The explain, fix and ask flows of the cell commands.
 *
 * #### Notes
 * Requests go through the notebook's `ChatModel` (`ask`, no tools), so they
 * stream into the panel and persist with the conversation. A fix is shown
 * as a diff in the cell; Apply replaces the source in one undoable
 * transaction and reruns the cell as the agent's steps run (`runFixedCell`):
 * code policy, approval mode, gate, time limit and the panel's Stop.
 */
export class CellActions {
  /**
   * Create the flows.
   */
  constructor(options: CellActions.IOptions) {
    this._options = options;
  }

  /**
   * Explain the cell (or its selection) in the chat.
   */
  async explain(target: ICellTarget): Promise<void> {
    const context = await this._context(target);
    const { model } = target;
    const request = explainRequest(
      context,
      this._language(),
      model.agentSettings.prompts,
      this._transFn
    );
    await model.ask(request.prompt, {
      display: request.display,
      modelAlias: this._options.taskModel('explain'),
      warning: request.warning,
      quotedCell: CellActions.quotedCell(target, request)
    });
  }

  /**
   * Ask a question about the cell: the question and the cell go to the chat.
   */
  async ask(target: ICellTarget): Promise<void> {
    const trans = this._options.trans;
    const question = await InputDialog.getText({
      title: trans.__('Ask about this cell'),
      label: trans.__('Your question about the cell:'),
      okLabel: trans.__('Ask')
    });
    if (!question.button.accept || !question.value?.trim()) {
      return;
    }
    const context = await this._context(target);
    const request = askRequest(context, question.value);
    await target.model.ask(request.prompt, {
      display: request.display,
      modelAlias: this._options.taskModel('chat'),
      quotedCell: CellActions.quotedCell(target, request)
    });
  }

  /**
   * Propose a fix of the cell (or its selection) as a diff in the cell.
   *
   * #### Notes
   * Uses the cell's error; on a cell without one, asks the user what is
   * wrong. A rerun that fails asks again, while the repair budget lasts.
   *
   * @param attempt - 1, then one more per failed rerun.
   */
  async fix(target: ICellTarget, attempt = 1, problem?: string): Promise<void> {
    const { cell, model } = target;
    const trans = this._options.trans;
    const selection = attempt === 1 ? CellActions.selectionOf(cell) : null;
    const context = await this._context(target, selection);
    let described = problem ?? context.error;
    if (!described) {
      const answer = await InputDialog.getText({
        title: trans.__('Fix this cell'),
        label: trans.__('The cell has no error. What is wrong with it?'),
        okLabel: trans.__('Fix')
      });
      if (!answer.button.accept || !answer.value?.trim()) {
        return;
      }
      described = answer.value.trim();
    }
    const request = fixRequest(
      context,
      described,
      this._language(),
      model.agentSettings.prompts,
      this._transFn,
      attempt
    );
    const answer = await model.ask(request.prompt, {
      display: request.display,
      modelAlias: this._options.taskModel('fix'),
      warning: request.warning
    });
    if (answer === null || cell.isDisposed) {
      return;
    }
    const proposal = parseFixProposal(answer);
    if (!proposal) {
      model.say(
        trans.__(
          'The answer holds no Python code block, so there is no fix to apply.'
        )
      );
      return;
    }
    if (proposal.code.trim() === context.code.trim()) {
      model.say(
        trans.__('The proposed code is the same as the cell; nothing to apply.')
      );
      return;
    }
    const phase = await this._review(
      target,
      context.code,
      proposal.code,
      selection,
      await this._python()
    );
    if (phase === 'failed') {
      const error = errorOf(cell.model.outputs.toJSON() as nbformat.IOutput[]);
      // Each attempt is one repair; the budget counts repairs, as in a turn.
      if (attempt >= model.agentSettings.repairBudget) {
        model.say(
          trans.__(
            'I gave up after %1 attempts: the cell still fails with %2. Undo in the cell (Ctrl+Z, once per attempt) brings back its earlier code.',
            attempt,
            (error ?? '').split('\n')[0]
          )
        );
        return;
      }
      await this.fix(target, attempt + 1, error ?? undefined);
    }
  }

  /**
   * Show the diff in the cell and carry out the user's choice.
   *
   * @returns how it ended: `succeeded`, `failed`, `rejected` or `skipped`.
   */
  private _review(
    target: ICellTarget,
    oldCode: string,
    newCode: string,
    selection: CellActions.ISelection | null,
    language: LanguageSupport | null
  ): Promise<FixPhase> {
    const { cell, model } = target;
    const trans = this._options.trans;
    Private.diffs.get(cell)?.dispose();
    return new Promise<FixPhase>(resolve => {
      const end = (phase: FixPhase, message: string): void => {
        widget.dispose();
        Private.diffs.delete(cell);
        if (message) {
          model.say(message);
        }
        resolve(phase);
      };
      // Run / Skip of the approval phase answer the pending approval.
      let decide: ((run: boolean) => void) | null = null;
      const approve = (reason?: string): Promise<boolean> =>
        new Promise<boolean>(resolve => {
          decide = resolve;
          // A diff closed meanwhile (another fix of the cell) runs nothing.
          widget.disposed.connect(() => resolve(false));
          widget.setPhase(
            'approve',
            reason
              ? trans.__('Run the fixed cell? %1', reason)
              : trans.__('Run the fixed cell?')
          );
        });
      const widget = new FixDiffWidget({
        oldCode,
        newCode,
        language,
        trans,
        onReject: () =>
          end('rejected', trans.__('Fix rejected; the cell is unchanged.')),
        onSkip: () => decide?.(false),
        onRun: () => decide?.(true),
        onApply: () => {
          CellActions.replaceSource(cell, newCode, selection);
          void runFixedCell(target, {
            trans,
            approve,
            running: () =>
              widget.setPhase('running', trans.__('Running the fixed cell…'))
          }).then(({ phase, message }) => end(phase, message));
        }
      });
      Private.diffs.set(cell, widget);
      const layout = cell.layout as PanelLayout;
      const input = cell.inputArea?.parent;
      const index = input ? layout.widgets.indexOf(input) : -1;
      layout.insertWidget(
        index >= 0 ? index + 1 : layout.widgets.length,
        widget
      );
      widget.node.scrollIntoView({ block: 'nearest' });
    });
  }

  /**
   * The cell's context: code or selection, outputs, definitions, variables.
   */
  private async _context(
    target: ICellTarget,
    selection: CellActions.ISelection | null = CellActions.selectionOf(
      target.cell
    )
  ): Promise<ICellContext> {
    const { cell, panel, model, host } = target;
    const cells = panel.content.widgets;
    const index = cells.indexOf(cell);
    const earlier = cells
      .slice(0, Math.max(0, index))
      .filter(w => w.model.type === 'code')
      .map(w => w.model.sharedModel.getSource());
    const python = await this._python();
    return gatherCellContext({
      python: python?.language.parser ?? null,
      source: cell.model.sharedModel.getSource(),
      selection: selection?.text,
      outputs: cell.model.outputs.toJSON() as nbformat.IOutput[],
      earlier,
      state: await Private.kernelState(host),
      outputTokenBudget: model.agentSettings.outputTokenBudget
    });
  }

  /**
   * The user's language: JupyterLab's, else English.
   */
  private _language(): ILanguage {
    const code = this._options.languageCode().toLowerCase();
    if (!code || code.startsWith('en')) {
      return ENGLISH;
    }
    if (code.startsWith('zh')) {
      return language(/tw|hk|hant/.test(code) ? 'zh-Hant' : 'zh-Hans');
    }
    return language(code.split(/[-_]/)[0]);
  }

  /**
   * JupyterLab's Python support, loaded on first use.
   */
  private _python(): Promise<LanguageSupport | null> {
    this._pythonSupport ??= loadPythonSupport(this._options.languages ?? null);
    return this._pythonSupport;
  }

  private _transFn = (msgid: string, ...args: unknown[]): string =>
    this._options.trans.__(msgid, ...(args as string[]));
  private _options: CellActions.IOptions;
  private _pythonSupport: Promise<LanguageSupport | null> | null = null;
}

/**
 * A namespace for `CellActions` statics.
 */
export namespace CellActions {
  /**
   * The options of the flows.
   */
  export interface IOptions {
    trans: TranslationBundle;
    /** JupyterLab's language code, e.g. `zh-CN`. */
    languageCode(): string;
    /** The model alias of a task (the `taskModels` setting), if any. */
    taskModel(task: 'chat' | 'explain' | 'fix'): string | undefined;
    /**
     * The editor's languages, where the Python parser (context) and
     * highlighting (the diff) come from.
     */
    languages?: IEditorLanguageRegistry | null;
  }

  /**
   * The cell a request quotes the outputs of, or `undefined` when it quotes
   * none (the answer's numbers are checked against them).
   */
  export function quotedCell(
    target: ICellTarget,
    request: ICellRequest
  ): IQuotedCell | undefined {
    return request.quoted
      ? { cellId: target.cell.model.id, outputs: request.quoted }
      : undefined;
  }

  /**
   * A selection in a cell's source: its offsets and text.
   */
  export interface ISelection {
    start: number;
    end: number;
    text: string;
  }

  /**
   * The non-empty selection in the cell's editor, or `null`.
   */
  export function selectionOf(cell: Cell): ISelection | null {
    const editor = cell.editor;
    if (!editor) {
      return null;
    }
    const range = editor.getSelection();
    const a = editor.getOffsetAt(range.start);
    const b = editor.getOffsetAt(range.end);
    const [start, end] = a <= b ? [a, b] : [b, a];
    const text = cell.model.sharedModel.getSource().slice(start, end);
    return text.trim() ? { start, end, text } : null;
  }

  /**
   * Replace the cell's source (or the selection) in one undoable step.
   *
   * #### Notes
   * The undo manager's capture is closed before and after, so the change is
   * not merged with the user's last typing: one undo restores the old code.
   */
  export function replaceSource(
    cell: Cell,
    code: string,
    selection: ISelection | null
  ): void {
    const shared = cell.model.sharedModel;
    const undo = (shared as { undoManager?: { stopCapturing(): void } | null })
      .undoManager;
    const length = shared.getSource().length;
    const start = selection?.start ?? 0;
    const end = selection?.end ?? length;
    undo?.stopCapturing();
    shared.transact(() => {
      shared.updateSource(start, end, code);
    });
    undo?.stopCapturing();
  }
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * The diff shown in each cell, at most one.
   */
  export const diffs = new WeakMap<Cell, FixDiffWidget>();

  /**
   * The kernel's state, or `null` when it cannot be read within 5 s.
   */
  export async function kernelState(
    host: INotebookHost
  ): Promise<IKernelState | null> {
    const timeout = new Promise<null>(resolve =>
      setTimeout(() => resolve(null), 5000)
    );
    return Promise.race([host.kernelState().catch(() => null), timeout]);
  }
}
