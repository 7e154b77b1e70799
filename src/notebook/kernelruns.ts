/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { ISessionContext } from '@jupyterlab/apputils';
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import type { IDisposable } from '@lumino/disposable';

/**
 * Counts what may change a notebook kernel's state: each code run that was
 * not silent (its `execute_input`, broadcast to every client of the kernel:
 * a step, the user's own cell, a console on the same kernel), each restart
 * and each change of kernel.
 *
 * #### Notes
 * Silent requests (the helpers' checks and listings) publish no
 * `execute_input`, so they do not count. The repeat check of the agent
 * (agent/repeats.ts) runs unchanged failed code again when the count moved
 * since it failed: something else ran, the code may pass now.
 */
export class KernelRuns implements IDisposable {
  /**
   * Start counting the runs of a session's kernels.
   */
  constructor(session: ISessionContext) {
    this._session = session;
    session.iopubMessage.connect(this._onIOPub, this);
    session.statusChanged.connect(this._onStatus, this);
    session.kernelChanged.connect(this._onChanged, this);
  }

  /**
   * The number of runs, restarts and kernel changes seen so far.
   */
  get count(): number {
    return this._count;
  }

  /**
   * Whether it stopped counting.
   */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Stop counting.
   */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._session.iopubMessage.disconnect(this._onIOPub, this);
    this._session.statusChanged.disconnect(this._onStatus, this);
    this._session.kernelChanged.disconnect(this._onChanged, this);
  }

  private _onIOPub(_: ISessionContext, message: KernelMessage.IMessage): void {
    if (message.header.msg_type === 'execute_input') {
      this._count++;
    }
  }

  private _onStatus(_: ISessionContext, status: Kernel.Status): void {
    if (
      status === 'restarting' ||
      status === 'autorestarting' ||
      status === 'dead'
    ) {
      this._count++;
    }
  }

  private _onChanged(): void {
    this._count++;
  }

  private _session: ISessionContext;
  private _count = 0;
  private _isDisposed = false;
}
