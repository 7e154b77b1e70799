/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { StepStatus } from '../agent/tokens';

/**
 * The props of a step card.
 */
export interface IStepCardProps {
  /** 1-based step number within the turn. */
  step: number;
  /** The code proposed (or, once run, the code that ran). */
  code: string;
  /** Where the step is. */
  status: StepStatus;
  /** Why approval is asked (policy findings). */
  approvalReason?: string;
  /** A short account of the outputs, once run. */
  summary?: string;
  /** Whether the step waits for Run / Edit / Skip. */
  pending: boolean;
  onRun(): void;
  onEdit(): void;
  onSkip(): void;
  /** Scroll the notebook to the step's cell. */
  onReveal(): void;
  /** The extension's translations. */
  trans: TranslationBundle;
  /**
   * CodeMirror's languages, to highlight the code as the notebook does;
   * without it the code shows as plain text.
   */
  languages?: IEditorLanguageRegistry | null;
}

/**
 * One `run_python` step in the chat: its code, status and, while it waits,
 * Run / Edit / Skip.
 *
 * #### Notes
 * Presentational only: the buttons call back, the `ApprovalRegistry` decides.
 */
export function StepCard(props: IStepCardProps): JSX.Element {
  const { step, code, status, pending, trans } = props;
  return (
    <div
      className="jp-CodeInterpreter-step"
      data-step={step}
      data-status={status}
    >
      <div className="jp-CodeInterpreter-stepHeader">
        <span className="jp-CodeInterpreter-stepTitle">
          {trans.__('Step %1', step)}
        </span>
        <span className="jp-CodeInterpreter-stepStatus" data-status={status}>
          {statusLabel(status, trans)}
        </span>
        <button
          type="button"
          className="jp-CodeInterpreter-stepReveal"
          title={trans.__('Show this step’s cell in the notebook')}
          onClick={props.onReveal}
        >
          {trans.__('Show cell')}
        </button>
      </div>
      <HighlightedCode code={code} languages={props.languages ?? null} />
      {pending && props.approvalReason ? (
        <div className="jp-CodeInterpreter-stepReason">
          {props.approvalReason}
        </div>
      ) : null}
      {props.summary ? (
        <div className="jp-CodeInterpreter-stepSummary">{props.summary}</div>
      ) : null}
      {pending ? (
        <div className="jp-CodeInterpreter-stepActions">
          <button
            type="button"
            className="jp-Button jp-mod-styled jp-mod-accept jp-CodeInterpreter-stepRun"
            title={trans.__('Run this code in the notebook’s kernel')}
            onClick={props.onRun}
          >
            {trans.__('Run')}
          </button>
          <button
            type="button"
            className="jp-Button jp-mod-styled jp-CodeInterpreter-stepEdit"
            title={trans.__('Edit the code in its cell, then press Run')}
            onClick={props.onEdit}
          >
            {trans.__('Edit')}
          </button>
          <button
            type="button"
            className="jp-Button jp-mod-styled jp-mod-reject jp-CodeInterpreter-stepSkip"
            title={trans.__(
              'Do not run this code; tell the model it was skipped'
            )}
            onClick={props.onSkip}
          >
            {trans.__('Skip')}
          </button>
        </div>
      ) : null}
    </div>
  );
}

/**
 * The label of a step status.
 */
export function statusLabel(
  status: StepStatus,
  trans: TranslationBundle
): string {
  switch (status) {
    case 'checking':
      return trans.__('checking');
    case 'proposed':
      return trans.__('waiting for approval');
    case 'running':
      return trans.__('running');
    case 'done':
      return trans.__('done');
    case 'failed':
      return trans.__('failed');
    case 'skipped':
      return trans.__('skipped');
    case 'blocked':
      return trans.__('blocked');
    case 'stopped':
      return trans.__('stopped');
  }
}

/**
 * Python code, highlighted by CodeMirror's parser when languages are given.
 */
function HighlightedCode(props: {
  code: string;
  languages: IEditorLanguageRegistry | null;
}): JSX.Element {
  const { code, languages } = props;
  const ref = React.useRef<HTMLElement>(null);
  React.useEffect(() => {
    const target = ref.current;
    if (!target || !languages) {
      return;
    }
    let cancelled = false;
    void (async () => {
      const language = await languages.getLanguage('python');
      const rendered = document.createElement('code');
      await languages.highlight(code, language, rendered);
      if (!cancelled) {
        target.replaceChildren(...Array.from(rendered.childNodes));
      }
    })().catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [code, languages]);
  return (
    <pre className="jp-CodeInterpreter-stepCode cm-s-jupyter">
      <code ref={ref}>{code}</code>
    </pre>
  );
}
