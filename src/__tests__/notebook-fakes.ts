/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

/**
 * The kernel side of the notebook specs: JupyterLab's mock kernel with its
 * execute requests and interrupts scripted, and kernel tools answering from
 * scripted checks, gates and listings (`notebook-fixture.ts` opens the
 * notebook they serve).
 *
 * #### Notes
 * The kernel is the one stand-in: the ui-tests run these paths against a real
 * ipykernel, a real one needs a Jupyter server child process per spec file,
 * and the quick jest suite runs before every commit. The script answers as
 * ipykernel does: `execute_input` when a cell starts, an `error` reply after
 * an interrupt, an `aborted` reply (no execution count) for a request behind
 * a failed gate, a cancelled future when the kernel goes away.
 */

import { Kernel, KernelMessage } from '@jupyterlab/services';
import type { JSONObject } from '@lumino/coreutils';

import type {
  ICheckResult,
  IKernelState,
  PolicyCategory
} from '../agent/tokens';
import type { IFolderListing } from '../kernel/listing';
import { GATE_METADATA_KEY } from '../kernel/replies';
import type { IGateVerdict } from '../kernel/tools';
import type { IKernelTools } from '../kernel/tools';

/**
 * How an execution reply ends.
 */
export type ReplyStatus = 'ok' | 'error' | 'aborted';

/**
 * One execute request the scripted kernel received, and the kernel's hands
 * on it.
 */
export class Execution {
  constructor(
    readonly code: string,
    readonly metadata: JSONObject,
    private _kernel: ScriptedKernel
  ) {
    this.future = new Private.Future(this);
    this.done = new Promise<KernelMessage.IExecuteReplyMsg>(
      (resolve, reject) => {
        this._resolve = resolve;
        this._reject = reject;
      }
    );
  }

  /** The future `CodeCell.execute` reads. */
  readonly future: Private.Future;
  /** Resolves with the reply, rejects when cancelled. */
  readonly done: Promise<KernelMessage.IExecuteReplyMsg>;
  /** The execution count the kernel gave this cell, once started. */
  count: number | null = null;
  /** Whether a reply (or a cancel) ended it. */
  ended = false;

  /**
   * The kernel begins the cell: `execute_input` (which starts the step's
   * time limit).
   */
  start(): void {
    if (this.count !== null) {
      return;
    }
    this.count = this._kernel.nextCount();
    this._kernel.running = this;
    this.future.iopub('execute_input', {
      code: this.code,
      execution_count: this.count
    });
  }

  /**
   * A line on stdout.
   */
  print(text: string): void {
    this.future.iopub('stream', { name: 'stdout', text });
  }

  /**
   * The reply: `ok`, `error` (with the exception's name and value) or
   * `aborted` (as ipykernel answers a request queued behind an error).
   */
  finish(status: ReplyStatus, ename = 'Exception', evalue = ''): void {
    if (this.ended) {
      return;
    }
    let content: JSONObject;
    if (status === 'aborted') {
      content = { status: 'aborted' };
    } else {
      this.start();
      if (status === 'error') {
        const traceback = [`${ename}: ${evalue}`];
        this.future.iopub('error', { ename, evalue, traceback });
        content = {
          status,
          ename,
          evalue,
          traceback,
          execution_count: this.count
        };
      } else {
        content = { status, user_expressions: {}, execution_count: this.count };
      }
    }
    this._end();
    const reply = KernelMessage.createMessage({
      channel: 'shell',
      msgType: 'execute_reply',
      session: 'scripted',
      content: content as unknown as KernelMessage.IExecuteReplyMsg['content']
    });
    this.future.onReply(reply);
    this._resolve(reply);
  }

  /**
   * The kernel went away: the future is cancelled, as when it restarts.
   */
  cancel(): void {
    if (this.ended) {
      return;
    }
    this._end();
    this._reject(new Error('Canceled future for execute_request message'));
  }

  private _end(): void {
    this.ended = true;
    if (this._kernel.running === this) {
      this._kernel.running = null;
    }
  }

  private _resolve: (reply: KernelMessage.IExecuteReplyMsg) => void = () =>
    undefined;
  private _reject: (error: Error) => void = () => undefined;
}

/**
 * The mock kernel of JupyterLab's mocked session, with execute requests and
 * interrupts scripted.
 */
export class ScriptedKernel {
  constructor(readonly connection: Kernel.IKernelConnection) {
    const kernel = connection as unknown as Record<string, unknown>;
    kernel.requestExecute = (
      content: KernelMessage.IExecuteRequestMsg['content'],
      _disposeOnDone?: boolean,
      metadata?: JSONObject
    ) => {
      const execution = new Execution(content.code, metadata ?? {}, this);
      this.executions.push(execution);
      // Replies come later, as from a kernel: the output area and the
      // message hooks are in place by then.
      void Promise.resolve().then(() => this.onExecute(execution));
      return execution.future;
    };
    kernel.interrupt = async () => {
      this.interrupts++;
      if (!this.ignoreInterrupts) {
        this.running?.finish('error', 'KeyboardInterrupt');
      }
    };
    kernel.restart = async () => {
      this.restarts++;
      this.running?.cancel();
      kernel.status = 'idle';
    };
    kernel.connectionStatus = 'connected';
  }

