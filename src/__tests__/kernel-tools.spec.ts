/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { Kernel, KernelMessage } from '@jupyterlab/services';
import { Signal } from '@lumino/signaling';

import { KernelToolError } from '../kernel/replies';
import { KernelTools } from '../kernel/tools';

const HELPERS = { source: 'src', version: 'v1', bootstrap: 'BOOTSTRAP' };

type Content = KernelMessage.IExecuteRequestMsg['content'];
type Answer = (content: Content) => Record<string, unknown> | Promise<never>;

/**
 * A kernel connection that answers execute requests with `answer`.
 */
class FakeKernel {
  status: Kernel.Status = 'idle';
  isDisposed = false;
  statusChanged = new Signal<this, Kernel.Status>(this);
  requests: Content[] = [];
  interrupt = jest.fn().mockResolvedValue(undefined);

  constructor(public answer: Answer) {}

  requestExecute(content: Content): { done: Promise<{ content: unknown }> } {
    this.requests.push(content);
    const reply = this.answer(content);
    return {
      done:
        reply instanceof Promise ? reply : Promise.resolve({ content: reply })
    };
  }

  setStatus(status: Kernel.Status): void {
    this.status = status;
    this.statusChanged.emit(status);
  }
}

function result(value: unknown) {
  return {
    status: 'ok',
    data: { 'application/json': value, 'text/plain': JSON.stringify(value) }
  };
}

function ok(value: unknown): Record<string, unknown> {
  return { status: 'ok', user_expressions: { r: result(value) } };
}

const MISSING = {
  status: 'ok',
  user_expressions: {
    r: {
      status: 'error',
      ename: 'NameError',
      evalue: "name '__code_interpreter__' is not defined"
    }
  }
};

const CLEAN = { syntaxError: null, findings: [] };

function toolsFor(kernel: FakeKernel, timeoutMs?: number) {
  const fetchHelpers = jest.fn().mockResolvedValue(HELPERS);
  const tools = new KernelTools({
    kernel: kernel as unknown as Kernel.IKernelConnection,
    fetchHelpers,
    timeoutMs
  });
  return { tools, fetchHelpers };
}

