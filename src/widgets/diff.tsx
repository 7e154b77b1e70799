/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { Extension } from '@codemirror/state';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { ILineStats, lineStats } from './diffstats';
import { createDiffView, IDiffView } from './mergeview';

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
  oldCode: string;
  newCode: string;
  /** Lines added and removed, for the header. */
  stats: ILineStats;
  /** The cell's language, for syntax highlighting. */
  language?: Extension | null;
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
  const { stats, phase, trans } = props;
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
          <span className="jp-mod-added">+{stats.added}</span>{' '}
          <span className="jp-mod-removed">−{stats.removed}</span>
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
      <DiffBody
        oldCode={props.oldCode}
        newCode={props.newCode}
        layout={props.layout}
        language={props.language}
        trans={trans}
      />
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
 * The CodeMirror merge view, made when the code or the layout changes.
 */
function DiffBody(props: {
  oldCode: string;
  newCode: string;
  layout: IDiffView.Layout;
  language?: Extension | null;
  trans: TranslationBundle;
}): JSX.Element {
  const host = React.useRef<HTMLDivElement>(null);
  const { oldCode, newCode, layout, language, trans } = props;
  React.useEffect(() => {
    if (!host.current) {
      return;
    }
    const view = createDiffView({
      parent: host.current,
      oldCode,
      newCode,
      layout,
      language,
      labels: {
        inline: trans.__(
          'Proposed fix: the new code, with removed lines shown'
        ),
        old: trans.__('The cell as it is'),
        new: trans.__('The cell with the fix')
      }
    });
    return () => view.destroy();
  }, [oldCode, newCode, layout, language, trans]);
  return <div className="jp-CodeInterpreter-diffBody" ref={host} />;
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
    this._stats = lineStats(options.oldCode, options.newCode);
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
        oldCode={o.oldCode}
        newCode={o.newCode}
        stats={this._stats}
        language={o.language}
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

  private _stats: ILineStats;
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
  export type Layout = IDiffView.Layout;

  /**
   * The options of the diff view.
   */
  export interface IOptions {
    oldCode: string;
    newCode: string;
    /** The cell's language, for syntax highlighting (none when null). */
    language?: Extension | null;
    onApply(): void;
    onReject(): void;
    onRun(): void;
    onSkip(): void;
    trans: TranslationBundle;
  }
}