  /** Every execute request, in order. */
  executions: Execution[] = [];
  /** The execution the kernel is in, if any. */
  running: Execution | null = null;
  /** Interrupts asked for. */
  interrupts = 0;
  /** Restarts asked for. */
  restarts = 0;
  /** A kernel busy in C code does not answer interrupts. */
  ignoreInterrupts = false;
  /** The tokens the gate passed (the helpers' guard reads them). */
  passedGates = new Set<string>();

  /**
   * What the kernel does with a request; by default, runs it: a request
   * carrying a gate token the gate did not pass is aborted, as ipykernel
   * aborts what is queued behind the gate's error.
   */
  onExecute: (execution: Execution) => void = execution =>
    this.runOrAbort(execution);

  /**
   * The default script: aborted behind a refused gate, else `ok`.
   */
  runOrAbort(execution: Execution): void {
    const token = execution.metadata[GATE_METADATA_KEY];
    if (typeof token === 'string' && !this.passedGates.has(token)) {
      execution.finish('aborted');
      return;
    }
    execution.finish('ok');
  }

  /**
   * The last execute request.
   */
  get last(): Execution {
    const last = this.executions[this.executions.length - 1];
    if (!last) {
      throw new Error('The kernel received no execute request.');
    }
    return last;
  }

  /**
   * Resolves once every request received so far has ended.
   */
  async idle(): Promise<void> {
    await Promise.allSettled(this.executions.map(e => e.done));
  }

  /**
   * The next execution count.
   */
  nextCount(): number {
    return ++this._count;
  }

  private _count = 0;
}

/**
 * The kernel tools of `NotebookExecutionHost`, answering from scripted
 * checks, gates and listings.
 */
export class FakeTools implements IKernelTools {
  constructor(private _kernel: ScriptedKernel | null) {}

  /** The check of every code; default: clean. */
  checks = new Map<string, ICheckResult>();
  /** The folder's names, as the next listing returns them. */
  files: string[] = ['data.csv'];
  /** Whether the gate may be used. */
  canGate = true;
  restarts = 0;
  /** Everything asked, in order. */
  calls: string[] = [];
  /** When set, the gate fails with this error (it could not decide). */
  gateError: Error | null = null;

  async checkAndList(
    code: string
  ): Promise<{ check: ICheckResult; listing: IFolderListing | null }> {
    this.calls.push(`check ${code}`);
    return { check: this.checkOf(code), listing: this._listing() };
  }

  async listing(options?: { queued?: boolean }): Promise<IFolderListing> {
    this.calls.push(options?.queued ? 'listing queued' : 'listing');
    if (options?.queued) {
      // Queued behind the cell: the kernel answers once the cell is done.
      await this._kernel?.idle();
    }
    return this._listing();
  }

  async state(): Promise<IKernelState> {
    this.calls.push('state');
    return {
      variables: [{ name: 'df', type: 'DataFrame', shape: '(3, 2)' }],
      packages: { pandas: '2.2.3' },
      cwd: '/work',
      files: [...this.files]
    };
  }

  gate(
    code: string,
    allowed: readonly PolicyCategory[],
    token: string
  ): Promise<IGateVerdict> {
    this.calls.push(`gate ${code} [${allowed.join(',')}]`);
    if (this.gateError) {
      return Promise.reject(this.gateError);
    }
    const check = this.checkOf(code);
    const passed =
      !check.syntaxError &&
      check.findings.every(finding => allowed.includes(finding.category));
    if (passed) {
      // Synchronously: the cell's request follows the gate's at once.
      this._kernel?.passedGates.add(token);
    }
    return Promise.resolve({ passed, check, listing: this._listing() });
  }

  checkOf(code: string): ICheckResult {
    return this.checks.get(code) ?? { syntaxError: null, findings: [] };
  }

  private _listing(): IFolderListing {
    return { cwd: '/work', names: [...this.files].sort(), complete: true };
  }
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * The part of a kernel future that `CodeCell.execute`, the output area and
   * `executeCell` use: message hooks, then `onIOPub`; `onReply`; `done`.
   */
  export class Future {
    constructor(private _execution: Execution) {}

    get done(): Promise<KernelMessage.IExecuteReplyMsg> {
      return this._execution.done;
    }

    onIOPub: (msg: KernelMessage.IIOPubMessage) => void = () => undefined;
    onReply: (msg: KernelMessage.IExecuteReplyMsg) => void = () => undefined;
    onStdin: (msg: KernelMessage.IStdinMessage) => void = () => undefined;
    isDisposed = false;

    registerMessageHook(
      hook: (msg: KernelMessage.IIOPubMessage) => boolean | PromiseLike<boolean>
    ): void {
      this._hooks.unshift(hook);
    }

    removeMessageHook(
      hook: (msg: KernelMessage.IIOPubMessage) => boolean | PromiseLike<boolean>
    ): void {
      this._hooks = this._hooks.filter(h => h !== hook);
    }

    dispose(): void {
      this.isDisposed = true;
    }

    /**
     * An iopub message of this request: through the hooks, newest first,
     * then to the output area (a hook returning false stops it).
     */
    iopub(msgType: string, content: JSONObject): void {
      const msg = KernelMessage.createMessage({
        channel: 'iopub',
        msgType: msgType as 'stream',
        session: 'scripted',
        content: content as unknown as KernelMessage.IStreamMsg['content']
      });
      for (const hook of this._hooks) {
        if (hook(msg) === false) {
          return;
        }
      }
      if (!this.isDisposed) {
        this.onIOPub(msg);
      }
    }

    private _hooks: Array<
      (msg: KernelMessage.IIOPubMessage) => boolean | PromiseLike<boolean>
    > = [];
  }
}
