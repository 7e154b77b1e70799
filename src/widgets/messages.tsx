/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IEditorLanguageRegistry } from '@jupyterlab/codemirror';

import type { IAnswerGrounding } from '../conversation/answersources';
import type { ChatStatus, IChatMessage } from '../tokens';
import {
  GroundingSummary,
  INumberTarget,
  useAnswerGroundings,
  useNumberMarks
} from './grounding';
import { MarkdownBody } from './markdown';
import { StepCard } from './step';
import type { IStepFileActions } from './stepfiles';
import { MessageAttachments } from './attachments';

/**
 * The conversation: its messages and the waiting indicator.
 *
 * #### Notes
 * A live region (`role="log"`), so screen readers announce new messages; it
 * follows the end of the conversation unless the user scrolled up.
 */
export function MessageList(props: MessageList.IProps): JSX.Element {
  const { messages, status, trans } = props;
  // While the kernel runs a step the turn is busy too, though no answer is
  // awaited; a step waiting for approval is the user's move, not ours.
  const stepRunning =
    status === 'running' &&
    messages.some(m => m.role === 'step' && m.step?.status === 'running');
  const list = React.useRef<HTMLDivElement>(null);
  const pinned = React.useRef(true);
  const groundings = useAnswerGroundings(messages, status);
  // A stable callback, so that memoised messages do not re-render.
  const stepActions = React.useRef(props.steps);
  stepActions.current = props.steps;
  const revealNumber = React.useCallback((target: INumberTarget) => {
    if (target.stepId) {
      stepActions.current?.reveal(target.stepId);
    } else if (target.cellId) {
      stepActions.current?.revealCell?.(target.cellId);
    }
  }, []);

  const openFile = React.useCallback((path: string) => {
    stepActions.current?.fileLinks?.actions.open(path);
  }, []);

  const onScroll = React.useCallback(() => {
    const node = list.current;
    if (node) {
      pinned.current =
        node.scrollHeight - node.scrollTop - node.clientHeight < 40;
    }
  }, []);

  React.useLayoutEffect(() => {
    const node = list.current;
    if (node && pinned.current) {
      node.scrollTop = node.scrollHeight;
    }
  });

  return (
    <div
      className="jp-CodeInterpreter-messages"
      ref={list}
      onScroll={onScroll}
      role="log"
      aria-live="polite"
      aria-label={trans.__('Conversation')}
    >
      {Private.withTurns(messages).map(({ message, turnId }, index) =>
        message.role === 'step' && message.step ? (
          <StepItem
            key={message.id}
            message={message}
            stepId={`${turnId}/${message.step.number}`}
            actions={props.steps}
            trans={trans}
          />
        ) : (
          <MessageItem
            key={message.id}
            message={message}
            rendermime={props.rendermime}
            trans={trans}
            grounding={groundings[index]}
            onRevealNumber={revealNumber}
            onOpenFile={openFile}
          />
        )
      )}
      {(status === 'waiting' || stepRunning) && (
        <div
          className="jp-CodeInterpreter-progress"
          role="status"
          aria-label={
            stepRunning
              ? trans.__('Running the step in the kernel')
              : trans.__('Waiting for the answer')
          }
        >
          <span className="jp-CodeInterpreter-progressDot" />
          <span className="jp-CodeInterpreter-progressDot" />
          <span className="jp-CodeInterpreter-progressDot" />
        </div>
      )}
    </div>
  );
}

/**
 * A namespace for `MessageList` statics.
 */
export namespace MessageList {
  /**
   * The properties of a message list.
   */
  export interface IProps {
    messages: ReadonlyArray<IChatMessage>;
    status: ChatStatus;
    rendermime: IRenderMimeRegistry;
    trans: TranslationBundle;
    /** What the step cards' buttons do; without it they show no actions. */
    steps?: IStepActions;
  }

  /**
   * The actions of step cards, by step id (`<turn id>/<step number>`).
   */
  export interface IStepActions {
    isPending(stepId: string): boolean;
    run(stepId: string): void;
    edit(stepId: string): void;
    skip(stepId: string): void;
    reveal(stepId: string): void;
    /** Scroll to a cell (a number an answer quoted from its outputs). */
    revealCell?(cellId: string): void;
    languages?: IEditorLanguageRegistry | null;
    /** What the links of the files a step made do, and where they are. */
    fileLinks?: { folder: string; actions: IStepFileActions } | null;
  }
}

/**
 * One step: its card, with Run / Edit / Skip while it waits for approval.
 */
