/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { AgentEvent, ITurnResult } from '../agent/loop';
import type {
  ChatStatus,
  IChatMessage,
  IChatStep,
  ITokenUsage,
  TranslateFn
} from '../tokens';
import { truncationNote } from '../llm/stream';

/**
 * What a turn view changes in the chat model.
 */
export interface ITurnSink {
  /** Add a message; returns its id. */
  _append(message: Omit<IChatMessage, 'id'>): string;
  /** Change a message. */
  _patch(id: string, patch: Partial<IChatMessage>): void;
  /** A message by id. */
  _message(id: string): IChatMessage | undefined;
  /** Show a warning or add token usage. */
  _event(event: 'warning' | 'usage', value: string | ITokenUsage): void;
  /** Say whether the model or the kernel is working. */
  _setStatus(status: ChatStatus): void;
}

/**
 * Step statuses of a step still under way.
 */
const OPEN_STEP_STATUSES = new Set(['checking', 'proposed', 'running']);

/**
 * Folds the events of one turn into the model's messages.
 */
export class TurnView {
  constructor(
    private _model: ITurnSink,
    private _userId: string,
    private _trans: TranslateFn
  ) {}

  /**
   * The assistant message text streams into, if any.
   */
  currentAssistant: string | null = null;

  /**
   * Apply one agent event.
   */
  handle(event: AgentEvent): void {
    const model = this._model;
    switch (event.type) {
      case 'text': {
        if (!this.currentAssistant || this._segment !== event.segment) {
          this._closeAssistant();
          this._segment = event.segment;
          this.currentAssistant = model._append({
            role: 'assistant',
            content: event.delta,
            status: 'streaming'
          });
        } else {
          const message = model._message(this.currentAssistant);
          model._patch(this.currentAssistant, {
            content: (message?.content ?? '') + event.delta
          });
        }
        model._setStatus('streaming');
        break;
      }
      case 'step-created': {
        this._closeAssistant();
        const step: IChatStep = {
          number: event.step,
          toolCallId: event.toolCallId,
          code: event.code,
          status: event.status
        };
        this._steps.set(
          event.step,
          model._append({ role: 'step', content: '', step })
        );
        model._setStatus('running');
        break;
      }
      case 'step-status':
        this._patchStep(event.step, {
          status: event.status,
          ...(event.approvalReason
            ? { approvalReason: event.approvalReason }
            : {})
        });
        break;
      case 'step-finished':
        this._patchStep(event.step, {
          status: event.status,
          code: event.code,
          edited: event.edited,
          summary: event.summary,
          ...(event.cellId ? { cellId: event.cellId } : {})
        });
        model._setStatus('waiting');
        break;
      case 'usage':
        model._event('usage', event.usage);
        break;
      case 'warning':
        model._event('warning', event.message);
        break;
    }
  }

  /**
   * End the turn: mark the answer, keep the wire transcript.
   *
   * @param result - the loop's result; `null` when stopped by an abort.
   */
  finish(result: ITurnResult | null): void {
    const model = this._model;
    const status = result?.status ?? 'stopped';
    this.stopSteps();
    if (status === 'stopped') {
      if (this.currentAssistant) {
        model._patch(this.currentAssistant, { status: 'stopped' });
      } else {
        model._append({ role: 'assistant', content: '', status: 'stopped' });
      }
    } else if (result?.reason && status === 'gave_up') {
      const answered = this.currentAssistant;
      if (answered) {
        model._patch(answered, { status: 'done', note: result.reason });
      } else {
        model._append({
          role: 'assistant',
          content: result.reason,
          status: 'done'
        });
      }
    } else {
      const note =
        truncationNote(result?.finishReason ?? null, this._trans) ?? undefined;
      if (this.currentAssistant) {
        model._patch(this.currentAssistant, { status: 'done', note });
      } else {
        model._append({
          role: 'assistant',
          content: '',
          status: 'done',
          note
        });
      }
    }
    if (result) {
      model._patch(this._userId, { wire: result.messages });
    }
  }

  /**
   * Mark steps still under way as stopped.
   */
  stopSteps(): void {
    for (const [number, id] of this._steps) {
      const step = this._model._message(id)?.step;
      if (step && OPEN_STEP_STATUSES.has(step.status)) {
        this._patchStep(number, { status: 'stopped' });
      }
    }
  }

  private _closeAssistant(): void {
    if (this.currentAssistant) {
      this._model._patch(this.currentAssistant, { status: 'done' });
      this.currentAssistant = null;
    }
  }

  private _patchStep(number: number, patch: Partial<IChatStep>): void {
    const id = this._steps.get(number);
    const step = id ? this._model._message(id)?.step : undefined;
    if (id && step) {
      this._model._patch(id, { step: { ...step, ...patch } });
    }
  }

  private _segment = -1;
  private _steps = new Map<number, string>();
}
