/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { URLExt } from '@jupyterlab/coreutils';
import { Kernel, KernelMessage, ServerConnection } from '@jupyterlab/services';

import type { ICheckResult, IKernelState } from '../agent/tokens';
import {
  checkExpression,
  executeReplyError,
  expressionValue,
  IExpressionResult,
  IKernelHelpers,
  KernelToolError,
  STATE_EXPRESSION,
  toCheckResult,
  toKernelState
} from './replies';

/**
 * Silent tools on a notebook's kernel: the code check, the kernel's state,
 * interrupt and wait-for-idle.
 *
 * #### Notes
 * Every request is `silent` with `store_history: false`: no execution count,
 * no history, no output. The helpers are installed on first use, and again
 * after a restart (the status passes through `restarting`/`starting`/
 * `autorestarting`) or when the kernel answers that they are missing (a
 * `%reset`). Failures are `KernelToolError`s with a message for the user.
 */
export class KernelTools {
  /**
   * Construct the tools for one kernel connection.
   */
  constructor(options: KernelTools.IOptions) {
    this._kernel = options.kernel;
    this._fetchHelpers = options.fetchHelpers;
    this._timeoutMs = options.timeoutMs ?? 30000;
    this._kernel.statusChanged.connect(this._onStatus, this);
  }

  /**
   * The kernel these tools talk to.
   */
  get kernel(): Kernel.IKernelConnection {
    return this._kernel;
  }

  /**
   * The kernel's execution count as of the last silent reply, or `null`.
   *
   * #### Notes
   * A silent request does not advance the count, so it tells the count of the
   * last cell run; the host compares it across steps to know whether any
   * cell ran in between.
   */
  get executionCount(): number | null {
    return this._executionCount;
  }

  /**
   * How many times the kernel was seen restarting: counts are only
   * comparable within one generation.
   */
  get restarts(): number {
    return this._restarts;
  }

  /**
   * Check code in the kernel: IPython-aware syntax and policy findings.
   */
  async check(code: string): Promise<ICheckResult> {
    return toCheckResult(await this._evaluate(checkExpression(code)));
  }

  /**
   * The kernel's variables, packages of interest, folder and files.
   */
  async state(): Promise<IKernelState> {
    return toKernelState(await this._evaluate(STATE_EXPRESSION));
  }

  /**
   * Interrupt the kernel (Stop, or a step past its time limit).
   */
  async interrupt(): Promise<void> {
    try {
      await this._kernel.interrupt();
    } catch (error) {
      throw new KernelToolError(
        `Could not interrupt the kernel: ${Private.message(error)}`,
        'kernel'
      );
    }
  }