function StepItem(props: {
  message: IChatMessage;
  stepId: string;
  actions?: MessageList.IStepActions;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { message, stepId, actions, trans } = props;
  const step = message.step;
  if (!step) {
    return null;
  }
  return (
    <StepCard
      step={step.number}
      code={step.code}
      status={step.status}
      approvalReason={step.approvalReason}
      summary={step.summary}
      attempts={step.attempts}
      replacedBy={step.replacedBy}
      repeatOf={step.repeatOf}
      unrepaired={step.unrepaired}
      files={step.files}
      fileLinks={actions?.fileLinks ?? null}
      pending={step.status === 'proposed' && !!actions?.isPending(stepId)}
      onRun={() => actions?.run(stepId)}
      onEdit={() => actions?.edit(stepId)}
      onSkip={() => actions?.skip(stepId)}
      onReveal={() => actions?.reveal(stepId)}
      languages={actions?.languages ?? null}
      trans={trans}
    />
  );
}

/**
 * One message: markdown for the model and for commands' messages (a cell
 * command's title and code), plain text for what the user typed and errors.
 */
const MessageItem = React.memo(function MessageItem(props: {
  message: IChatMessage;
  rendermime: IRenderMimeRegistry;
  trans: TranslationBundle;
  grounding?: IAnswerGrounding | null;
  onRevealNumber?: (target: INumberTarget) => void;
  onOpenFile?: (path: string) => void;
}): JSX.Element {
  const { message, trans, grounding } = props;
  const label = Private.roleLabel(message, trans);
  const marks = useNumberMarks(grounding, trans, props.onRevealNumber);
  const body =
    message.role === 'assistant' || message.format === 'markdown' ? (
      <MarkdownBody
        text={message.content}
        streaming={message.status === 'streaming'}
        rendermime={props.rendermime}
        onFinalRender={marks.onFinalRender}
      />
    ) : (
      <div
        className="jp-CodeInterpreter-messageBody"
        role={message.role === 'error' ? 'alert' : undefined}
      >
        {message.content}
      </div>
    );
  return (
    <div
      className={`jp-CodeInterpreter-message jp-mod-${message.role}`}
      data-role={message.role}
      data-status={message.status}
      data-format={message.format}
      data-draft={message.draft}
      aria-label={label}
    >
      <div className="jp-CodeInterpreter-messageHeader">
        <span className="jp-CodeInterpreter-messageAuthor">{label}</span>
        {message.status === 'stopped' && (
          <span className="jp-CodeInterpreter-badge">
            {trans.__('stopped')}
          </span>
        )}
        {message.draft && (
          <span className="jp-CodeInterpreter-badge">{trans.__('draft')}</span>
        )}
        {message.status === 'error' && (
          <span className="jp-CodeInterpreter-badge">
            {trans.__('incomplete')}
          </span>
        )}
      </div>
      {message.draft ? (
        // Not the answer: folded, the note saying why always in sight.
        <details className="jp-CodeInterpreter-draft">
          <summary className="jp-CodeInterpreter-draftNote">
            {message.draft === 'unread'
              ? trans.__(
                  'Draft set aside: the model answered without reading the data; asked it to run code first'
                )
              : message.draft === 'ungrounded'
                ? trans.__(
                    'Draft set aside: its numbers are in no output of this answer; asked the model to answer from the outputs'
                  )
                : message.draft === 'echoed'
                  ? trans.__(
                      'Draft set aside: the model copied the report of an output instead of answering; asked it to answer the request'
                    )
                  : trans.__(
                      'Draft set aside: asked the model to compute the numbers it stated without running code'
                    )}
          </summary>
          {body}
        </details>
      ) : (
        body
      )}
      <MessageAttachments
        attachments={message.attachments}
        onOpen={props.onOpenFile}
        trans={trans}
      />
      {grounding && marks.report && (
        <GroundingSummary
          report={marks.report}
          grounding={grounding}
          trans={trans}
        />
      )}
      {message.note && (
        <div className="jp-CodeInterpreter-note">{message.note}</div>
      )}
    </div>
  );
});

/**
 * Private helpers.
 */
namespace Private {
  /**
   * Each message with the id of its turn: the user message that began it.
   */
  export function withTurns(
    messages: ReadonlyArray<IChatMessage>
  ): { message: IChatMessage; turnId: string }[] {
    let turnId = '';
    return messages.map(message => {
      if (message.role === 'user') {
        turnId = message.id;
      }
      return { message, turnId };
    });
  }

  /**
   * The visible author of a message.
   */
  export function roleLabel(
    message: IChatMessage,
    trans: TranslationBundle
  ): string {
    switch (message.role) {
      case 'user':
        return trans.__('You');
      case 'assistant':
        return trans.__('Code Interpreter');
      default:
        return trans.__('Error');
    }
  }
}
