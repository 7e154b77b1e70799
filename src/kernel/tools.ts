/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { Kernel, KernelMessage, ServerConnection } from '@jupyterlab/services';

import type {
  ICheckResult,
  IKernelState,
  PolicyCategory
} from '../agent/tokens';
import { routeURL } from '../routes';
import {
  checkExpression,
  executeReplyError,
  expressionValue,
  GATE_EXPRESSION,
  gateRefusal,
  gateStatement,
  IExpressionResult,
  IKernelHelpers,
  KernelToolError,
  LISTING_EXPRESSION,
  STATE_EXPRESSION,
  summariesExpression,
  toCheckResult,
  toFolderListing,
  toKernelState
} from './replies';
import type { IFolderListing } from './listing';
import { IFileSummary, toFileSummaries } from '../uploads/summaries';

/**
 * What the notebook host needs from the kernel tools (`KernelTools`): a silent
 * check with the working folder's listing, listings alone, and the kernel's
 * state.
 */
export interface IKernelTools {
  checkAndList(
    code: string
  ): Promise<{ check: ICheckResult; listing: IFolderListing | null }>;
  listing(options?: { queued?: boolean }): Promise<IFolderListing>;
  state(): Promise<IKernelState>;
  /** Whether `gate` may be used now (`KernelTools.canGate`). */
  readonly canGate: boolean;
  /** The step gate (`KernelTools.gate`). */
  gate(
    code: string,
    allowed: readonly PolicyCategory[],
    token: string
  ): Promise<IGateVerdict>;
  /** Restarts seen so far: a listing holds only within one. */
  readonly restarts?: number;
  /** Summaries of uploaded files (`KernelTools.summaries`). */
  summaries?(paths: readonly string[]): Promise<IFileSummary[]>;
}

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
export class KernelTools implements IKernelTools {
  /**
   * Construct the tools for one kernel connection.
   */
  constructor(options: KernelTools.IOptions) {
    this._kernel = options.kernel;
    this._fetchHelpers = options.fetchHelpers;
    this._timeoutMs = options.timeoutMs ?? 30000;
    this._kernel.statusChanged.connect(this._onStatus, this);
    void this._kernel.info
      ?.then(info => {
        this._ipython = info.implementation === 'ipython';
      })
      .catch(() => undefined);
  }

  /**
   * Whether `gate` may be used now: the helpers (and their guard) are in this
   * kernel, and it is IPython's kernel, which aborts the requests queued
   * behind a failed one.
   */
  get canGate(): boolean {
    return this._installed && this._ipython;
  }

  /**
   * The kernel these tools talk to.
   */
  get kernel(): Kernel.IKernelConnection {
    return this._kernel;
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
    return this._evaluate({ r: checkExpression(code) }, results =>
      toCheckResult(expressionValue(results.r))
    );
  }

  /**
   * Check code and list the working folder in the same silent request, so a
   * step's "before" listing costs no round trip of its own. The listing is
   * `null` if that part failed; the check's failures reject as `check`'s do.
   */
  async checkAndList(
    code: string
  ): Promise<{ check: ICheckResult; listing: IFolderListing | null }> {
    return this._evaluate(
      { r: checkExpression(code), l: LISTING_EXPRESSION },
      results => ({
        check: toCheckResult(expressionValue(results.r)),
        listing: Private.listingOf(results.l)
      })
    );
  }

  /**
   * Send a step's gate: a check that lets the cell sent right after it (its
   * request carrying `token` in its metadata) run only if the code has no
   * syntax error and every finding's category is in `allowed`.
   *
   * #### Notes
   * The request leaves synchronously, so call it right before sending the
   * cell, and only when `canGate`. It is not silent (the kernel aborts the
   * queue only after a failed non-silent request) but stores no history and
   * shows nothing. It has no time limit: the cell behind it waits in the
   * same queue, and giving up on the gate would not take the cell back.
   * Rejects with a `KernelToolError` when the gate could not decide (the
   * cell then did not run either).
   */
  async gate(
    code: string,
    allowed: readonly PolicyCategory[],
    token: string
  ): Promise<IGateVerdict> {
    const reply = await this._request(
      {
        code: gateStatement(code, allowed, token),
        silent: false,
        store_history: false,
        user_expressions: { r: GATE_EXPRESSION, l: LISTING_EXPRESSION },
        allow_stdin: false,
        stop_on_error: true
      },
      null
    );
    const refused = gateRefusal(reply);
    if (refused) {
      return { passed: false, check: refused, listing: null };
    }
    const failure = executeReplyError(reply);
    if (failure) {
      if (reply.status === 'error') {
        // Most likely the helpers are gone (`%reset`): install them next time.
        this._installed = false;
      }
      throw failure;
    }
    const results =
      (reply as { user_expressions?: Private.Results }).user_expressions ?? {};
    return {
      passed: true,
      check: toCheckResult(expressionValue(results.r)),
      listing: Private.listingOf(results.l)
    };
  }

