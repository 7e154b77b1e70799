/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { IStepResult } from '../agent/tokens';
import type { IFolderListing } from '../kernel/listing';
import { queueListing, withNewFiles } from '../notebook/newfiles';

const RESULT: IStepResult = {
  outcome: 'ok',
  code: 'x',
  edited: false,
  outputs: [],
  executionCount: 1,
  cellId: 'c'
};

function listing(...names: string[]): IFolderListing {
  return { cwd: '/w', names, complete: true };
}

function lister(...answers: Array<IFolderListing | Error>) {
  const calls: Array<{ queued?: boolean } | undefined> = [];
  return {
    calls,
    listing(options?: { queued?: boolean }): Promise<IFolderListing> {
      calls.push(options);
      const answer = answers.shift() ?? new Error('no more');
      return answer instanceof Error
        ? Promise.reject(answer)
        : Promise.resolve(answer);
    }
  };
}

describe('withNewFiles', () => {
  it('uses the listing queued behind the cell', async () => {
    const tools = lister(listing('a.csv', 'qr.png'));
    const queued = queueListing(tools);
    const result = await withNewFiles(
      RESULT,
      listing('a.csv'),
      'ok',
      queued,
      tools
    );
    expect(result.newFiles).toEqual(['qr.png']);
    expect(tools.calls).toEqual([{ queued: true }]);
  });

  it("passes on the kernel's DataFrames from the listing after the step", async () => {
    const frames = [{ name: 'df', rows: 2, columns: ['a'] }];
    const tools = lister({ ...listing('a.csv'), frames });
    const queued = queueListing(tools);
    const result = await withNewFiles(
      RESULT,
      listing('a.csv'),
      'ok',
      queued,
      tools
    );
    expect(result.dataFrames).toEqual(frames);
    expect(result.newFiles).toBeUndefined();
  });

  it('lists again when the kernel aborted the queued listing (the cell failed)', async () => {
    const tools = lister(new Error('aborted'), listing('a.csv', 'half.png'));
    const queued = queueListing(tools);
    const result = await withNewFiles(
      { ...RESULT, outcome: 'error' },
      listing('a.csv'),
      'error',
      queued,
      tools
    );
    expect(result.newFiles).toEqual(['half.png']);
    expect(tools.calls).toEqual([{ queued: true }, undefined]);
  });

  it('reports nothing after the kernel died, and never fails the step', async () => {
    const tools = lister(listing('a.csv', 'b.csv'));
    const died = await withNewFiles(
      RESULT,
      listing('a.csv'),
      'kernel_died',
      queueListing(tools),
      tools
    );
    expect(died.newFiles).toBeUndefined();
    const failing = lister(new Error('x'), new Error('y'));
    const failed = await withNewFiles(
      RESULT,
      listing('a.csv'),
      'ok',
      queueListing(failing),
      failing
    );
    expect(failed.newFiles).toBeUndefined();
  });

  it('does not wait for a queued listing that never comes after Stop', async () => {
    const never = new Promise<IFolderListing | null>(() => undefined);
    const result = await withNewFiles(
      RESULT,
      listing('a.csv'),
      'stopped',
      never,
      lister()
    );
    expect(result.newFiles).toBeUndefined();
  });
});
