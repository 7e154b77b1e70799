/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { Cell } from '@jupyterlab/cells';
import type { TranslationBundle } from '@jupyterlab/translation';
import { PanelLayout, Widget } from '@lumino/widgets';

import type { ApprovalRegistry } from './approvals';
import type { CellStepStatus } from './metadata';

/**
 * The class of every cell the Code Interpreter wrote.
 */
export const STEP_CELL_CLASS = 'jp-CodeInterpreter-stepCell';

/**
 * The class of a cell waiting for Run / Edit / Skip.
 */
export const PROPOSED_CELL_CLASS = 'jp-CodeInterpreter-proposedCell';

/**
 * The attribute holding a step cell's status, for styling (skipped cells are
 * greyed out).
 */
export const STATUS_ATTRIBUTE = 'data-code-interpreter-status';

/**
 * Show a step's status on its cell node.
 */
export function markCell(cell: Cell, status: CellStepStatus): void {
  cell.addClass(STEP_CELL_CLASS);
  cell.node.setAttribute(STATUS_ATTRIBUTE, status);
  cell.toggleClass(PROPOSED_CELL_CLASS, status === 'proposed');
}

/**
 * The banner above a proposed cell: "Proposed by Code Interpreter" with Run,
 * Edit and Skip.
 *
 * #### Notes
 * The buttons decide through the shared `ApprovalRegistry`, so the chat's
 * step card and the cell agree on who answered first.
 */
export class ProposalBanner extends Widget {
  /**
   * Create a banner for one pending step.
   */
  constructor(options: ProposalBanner.IOptions) {
    super();
    const { approvals, stepId, trans } = options;
    this.addClass('jp-CodeInterpreter-proposalBanner');
    this.node.dataset.stepId = stepId;

    const label = document.createElement('span');
    label.className = 'jp-CodeInterpreter-proposalLabel';
    label.textContent = trans.__('Proposed by Code Interpreter');
    this.node.appendChild(label);
    if (options.reason) {
      const reason = document.createElement('span');
      reason.className = 'jp-CodeInterpreter-proposalReason';
      reason.textContent = options.reason;
      this.node.appendChild(reason);
    }
    const buttons: Array<[string, string, string, () => void]> = [
      [
        'jp-CodeInterpreter-cellRun',
        trans.__('Run'),
        trans.__('Run this cell in the notebook’s kernel'),
        () => approvals.decide(stepId, 'run')
      ],
      [
        'jp-CodeInterpreter-cellEdit',
        trans.__('Edit'),
        trans.__('Edit the code, then press Run'),
        () => approvals.requestEdit(stepId)
      ],
      [
        'jp-CodeInterpreter-cellSkip',
        trans.__('Skip'),
        trans.__('Do not run this cell; tell the model it was skipped'),
        () => approvals.decide(stepId, 'skip')
      ]
    ];
    for (const [className, text, title, onClick] of buttons) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = `jp-Button jp-mod-small ${className}`;
      button.textContent = text;
      button.title = title;
      button.addEventListener('click', event => {
        event.stopPropagation();
        onClick();
      });
      this.node.appendChild(button);
    }
  }

  /**
   * Put the banner above a cell's input.
   */
  attachTo(cell: Cell): void {
    const layout = cell.layout as PanelLayout;
    // After the cell header, before the input area.
    layout.insertWidget(Math.min(1, layout.widgets.length), this);
  }
}

/**
 * The namespace for `ProposalBanner` statics.
 */
export namespace ProposalBanner {
  /**
   * The options of a banner.
   */
  export interface IOptions {
    /** The pending approvals the buttons decide. */
    approvals: ApprovalRegistry;
    /** The step the banner is about. */
    stepId: string;
    /** Why approval is asked (policy findings), shown beside the buttons. */
    reason?: string;
    /** The extension's translations. */
    trans: TranslationBundle;
  }
}
