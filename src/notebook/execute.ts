/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { ISessionContext } from '@jupyterlab/apputils';
import type { JSONObject } from '@lumino/coreutils';
import { CodeCell } from '@jupyterlab/cells';
import type { Kernel, KernelMessage } from '@jupyterlab/services';

import type { StepOutcome } from '../agent/tokens';
import { markTiming, TimingMarks } from '../marks';

/**
 * How long to wait for the kernel to answer an interrupt before giving up on
 * the execution (the cell may still show as running).
 */
export const INTERRUPT_GRACE_MS = 10000;

/**
 * Run a code cell through the notebook's own session, so outputs, execution
 * count and the busy indicator appear as for any cell, and tell how it ended.
 *
 * #### Notes
 * The wall-clock limit starts when the kernel begins this cell
 * (`execute_input`), not when it is queued, so a long cell of the user's own
 * running before it is never interrupted on our account. Timeout and Stop
 * interrupt the kernel; a restart or death of the kernel while the cell runs
 * ends it as `kernel_died`.
 */
export async function executeCell(
  cell: CodeCell,
  sessionContext: ISessionContext,
  options: IExecuteOptions
): Promise<StepOutcome> {
  const { signal, timeoutMs } = options;
  const grace = options.interruptGraceMs ?? INTERRUPT_GRACE_MS;
  if (signal.aborted) {
    return 'stopped';
  }
  let ending: 'timeout' | 'stopped' | 'kernel_died' | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let giveUp: (() => void) | null = null;
  const gaveUp = new Promise<void>(resolve => (giveUp = resolve));

  const end = (why: 'timeout' | 'stopped' | 'kernel_died'): void => {
    if (ending) {
      return;
    }
    ending = why;
    if (why === 'kernel_died') {
      giveUp?.();
      return;
    }
    const kernel = sessionContext.session?.kernel;
    void kernel?.interrupt().catch(() => undefined);
    setTimeout(() => giveUp?.(), grace);
  };
  const onAbort = (): void => end('stopped');
  const onStatus = (_: unknown, status: Kernel.Status): void => {
    if (
      status === 'restarting' ||
      status === 'autorestarting' ||
      status === 'dead'
    ) {
      end('kernel_died');
    }
  };
  const onKernelChanged = (): void => end('kernel_died');

  signal.addEventListener('abort', onAbort);
  sessionContext.statusChanged.connect(onStatus);
  sessionContext.kernelChanged.connect(onKernelChanged);
  try {
    markTiming(TimingMarks.executeRequest);
    const done = CodeCell.execute(cell, sessionContext, options.metadata);
    // `CodeCell.execute` sends the request and sets the future synchronously
    // (none for blank code).
    const future = cell.outputArea.future;
    if (future) {
      options.onSent?.();
      future.registerMessageHook(msg => {
        if (msg.header.msg_type === 'execute_input' && timer === null) {
          timer = setTimeout(() => end('timeout'), timeoutMs);
        }
        return true;
      });
    }
    let reply: KernelMessage.IExecuteReplyMsg | void;
    try {
      reply = await Promise.race([done, gaveUp.then(() => undefined)]);
      markTiming(TimingMarks.kernelIdle);
    } catch {
      // The future was cancelled: the kernel restarted, died or went away.
      return ending === 'stopped' ? 'stopped' : 'kernel_died';
    }
    if (ending) {
      return ending;
    }
    if (!reply) {
      return 'ok';
    }
    return reply.content.status === 'ok' ? 'ok' : 'error';
  } finally {
    if (timer !== null) {
      clearTimeout(timer);
    }
    signal.removeEventListener('abort', onAbort);
    sessionContext.statusChanged.disconnect(onStatus);
    sessionContext.kernelChanged.disconnect(onKernelChanged);
  }
}

/**
 * The options of `executeCell`.
 */
export interface IExecuteOptions {
  /** Stop: interrupts the kernel. */
  signal: AbortSignal;
  /** Wall-clock limit once the cell starts, then the kernel is interrupted. */
  timeoutMs: number;
  /** How long an interrupt may take before the step ends anyway. */
  interruptGraceMs?: number;
  /** Extra metadata of the execute request (not stored in the cell). */
  metadata?: JSONObject;
  /**
   * Called right after the execute request is sent: a request sent then waits
   * behind the cell in the kernel's queue.
   */
  onSent?: () => void;
}
