/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { ITokenUsage, IWireMessage } from '../llm/wire';
import type { ILanguage } from './language';
import type { NudgeReason } from './nudge';
import type {
  IFailedAttempt,
  IStepFile,
  StepOutcome,
  StepStatus
} from './tokens';

/**
 * Something the loop tells the UI while a turn runs.
 *
 * - `text`: a piece of assistant text; `segment` counts the model's replies
 *   in the turn, so text after a step can start a new message.
 * - `step-created`, `step-status`, `step-finished`: a `run_python` step.
 * - `usage`: the token counts of one request.
 * - `warning`: something the user should fix (e.g. a bad prompt override).
 * - `nudge`: the reply `segment` stated numbers no step computed, or answered
 *   about a data file nothing read (`reason`); it is set aside as a draft
 *   and the model was asked to run code first (once).
 */
export type AgentEvent =
  | { type: 'text'; segment: number; delta: string }
  | {
      type: 'step-created';
      step: number;
      toolCallId: string;
      code: string;
      status: StepStatus;
    }
  | {
      type: 'step-status';
      step: number;
      status: StepStatus;
      approvalReason?: string;
      /** The failed attempts whose cell the step took, once it has. */
      attempts?: IFailedAttempt[];
    }
  | {
      type: 'step-finished';
      step: number;
      status: StepStatus;
      outcome: StepOutcome | 'blocked';
      /** The code that ran (the user's edit, if any). */
      code: string;
      edited: boolean;
      cellId?: string;
      /** The tool result the model got (text part). */
      summary: string;
      /**
       * The failed attempts the step's cell held before it, when the step
       * took a failed step's place (the last one is the step it repaired).
       */
      attempts?: IFailedAttempt[];
      /** The entries of the notebook's folder the step made or rewrote. */
      files?: IStepFile[];
      /**
       * The failed step whose code this one repeated unchanged: it was not
       * run (agent/repeats.ts).
       */
      repeatOf?: number;
    }
  | { type: 'usage'; usage: ITokenUsage }
  | { type: 'warning'; message: string }
  | { type: 'nudge'; segment: number; reason: NudgeReason };

/**
 * How a turn ended.
 */
export interface ITurnResult {
  /**
   * `done`: the model answered; `stopped`: the user pressed Stop;
   * `gave_up`: a limit ended it (`reason` says which, in the user's language).
   */
  status: 'done' | 'stopped' | 'gave_up';

  /**
   * Why the loop gave up, for the assistant message.
   */
  reason?: string;

  /**
   * The turn as wire messages, to append to the history: the user's prompt
   * first, then assistant, tool and image messages. Images are replaced by a
   * short text so that history stays small and serialisable.
   */
  messages: IWireMessage[];

  /**
   * The finish reason of the last reply (`length`, `content_filter`…).
   */
  finishReason: string | null;

  /**
   * The language the turn was answered in.
   */
  language: ILanguage;
}

/**
 * One turn to run.
 */
export interface ITurnRequest {
  conversationId: string;
  turnId: string;
  /** Earlier turns as wire messages, oldest first, without system messages. */
  history: IWireMessage[];
  /** The user's prompt. */
  prompt: string;
  /** The user's language; detected from the prompt when absent. */
  language?: ILanguage;
  /**
   * What the model is told about the files uploaded with the prompt
   * (uploads/summaries.ts); sent as a part of the prompt's message.
   */
  attachments?: string;
}

/**
 * A question for one answer without tools (a plain chat, or a cell command
 * asking on the user's behalf).
 */
export interface IReplyRequest {
  /** Earlier turns as wire messages, oldest first. */
  history: IWireMessage[];
  /** What the model is asked. */
  prompt: string;
  /** The model alias for this request; the agent's alias when absent. */
  model?: string;
}

/**
 * How an answer without tools ended.
 */
export interface IReplyResult {
  /** `done`: the model answered; `stopped`: the user pressed Stop. */
  status: 'done' | 'stopped';

  /** The answer's text, partial when stopped. */
  content: string;

  /** The finish reason of the reply (`length`, `content_filter`…). */
  finishReason: string | null;

  /** The exchange as sent and answered: the prompt, then the answer. */
  messages: IWireMessage[];
}