  /**
   * List the kernel's working folder.
   *
   * #### Notes
   * With `queued`, the request is meant to wait in the kernel's queue behind
   * a cell just sent (the kernel answers it as soon as the cell is done), so
   * it has no time limit of its own: the caller bounds the wait. The request
   * leaves synchronously when the helpers are installed, which keeps it
   * behind that cell. If the cell fails the kernel aborts queued requests,
   * and this rejects.
   */
  async listing(options: { queued?: boolean } = {}): Promise<IFolderListing> {
    return this._evaluate(
      { l: LISTING_EXPRESSION },
      results => toFolderListing(expressionValue(results.l)),
      options.queued ? null : this._timeoutMs
    );
  }

  /**
   * The kernel's variables, importable packages, folder and files.
   */
  async state(): Promise<IKernelState> {
    return this._evaluate({ r: STATE_EXPRESSION }, results =>
      toKernelState(expressionValue(results.r))
    );
  }

  /**
   * Summaries of files in the working folder (uploads), by path from it:
   * tables, images, PDFs and text as `kernel_helpers/summaries.py` reads
   * them. A file that cannot be read has a summary saying why.
   */
  async summaries(paths: readonly string[]): Promise<IFileSummary[]> {
    return this._evaluate({ s: summariesExpression(paths) }, results =>
      toFileSummaries(expressionValue(results.s))
    );
  }

  /**
   * Interrupt the kernel (Stop, or a step past its time limit).
   */
  async interrupt(): Promise<void> {
    try {
      await this._kernel.interrupt();
    } catch (error) {
      throw new KernelToolError(
        'Could not interrupt the kernel: %1',
        'kernel',
        [Private.message(error)]
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
              'The kernel is still busy after %1 s.',
              'timeout',
              [Math.round(timeoutMs / 1000)]
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
   * Evaluate `expressions` in the kernel and `read` their results, installing
   * the helpers first if needed, and once more if `read` finds them missing.
   */
  private async _evaluate<T>(
    expressions: Record<string, string>,
    read: (results: Private.Results) => T,
    timeoutMs: number | null = this._timeoutMs
  ): Promise<T> {
    try {
      return read(
        await this._evaluateOnce(expressions, !this._installed, timeoutMs)
      );
    } catch (error) {
      if (error instanceof KernelToolError && error.reason === 'missing') {
        return read(await this._evaluateOnce(expressions, true, timeoutMs));
      }
      throw error;
    }
  }

  private async _evaluateOnce(
    expressions: Record<string, string>,
    install: boolean,
    timeoutMs: number | null
  ): Promise<Private.Results> {
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
      user_expressions: expressions,
      allow_stdin: false,
      stop_on_error: false
    };
    const reply = await this._request(content, timeoutMs);
    const failure = executeReplyError(reply);
    if (failure) {
      throw failure;
    }
    if (install) {
      this._installed = true;
    }
    return (
      (reply as { user_expressions?: Private.Results }).user_expressions ?? {}
    );
  }

  private async _request(
    content: KernelMessage.IExecuteRequestMsg['content'],
    timeoutMs: number | null
  ): Promise<KernelMessage.IExecuteReplyMsg['content']> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const future = this._kernel.requestExecute(content, true);
      // The reply carries the answer; the idle status after it need not be
      // waited for. `done` still rejects if the kernel goes away first.
      const replied = new Promise<KernelMessage.IExecuteReplyMsg>(resolve => {
        future.onReply = resolve;
      });
      const answered = Promise.race([replied, future.done]);
      if (timeoutMs === null) {
        return (await answered).content;
      }
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new KernelToolError(
                'The kernel did not answer within %1 s; it may be busy running a cell.',
                'timeout',
                [Math.round(timeoutMs / 1000)]
              )
            ),
          timeoutMs
        );
      });
      const reply: KernelMessage.IExecuteReplyMsg = await Promise.race([
        answered,
        timeout
      ]);
      return reply.content;
    } catch (error) {
      if (error instanceof KernelToolError) {
        throw error;
      }
      throw new KernelToolError(
        'The kernel could not be reached: %1',
        'kernel',
        [Private.message(error)]
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
          'Could not load the kernel helpers from the server: %1',
          'helper',
          [Private.message(error)]
        );
      });
    }
    return this._helpersPromise;
  }

  private _onStatus(_: Kernel.IKernelConnection, status: Kernel.Status): void {
    if (Private.RESTARTS.has(status)) {
      this._installed = false;
      if (status !== 'dead') {
        this._restarts++;
      }
    }
  }

  private _kernel: Kernel.IKernelConnection;
  private _fetchHelpers: () => Promise<IKernelHelpers>;
  private _timeoutMs: number;
  private _installed = false;
  private _ipython = false;
  private _restarts = 0;
  private _helpersPromise: Promise<IKernelHelpers> | null = null;
}

/**
 * What a gate decided; `listing` is the folder just before the cell ran.
 */
export interface IGateVerdict {
  passed: boolean;
  check: ICheckResult;
  listing: IFolderListing | null;
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
    const url = routeURL(settings, 'kernel-helpers');
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
   * The user expressions' results of one reply, by name.
   */
  export type Results = Record<string, IExpressionResult | undefined>;

  /**
   * The listing part of a reply, or `null` when that part failed.
   */
  export function listingOf(
    result: IExpressionResult | undefined
  ): IFolderListing | null {
    try {
      return toFolderListing(expressionValue(result));
    } catch {
      return null;
    }
  }

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
