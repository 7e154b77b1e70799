/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IFailedAttempt, IStepFile, StepStatus } from '../agent/tokens';
import { IStepFileActions, StepFiles } from './stepfiles';

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
  /** The failed attempts whose cell this step took, oldest first. */
  attempts?: ReadonlyArray<IFailedAttempt>;
  /** The later step that took this failed step's cell. */
  replacedBy?: number;
  /** The failed step whose code this one repeated; it was not run. */
  repeatOf?: number;
  /** The step failed and the turn ended without repairing it. */
  unrepaired?: boolean;
  /** The entries of the notebook's folder the step made or rewrote. */
  files?: ReadonlyArray<IStepFile>;
  /**
   * Where those files are (the notebook's folder) and what their links do;
   * without them the files are not listed.
   */
  fileLinks?: { folder: string; actions: IStepFileActions } | null;
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
          {props.repeatOf !== undefined
            ? trans.__('not run')
            : statusLabel(status, trans)}
        </span>
        {props.repeatOf !== undefined ? (
          <span
            className="jp-CodeInterpreter-stepRepeat"
            title={trans.__(
              'The model sent the code of step %1 again unchanged, and nothing ran since, so it would fail the same way. It was not run and the model was asked to change it.',
              props.repeatOf
            )}
          >
            {trans.__('same code as failed step %1', props.repeatOf)}
          </span>
        ) : null}
        {props.unrepaired ? (
          <span
            className="jp-CodeInterpreter-stepUnrepaired"
            title={trans.__(
              'This step raised an error and no later step repaired it. Its cell is tagged “raises-exception”, so Run All shows the error and goes on with the cells after it.'
            )}
          >
            <span aria-hidden="true">⚠ </span>
            {trans.__('not repaired')}
          </span>
        ) : null}
        {props.replacedBy !== undefined ? (
          <span
            className="jp-CodeInterpreter-stepReplacedBy"
            title={trans.__(
              'Step %1 took this step’s place in its cell; the failed code is kept in the cell’s metadata',
              props.replacedBy
            )}
          >
            {trans.__('replaced by step %1', props.replacedBy)}
          </span>
        ) : null}
        <button
          type="button"
          className="jp-CodeInterpreter-stepReveal"
          title={trans.__('Show this step’s cell in the notebook')}
          onClick={props.onReveal}
        >
          {trans.__('Show cell')}
        </button>
      </div>
      {props.attempts?.map(attempt => (
        <AttemptItem
          key={attempt.step}
          attempt={attempt}
          languages={props.languages ?? null}
          trans={trans}
        />
      ))}
      <HighlightedCode code={code} languages={props.languages ?? null} />
      {pending && props.approvalReason ? (
        <div className="jp-CodeInterpreter-stepReason">
          {props.approvalReason}
        </div>
      ) : null}
      {props.summary ? (
        <div className="jp-CodeInterpreter-stepSummary">{props.summary}</div>
      ) : null}
      {props.files?.length && props.fileLinks ? (
        <StepFiles
          files={props.files}
          folder={props.fileLinks.folder}
          actions={props.fileLinks.actions}
          trans={trans}
        />
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
 * A failed attempt the step replaced: its error, and its code on demand.
 */
function AttemptItem(props: {
  attempt: IFailedAttempt;
  languages: IEditorLanguageRegistry | null;
  trans: TranslationBundle;
}): JSX.Element {
  const { attempt, trans } = props;
  // The exception's name and message are Python's, shown as they are.
  const error = attempt.ename
    ? attempt.evalue
      ? `${attempt.ename}: ${attempt.evalue}`
      : attempt.ename
    : attempt.outcome === 'timeout'
      ? trans.__('timed out')
      : trans.__('the kernel died (perhaps at its memory or time limit)');
  return (
    <details
      className="jp-CodeInterpreter-stepAttempt"
      data-attempt-step={attempt.step}
    >
      <summary>{trans.__('Replaced a failed attempt: %1', error)}</summary>
      <HighlightedCode code={attempt.source} languages={props.languages} />
    </details>
  );
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
