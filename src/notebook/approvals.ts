/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

/**
 * What the user decided about a proposed step.
 */
export type ApprovalDecision = 'run' | 'skip';

/**
 * How a pending approval ended: a decision, or `cancelled` when the step was
 * stopped, the cell deleted or the registry disposed.
 */
export type ApprovalOutcome = ApprovalDecision | 'cancelled';

/**
 * A change in the registry, for views that show buttons while pending.
 */
export interface IApprovalChange {
  /**
   * The step the change is about.
   */
  stepId: string;

  /**
   * `pending` when a step starts waiting, else how it ended.
   */
  state: 'pending' | ApprovalOutcome;
}

/**
 * The steps waiting for Run / Skip, shared by the chat's step cards and the
 * notebook cells' banners.
 *
 * #### Notes
 * Pure: no DOM, no JupyterLab. The first decision wins; later ones (the other
 * view's button, a double click) are ignored.
 */
export class ApprovalRegistry implements IDisposable {
  /**
   * Emitted when a step starts waiting or stops waiting.
   */
  get changed(): ISignal<this, IApprovalChange> {
    return this._changed;
  }

  /**
   * Emitted when the user asks to edit a pending step; the host focuses the
   * cell's editor. The step stays pending.
   */
  get editRequested(): ISignal<this, string> {
    return this._editRequested;
  }

  /**
   * The ids of the steps waiting for a decision, oldest first.
   */
  get pending(): string[] {
    return Array.from(this._pending.keys());
  }

  /**
   * Whether the registry is disposed.
   */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Whether a step waits for a decision.
   */
  isPending(stepId: string): boolean {
    return this._pending.has(stepId);
  }

  /**
   * Wait for the user's decision about a step.
   *
   * #### Notes
   * Asking again for a step that already waits returns the same promise.
   * A registry that is disposed answers `cancelled` at once.
   */
  request(stepId: string): Promise<ApprovalOutcome> {
    if (this._isDisposed) {
      return Promise.resolve('cancelled');
    }
    const existing = this._pending.get(stepId);
    if (existing) {
      return existing.promise;
    }
    let resolve: (outcome: ApprovalOutcome) => void = () => undefined;
    const promise = new Promise<ApprovalOutcome>(r => (resolve = r));
    this._pending.set(stepId, { promise, resolve });
    this._changed.emit({ stepId, state: 'pending' });
    return promise;
  }

  /**
   * Decide about a pending step.
   *
   * @returns whether the decision was taken (false if the step was not
   * pending, e.g. already decided).
   */
  decide(stepId: string, decision: ApprovalDecision): boolean {
    return this._settle(stepId, decision);
  }

  /**
   * Ask to edit a pending step's code before deciding.
   *
   * @returns whether the step is pending.
   */
  requestEdit(stepId: string): boolean {
    if (!this._pending.has(stepId)) {
      return false;
    }
    this._editRequested.emit(stepId);
    return true;
  }

  /**
   * Stop waiting for a step without a decision (Stop, cell deleted).
   */
  cancel(stepId: string): boolean {
    return this._settle(stepId, 'cancelled');
  }

  /**
   * Cancel every pending step and release the signals.
   */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    for (const stepId of this.pending) {
      this._settle(stepId, 'cancelled');
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private _settle(stepId: string, outcome: ApprovalOutcome): boolean {
    const entry = this._pending.get(stepId);
    if (!entry) {
      return false;
    }
    this._pending.delete(stepId);
    entry.resolve(outcome);
    this._changed.emit({ stepId, state: outcome });
    return true;
  }

  private _pending = new Map<string, Private.IEntry>();
  private _changed = new Signal<this, IApprovalChange>(this);
  private _editRequested = new Signal<this, string>(this);
  private _isDisposed = false;
}

/**
 * The id of a step in the registry and in the chat: unique per turn and step.
 */
export function stepIdOf(request: { turnId: string; step: number }): string {
  return `${request.turnId}/${request.step}`;
}

namespace Private {
  /**
   * One pending step.
   */
  export interface IEntry {
    promise: Promise<ApprovalOutcome>;
    resolve: (outcome: ApprovalOutcome) => void;
  }
}
