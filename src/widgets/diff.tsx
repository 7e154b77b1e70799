/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IDiffLine, ILineDiff, lineDiff } from '../cellcommands/linediff';

/**
 * Where a proposed fix is: shown, waiting for Run/Skip after Apply, running,
 * or over.
 */
export type FixPhase =
  | 'proposed'
  | 'approve'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'rejected'
  | 'skipped';

/**
 * The props of the diff view.
 */
export interface IFixDiffProps {
  diff: ILineDiff;
  phase: FixPhase;
  /** A sentence about the phase (why approval is asked, how the run went). */
  message: string;
  /** `inline` or `side-by-side`. */
  layout: FixDiffWidget.Layout;
  onLayout(layout: FixDiffWidget.Layout): void;
  onApply(): void;
  onReject(): void;
  onRun(): void;
  onSkip(): void;
  trans: TranslationBundle;
}

/**
 * A proposed fix as a diff of the cell's source, with Apply and Reject.
 *
 * #### Notes
 * Presentational only: the cell command decides what the buttons do.
 */
export function FixDiff(props: IFixDiffProps): JSX.Element {
  const { diff, phase, trans } = props;
  return (
    <div
      className="jp-CodeInterpreter-diff"
      data-phase={phase}
      data-layout={props.layout}
    >
      <div className="jp-CodeInterpreter-diffHeader">
        <span className="jp-CodeInterpreter-diffTitle">
          {trans.__('Proposed fix')}
        </span>
        <span className="jp-CodeInterpreter-diffStats">
          <span className="jp-mod-added">+{diff.added}</span>{' '}
          <span className="jp-mod-removed">−{diff.removed}</span>
        </span>
        <button
          className="jp-CodeInterpreter-diffLayout jp-mod-styled jp-mod-minimal"
          title={trans.__('Switch between inline and side-by-side')}
          onClick={() =>
            props.onLayout(
              props.layout === 'inline' ? 'side-by-side' : 'inline'
            )
          }
        >
          {props.layout === 'inline'
            ? trans.__('Side by side')
            : trans.__('Inline')}
        </button>
      </div>
      {props.layout === 'inline' ? (
        <InlineDiff diff={diff} />
      ) : (
        <SideBySideDiff diff={diff} />
      )}
      <div className="jp-CodeInterpreter-diffFooter">
        {props.message && (
          <span className="jp-CodeInterpreter-diffMessage">
            {props.message}
          </span>
        )}
        {phase === 'proposed' && (
          <>
            <button
              className="jp-CodeInterpreter-diffReject jp-mod-styled jp-mod-reject"
              onClick={props.onReject}
            >
              {trans.__('Reject')}
            </button>
            <button
              className="jp-CodeInterpreter-diffApply jp-mod-styled jp-mod-accept"
              title={trans.__(
                'Replace the cell with the fix and run it (one undo restores it)'
              )}
              onClick={props.onApply}
            >
              {trans.__('Apply')}
            </button>
          </>
        )}
        {phase === 'approve' && (
          <>
            <button
              className="jp-CodeInterpreter-diffSkip jp-mod-styled jp-mod-reject"
              onClick={props.onSkip}
            >
              {trans.__('Skip')}
            </button>
            <button
              className="jp-CodeInterpreter-diffRun jp-mod-styled jp-mod-accept"
              onClick={props.onRun}
            >
              {trans.__('Run')}
            </button>
          </>
        )}
      </div>
    </div>
  );
}

/**
 * The diff in one column: removed lines, then added ones, in place.
 */
function InlineDiff(props: { diff: ILineDiff }): JSX.Element {
  return (
    <div className="jp-CodeInterpreter-diffBody jp-CodeInterpreter-diffInline">
      {props.diff.lines.map((line, index) => (
        <DiffLine
          key={index}
          line={line}
          number={line.newNumber ?? line.oldNumber}
        />
      ))}
    </div>
  );
}

/**
 * The old code on the left, the new on the right.
 */
function SideBySideDiff(props: { diff: ILineDiff }): JSX.Element {
  return (
    <div className="jp-CodeInterpreter-diffBody jp-CodeInterpreter-diffSides">
      <div className="jp-CodeInterpreter-diffSide">
        {props.diff.rows.map((row, index) => (
          <DiffLine key={index} line={row.left} number={row.left?.oldNumber} />
        ))}
      </div>
      <div className="jp-CodeInterpreter-diffSide">
        {props.diff.rows.map((row, index) => (
          <DiffLine
            key={index}
            line={row.right}
            number={row.right?.newNumber}
          />
        ))}
      </div>
    </div>
  );
}

/**
 * One line, or an empty filler where the other side has a line.
 */
function DiffLine(props: {
  line: IDiffLine | null;
  number?: number;
}): JSX.Element {
  const { line } = props;
  const kind = line?.kind ?? 'empty';
  return (
    <div className={`jp-CodeInterpreter-diffLine jp-mod-${kind}`}>
      <span className="jp-CodeInterpreter-diffNumber">
        {props.number ?? ''}
      </span>
      <span className="jp-CodeInterpreter-diffMarker">
        {kind === 'added' ? '+' : kind === 'removed' ? '−' : ' '}
      </span>
      <span className="jp-CodeInterpreter-diffText">{line?.text ?? ''}</span>
    </div>
  );
}

/**
 * The diff view as a Lumino widget, placed in the cell under its editor.
 */
export class FixDiffWidget extends ReactWidget {
  /**
   * Create the view of a proposed fix.
   */
  constructor(options: FixDiffWidget.IOptions) {
    super();
    this._options = options;
    this._diff = lineDiff(options.oldCode, options.newCode);
    this.addClass('jp-CodeInterpreter-diffWidget');
  }

  /**
   * Where the fix is.
   */
  get phase(): FixPhase {
    return this._phase;
  }

  /**
   * Move the fix to another phase, with a sentence for the user.
   */
  setPhase(phase: FixPhase, message = ''): void {
    this._phase = phase;
    this._message = message;
    this.update();
  }

  protected render(): JSX.Element {
    const o = this._options;
    return (
      <FixDiff
        diff={this._diff}
        phase={this._phase}
        message={this._message}
        layout={this._diffLayout}
        onLayout={layout => {
          this._diffLayout = layout;
          this.update();
        }}
        onApply={o.onApply}
        onReject={o.onReject}
        onRun={o.onRun}
        onSkip={o.onSkip}
        trans={o.trans}
      />
    );
  }

  private _diff: ILineDiff;
  private _diffLayout: FixDiffWidget.Layout = 'inline';
  private _message = '';
  private _options: FixDiffWidget.IOptions;
  private _phase: FixPhase = 'proposed';
}

/**
 * A namespace for `FixDiffWidget` statics.
 */
export namespace FixDiffWidget {
  /**
   * How the diff is laid out.
   */
  export type Layout = 'inline' | 'side-by-side';

  /**
   * The options of the diff view.
   */
  export interface IOptions {
    oldCode: string;
    newCode: string;
    onApply(): void;
    onReject(): void;
    onRun(): void;
    onSkip(): void;
    trans: TranslationBundle;
  }
}
