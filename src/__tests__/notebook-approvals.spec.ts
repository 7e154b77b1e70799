/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import {
  ApprovalRegistry,
  IApprovalChange,
  stepIdOf
} from '../notebook/approvals';

describe('ApprovalRegistry', () => {
  it('resolves a pending step with run', async () => {
    const registry = new ApprovalRegistry();
    const changes: IApprovalChange[] = [];
    registry.changed.connect((_, change) => changes.push(change));
    const decision = registry.request('t1/1');
    expect(registry.isPending('t1/1')).toBe(true);
    expect(registry.pending).toEqual(['t1/1']);
    expect(registry.decide('t1/1', 'run')).toBe(true);
    await expect(decision).resolves.toBe('run');
    expect(registry.isPending('t1/1')).toBe(false);
    expect(changes).toEqual([
      { stepId: 't1/1', state: 'pending' },
      { stepId: 't1/1', state: 'run' }
    ]);
  });

  it('resolves with skip and ignores a second decision', async () => {
    const registry = new ApprovalRegistry();
    const decision = registry.request('t1/2');
    expect(registry.decide('t1/2', 'skip')).toBe(true);
    expect(registry.decide('t1/2', 'run')).toBe(false);
    await expect(decision).resolves.toBe('skip');
  });

  it('ignores decisions about unknown steps', () => {
    const registry = new ApprovalRegistry();
    expect(registry.decide('nope', 'run')).toBe(false);
    expect(registry.requestEdit('nope')).toBe(false);
  });

  it('returns the same promise when asked twice', () => {
    const registry = new ApprovalRegistry();
    expect(registry.request('a')).toBe(registry.request('a'));
  });

  it('keeps a step pending when edit is requested', () => {
    const registry = new ApprovalRegistry();
    const edits: string[] = [];
    registry.editRequested.connect((_, id) => edits.push(id));
    void registry.request('t/1');
    expect(registry.requestEdit('t/1')).toBe(true);
    expect(edits).toEqual(['t/1']);
    expect(registry.isPending('t/1')).toBe(true);
  });

  it('cancels one step, and all on dispose', async () => {
    const registry = new ApprovalRegistry();
    const a = registry.request('a');
    const b = registry.request('b');
    expect(registry.cancel('a')).toBe(true);
    await expect(a).resolves.toBe('cancelled');
    registry.dispose();
    await expect(b).resolves.toBe('cancelled');
    expect(registry.isDisposed).toBe(true);
    await expect(registry.request('c')).resolves.toBe('cancelled');
    registry.dispose();
  });

  it('names steps by turn and number', () => {
    expect(stepIdOf({ turnId: 'turn-7', step: 2 })).toBe('turn-7/2');
  });
});