  /**
   * Resolve when the kernel is idle; reject if it dies or `timeoutMs` passes.
   */
  waitForIdle(timeoutMs: number = this._timeoutMs): Promise<void> {
    const kernel = this._kernel;
    if (kernel.status === 'idle') {
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const finish = (error?: KernelToolError) => {
        clearTimeout(timer);
        kernel.statusChanged.disconnect(onStatus);
        if (error) {
          reject(error);
        } else {
          resolve();
        }
      };
      const onStatus = (_: Kernel.IKernelConnection, status: Kernel.Status) => {
        if (status === 'idle') {
          finish();
        } else if (status === 'dead') {
          finish(new KernelToolError('The kernel died.', 'kernel'));
        }
      };
      const timer = setTimeout(
        () =>
          finish(
            new KernelToolError(
              `The kernel is still busy after ${Math.round(timeoutMs / 1000)} s.`,
              'timeout'
            )
          ),
        timeoutMs
      );
      kernel.statusChanged.connect(onStatus);
    });
  }

  /**
   * Stop following the kernel's status.
   */
  dispose(): void {
    this._kernel.statusChanged.disconnect(this._onStatus, this);
  }

  /**
   * The value of `expression` in the kernel, installing the helpers first if
   * needed, and once more if the kernel says they are missing.
   */
  private async _evaluate(expression: string): Promise<unknown> {
    try {
      return await this._evaluateOnce(expression, !this._installed);
    } catch (error) {
      if (error instanceof KernelToolError && error.reason === 'missing') {
        return this._evaluateOnce(expression, true);
      }
      throw error;
    }
  }

  private async _evaluateOnce(
    expression: string,
    install: boolean
  ): Promise<unknown> {
    const kernel = this._kernel;
    if (kernel.isDisposed || kernel.status === 'dead') {
      throw new KernelToolError(
        'The notebook has no running kernel.',
        'kernel'
      );
    }
    let code = '';
    if (install) {
      code = (await this._helpers()).bootstrap;
    }
    const content: KernelMessage.IExecuteRequestMsg['content'] = {
      code,
      silent: true,
      store_history: false,
      user_expressions: { r: expression },
      allow_stdin: false,
      stop_on_error: false
    };
    const reply = await this._request(content);
    const count = (reply as { execution_count?: unknown }).execution_count;
    this._executionCount = typeof count === 'number' ? count : null;
    const failure = executeReplyError(reply);
    if (failure) {
      throw failure;
    }
    if (install) {
      this._installed = true;
    }
    const expressions = (
      reply as { user_expressions?: Record<string, IExpressionResult> }
    ).user_expressions;
    return expressionValue(expressions?.r);
  }

  private async _request(
    content: KernelMessage.IExecuteRequestMsg['content']
  ): Promise<KernelMessage.IExecuteReplyMsg['content']> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const future = this._kernel.requestExecute(content, true);
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new KernelToolError(
                `The kernel did not answer within ${Math.round(this._timeoutMs / 1000)} s; ` +
                  'it may be busy running a cell.',
                'timeout'
              )
            ),
          this._timeoutMs
        );
      });
      const reply: KernelMessage.IExecuteReplyMsg = await Promise.race([
        future.done,
        timeout
      ]);
      return reply.content;
    } catch (error) {
      if (error instanceof KernelToolError) {
        throw error;
      }
      throw new KernelToolError(
        `The kernel could not be reached: ${Private.message(error)}`,
        'kernel'
      );
    } finally {
      clearTimeout(timer);
    }
  }

  private async _helpers(): Promise<IKernelHelpers> {
    if (!this._helpersPromise) {
      this._helpersPromise = this._fetchHelpers().catch(error => {
        this._helpersPromise = null;
        throw new KernelToolError(
          `Could not load the kernel helpers from the server: ${Private.message(error)}`,
          'helper'
        );
      });
    }
    return this._helpersPromise;
  }

  private _onStatus(_: Kernel.IKernelConnection, status: Kernel.Status): void {
    if (Private.RESTARTS.has(status)) {
      this._installed = false;
      this._executionCount = null;
      if (status !== 'dead') {
        this._restarts++;
      }
    }
  }

  private _kernel: Kernel.IKernelConnection;
  private _fetchHelpers: () => Promise<IKernelHelpers>;
  private _timeoutMs: number;
  private _installed = false;
  private _executionCount: number | null = null;
  private _restarts = 0;
  private _helpersPromise: Promise<IKernelHelpers> | null = null;
}

/**
 * The namespace for `KernelTools` statics.
 */
export namespace KernelTools {
  /**
   * The options to construct `KernelTools`.
   */
  export interface IOptions {
    /** The notebook's kernel connection. */
    kernel: Kernel.IKernelConnection;
    /** Loads the helpers (usually `KernelTools.fetchHelpers`). */
    fetchHelpers: () => Promise<IKernelHelpers>;
    /** How long a silent request may wait for the kernel (default 30 s). */
    timeoutMs?: number;
  }

  /**
   * Load the helpers from `GET <base_url>/code-interpreter/kernel-helpers`.
   */
  export async function fetchHelpers(
    settings: ServerConnection.ISettings = ServerConnection.makeSettings()
  ): Promise<IKernelHelpers> {
    const url = URLExt.join(
      settings.baseUrl,
      'code-interpreter',
      'kernel-helpers'
    );
    const response = await ServerConnection.makeRequest(url, {}, settings);
    if (!response.ok) {
      throw new Error(
        `the server answered ${response.status} ${response.statusText}`
      );
    }
    const body = (await response.json()) as Partial<IKernelHelpers>;
    if (typeof body.bootstrap !== 'string' || !body.bootstrap) {
      throw new Error('the server sent no bootstrap');
    }
    return {
      source: body.source ?? '',
      version: body.version ?? '',
      bootstrap: body.bootstrap
    };
  }
}

/**
 * Private helpers.
 */
namespace Private {
  /**
   * Statuses after which the helpers are gone.
   */
  export const RESTARTS = new Set<Kernel.Status>([
    'restarting',
    'autorestarting',
    'starting',
    'dead'
  ]);

  /**
   * A message for any thrown value.
   */
  export function message(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
  }
}