describe('KernelTools', () => {
  it('installs the helpers with the first silent request, then only asks', async () => {
    const kernel = new FakeKernel(() => ok(CLEAN));
    const { tools, fetchHelpers } = toolsFor(kernel);
    expect(await tools.check('x = 1')).toEqual(CLEAN);
    await tools.check('y = 2');
    expect(kernel.requests.map(r => r.code)).toEqual(['BOOTSTRAP', '']);
    for (const request of kernel.requests) {
      expect(request.silent).toBe(true);
      expect(request.store_history).toBe(false);
      expect(request.user_expressions?.r).toMatch(
        /^__code_interpreter__\.check_reply\(/
      );
    }
    expect(fetchHelpers).toHaveBeenCalledTimes(1);
  });

  it('reinstalls after a restart', async () => {
    const kernel = new FakeKernel(() => ok(CLEAN));
    const { tools } = toolsFor(kernel);
    await tools.check('x');
    kernel.setStatus('restarting');
    kernel.setStatus('idle');
    await tools.check('x');
    expect(kernel.requests.map(r => r.code)).toEqual([
      'BOOTSTRAP',
      'BOOTSTRAP'
    ]);
  });

  it('reinstalls and retries once when the kernel lost the helpers', async () => {
    const kernel = new FakeKernel(content =>
      content.code ? ok(CLEAN) : MISSING
    );
    const { tools } = toolsFor(kernel);
    await tools.check('x');
    expect(await tools.check('y')).toEqual(CLEAN);
    expect(kernel.requests.map(r => r.code)).toEqual([
      'BOOTSTRAP',
      '',
      'BOOTSTRAP'
    ]);
  });

  it('reads the state', async () => {
    const state = {
      variables: [],
      packages: { numpy: '2', pillow: '11' },
      imports: { pillow: ['PIL'] },
      cwd: '/w',
      files: ['a.csv']
    };
    const kernel = new FakeKernel(() => ok(state));
    const { tools } = toolsFor(kernel);
    expect(await tools.state()).toEqual(state);
    expect(kernel.requests[0].user_expressions?.r).toBe(
      '__code_interpreter__.state_reply()'
    );
  });

  it('turns failures into KernelToolErrors', async () => {
    const dead = new FakeKernel(() => ok(CLEAN));
    dead.status = 'dead';
    await expect(toolsFor(dead).tools.check('x')).rejects.toThrow(
      'no running kernel'
    );

    const unreachable = new FakeKernel(() =>
      Promise.reject(new Error('Kernel is disposed'))
    );
    await expect(toolsFor(unreachable).tools.state()).rejects.toThrow(
      'The kernel could not be reached: Kernel is disposed'
    );

    const broken = new FakeKernel(() => ({
      status: 'error',
      ename: 'SyntaxError',
      evalue: 'x'
    }));
    await expect(toolsFor(broken).tools.check('x')).rejects.toBeInstanceOf(
      KernelToolError
    );

    const kernel = new FakeKernel(() => ok(CLEAN));
    const tools = new KernelTools({
      kernel: kernel as unknown as Kernel.IKernelConnection,
      fetchHelpers: () => Promise.reject(new Error('403 Forbidden'))
    });
    await expect(tools.check('x')).rejects.toThrow(
      'Could not load the kernel helpers from the server: 403 Forbidden'
    );
  });

  it('checks and lists the folder in one request', async () => {
    const listing = { cwd: '/w', names: ['a.csv'], complete: true };
    const kernel = new FakeKernel(() => ({
      status: 'ok',
      user_expressions: { r: result(CLEAN), l: result(listing) }
    }));
    const { tools } = toolsFor(kernel);
    expect(await tools.checkAndList('x = 1')).toEqual({
      check: CLEAN,
      listing
    });
    expect(kernel.requests).toHaveLength(1);
    expect(kernel.requests[0].user_expressions).toEqual({
      r: expect.stringMatching(/^__code_interpreter__\.check_reply\(/),
      l: '__code_interpreter__.listing_reply()'
    });
  });

  it('keeps the check when only the listing part fails', async () => {
    const kernel = new FakeKernel(() => ({
      status: 'ok',
      user_expressions: {
        r: result(CLEAN),
        l: { status: 'error', ename: 'PermissionError', evalue: 'denied' }
      }
    }));
    const { tools } = toolsFor(kernel);
    expect(await tools.checkAndList('x')).toEqual({
      check: CLEAN,
      listing: null
    });
  });

  it('lists the folder; a queued listing waits for the cell however long it runs', async () => {
    const listing = { cwd: '/w', names: ['b/'], complete: true };
    let answer: (value: unknown) => void = () => undefined;
    const kernel = new FakeKernel(content =>
      content.code
        ? ok(CLEAN)
        : (new Promise<unknown>(
            resolve => (answer = resolve)
          ) as Promise<never>)
    );
    const { tools } = toolsFor(kernel, 10);
    await tools.check('x');
    await expect(tools.listing()).rejects.toMatchObject({ reason: 'timeout' });
    const queued = tools.listing({ queued: true });
    // Sent at once, so it waits behind a cell sent just before it.
    expect(kernel.requests).toHaveLength(3);
    await new Promise(resolve => setTimeout(resolve, 30));
    answer({
      content: { status: 'ok', user_expressions: { l: result(listing) } }
    });
    await expect(queued).resolves.toEqual(listing);

    const aborted = new FakeKernel(() => ({ status: 'aborted' }));
    await expect(
      toolsFor(aborted).tools.listing({ queued: true })
    ).rejects.toMatchObject({ reason: 'kernel' });
  });

  it('answers at the reply, without waiting for the idle status after it', async () => {
    const kernel = new FakeKernel(() => ok(CLEAN));
    kernel.requestExecute = (content: Content) => {
      kernel.requests.push(content);
      return {
        done: new Promise<never>(() => undefined),
        set onReply(handler: (msg: { content: unknown }) => void) {
          setTimeout(() => handler({ content: ok(CLEAN) }), 0);
        }
      };
    };
    const { tools } = toolsFor(kernel, 1000);
    await expect(tools.check('x')).resolves.toEqual(CLEAN);
  });

  it('gives up on a busy kernel after its timeout', async () => {
    const kernel = new FakeKernel(() => new Promise<never>(() => undefined));
    const { tools } = toolsFor(kernel, 10);
    await expect(tools.check('x')).rejects.toMatchObject({ reason: 'timeout' });
  });

  it('waits for idle, and interrupts', async () => {
    const kernel = new FakeKernel(() => ok(CLEAN));
    const { tools } = toolsFor(kernel, 50);
    kernel.status = 'busy';
    const idle = tools.waitForIdle();
    kernel.setStatus('idle');
    await expect(idle).resolves.toBeUndefined();

    kernel.status = 'busy';
    await expect(tools.waitForIdle(5)).rejects.toMatchObject({
      reason: 'timeout'
    });
    const dying = tools.waitForIdle();
    kernel.setStatus('dead');
    await expect(dying).rejects.toThrow('The kernel died.');

    await tools.interrupt();
    expect(kernel.interrupt).toHaveBeenCalled();
    kernel.interrupt.mockRejectedValueOnce(new Error('gone'));
    await expect(tools.interrupt()).rejects.toThrow(
      'Could not interrupt the kernel: gone'
    );
    tools.dispose();
  });
});
