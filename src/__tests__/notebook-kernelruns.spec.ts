/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { ISessionContext } from '@jupyterlab/apputils';
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import { Signal } from '@lumino/signaling';

import { KernelRuns } from '../notebook/kernelruns';

/**
 * The session context's signals KernelRuns listens to.
 */
class FakeSession {
  iopubMessage = new Signal<this, KernelMessage.IMessage>(this);
  statusChanged = new Signal<this, Kernel.Status>(this);
  kernelChanged = new Signal<this, unknown>(this);

  publish(msgType: string): void {
    this.iopubMessage.emit({
      header: { msg_type: msgType }
    } as unknown as KernelMessage.IMessage);
  }
}

describe('KernelRuns', () => {
  it('counts runs that are not silent, restarts and kernel changes', () => {
    const session = new FakeSession();
    const runs = new KernelRuns(session as unknown as ISessionContext);
    expect(runs.count).toBe(0);
    // A silent request (a check, a listing) publishes status and results only.
    session.publish('status');
    session.publish('execute_result');
    session.publish('stream');
    session.statusChanged.emit('busy');
    session.statusChanged.emit('idle');
    expect(runs.count).toBe(0);
    session.publish('execute_input');
    expect(runs.count).toBe(1);
    session.statusChanged.emit('restarting');
    session.statusChanged.emit('autorestarting');
    session.statusChanged.emit('dead');
    expect(runs.count).toBe(4);
    session.kernelChanged.emit(null);
    expect(runs.count).toBe(5);
    runs.dispose();
    session.publish('execute_input');
    expect(runs.count).toBe(5);
    expect(runs.isDisposed).toBe(true);
  });
});
