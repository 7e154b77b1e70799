/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

/**
 * The rules of a repair (notebook/replacement.ts): which cell a step takes
 * the place of, the attempts it records, and the `raises-exception` tag.
 */

import type * as nbformat from '@jupyterlab/nbformat';

import type { IFailedAttempt } from '../agent/tokens';
import {
  ICellProvenance,
  IMetadataHolder,
  METADATA_KEY
} from '../notebook/metadata';
import {
  ATTEMPT_EVALUE_LIMIT,
  ATTEMPT_SOURCE_LIMIT,
  attemptOf,
  attemptsOf,
  failedCellToReplace,
  isUnrepaired,
  RAISES_EXCEPTION_TAG,
  replacementProvenance,
  setRaisesException
} from '../notebook/replacement';

/**
 * A cell's metadata, as a map.
 */
class Holder implements IMetadataHolder {
  constructor(metadata: Record<string, unknown> = {}) {
    this.metadata = { ...metadata };
  }
  getMetadata(key: string): unknown {
    return this.metadata[key];
  }
  setMetadata(key: string, value: unknown): void {
    this.metadata[key] = value;
  }
  deleteMetadata(key: string): unknown {
    const value = this.metadata[key];
    delete this.metadata[key];
    return value;
  }
  metadata: Record<string, unknown>;
}

/**
 * A step cell of conversation `conv`.
 */
function stepCell(
  turn: string,
  step: number,
  status: ICellProvenance['status'],
  outcome?: ICellProvenance['outcome']
): Holder {
  return new Holder({
    [METADATA_KEY]: {
      conversation: 'conv',
      turn,
      step,
      status,
      ...(outcome ? { outcome } : {})
    }
  });
}

const REQUEST = {
  conversationId: 'conv',
  turnId: 't1',
  step: 3,
  mayReplaceFailed: true
};

describe('failedCellToReplace', () => {
  it('gives the turn’s last step cell when it failed at run time', () => {
    const cells = [
      new Holder(),
      stepCell('t1', 1, 'done', 'ok'),
      stepCell('t1', 2, 'failed', 'error'),
      new Holder()
    ];
    expect(failedCellToReplace(cells, REQUEST)).toBe(2);
  });

  it('takes timeouts and kernel deaths like errors', () => {
    for (const outcome of ['timeout', 'kernel_died'] as const) {
      const cells = [stepCell('t1', 2, 'failed', outcome)];
      expect(failedCellToReplace(cells, REQUEST)).toBe(0);
    }
  });

  it('finds it by step number, wherever the user moved it', () => {
    const cells = [
      stepCell('t1', 2, 'failed', 'error'),
      new Holder(),
      stepCell('t1', 1, 'done', 'ok')
    ];
    expect(failedCellToReplace(cells, REQUEST)).toBe(0);
  });

  it('gives -1 when the last step did not fail, or an earlier one did', () => {
    expect(
      failedCellToReplace(
        [stepCell('t1', 1, 'failed', 'error'), stepCell('t1', 2, 'done', 'ok')],
        REQUEST
      )
    ).toBe(-1);
    for (const status of ['skipped', 'stopped', 'proposed'] as const) {
      expect(failedCellToReplace([stepCell('t1', 2, status)], REQUEST)).toBe(
        -1
      );
    }
  });

  it('never takes another turn’s or conversation’s cell', () => {
    const other = stepCell('t1', 2, 'failed', 'error');
    (other.metadata[METADATA_KEY] as ICellProvenance).conversation = 'other';
    expect(
      failedCellToReplace(
        [stepCell('t0', 5, 'failed', 'error'), other],
        REQUEST
      )
    ).toBe(-1);
  });

  it('gives -1 for a call written without seeing the failure (a later call of the same reply)', () => {
    const cells = [stepCell('t1', 2, 'failed', 'error')];
    expect(
      failedCellToReplace(cells, { ...REQUEST, mayReplaceFailed: false })
    ).toBe(-1);
    expect(
      failedCellToReplace(cells, { ...REQUEST, mayReplaceFailed: undefined })
    ).toBe(-1);
  });

  it('ignores cells whose metadata is not ours or is malformed', () => {
    const cells = [
      new Holder({ [METADATA_KEY]: { turn: 't1', step: 2 } }),
      new Holder({ tags: ['x'] })
    ];
    expect(failedCellToReplace(cells, REQUEST)).toBe(-1);
  });
});

describe('attemptOf and replacementProvenance', () => {
  const failed: ICellProvenance = {
    conversation: 'conv',
    turn: 't1',
    step: 1,
    status: 'failed',
    outcome: 'error',
    edited: false
  };
  const error: nbformat.IError = {
    output_type: 'error',
    ename: 'KeyError',
    evalue: "'price '",
    traceback: ['\u001b[0;31mKeyError\u001b[0m: long traceback…']
  };

  it('keeps the source, the error’s name and message, and no traceback', () => {
    const attempt = attemptOf(failed, "df['price ']", [
      { output_type: 'stream', name: 'stdout', text: 'loaded\n' },
      error
    ]);
    expect(attempt).toEqual({
      step: 1,
      outcome: 'error',
      source: "df['price ']",
      ename: 'KeyError',
      evalue: "'price '"
    });
  });

  it('caps a long source and message, and drops colour codes', () => {
    const attempt = attemptOf(failed, 'x'.repeat(ATTEMPT_SOURCE_LIMIT + 10), [
      {
        ...error,
        ename: '\u001b[0;31mValueError\u001b[0m',
        evalue: 'v'.repeat(ATTEMPT_EVALUE_LIMIT * 2)
      }
    ]);
    expect(attempt.source).toHaveLength(ATTEMPT_SOURCE_LIMIT + 1);
    expect(attempt.source.endsWith('…')).toBe(true);
    expect(attempt.ename).toBe('ValueError');
    expect(attempt.evalue).toHaveLength(ATTEMPT_EVALUE_LIMIT + 1);
  });

  it('records a timeout without an error output', () => {
    const attempt = attemptOf({ ...failed, outcome: 'timeout' }, 'spin()', []);
    expect(attempt).toMatchObject({
      outcome: 'timeout',
      ename: '',
      evalue: ''
    });
  });

  it('gives the new step the cell, with the failed attempts accumulated', () => {
    const first: IFailedAttempt = {
      step: 1,
      outcome: 'error',
      source: 'a',
      ename: 'NameError',
      evalue: "name 'x' is not defined"
    };
    const second: IFailedAttempt = { ...first, step: 2, source: 'b' };
    const provenance = replacementProvenance(
      { ...failed, step: 2, attempts: [first] },
      second,
      { step: 3, needsApproval: true }
    );
    expect(provenance).toEqual({
      conversation: 'conv',
      turn: 't1',
      step: 3,
      status: 'proposed',
      attempts: [first, second]
    });
    expect(
      replacementProvenance(failed, first, { step: 2, needsApproval: false })
        .status
    ).toBe('running');
  });

  it('reads only well-formed attempts back from a notebook', () => {
    expect(
      attemptsOf({
        ...failed,
        attempts: [
          { step: 1, outcome: 'error', source: 'a', ename: 'E', evalue: '' },
          { step: 'two' },
          null
        ] as unknown as IFailedAttempt[]
      })
    ).toHaveLength(1);
    expect(attemptsOf(failed)).toEqual([]);
  });
});

describe('the raises-exception tag', () => {
  it('is added beside the user’s tags and removed without touching them', () => {
    const cell = new Holder({ tags: ['keep', 3] });
    setRaisesException(cell, true);
    expect(cell.metadata.tags).toEqual(['keep', RAISES_EXCEPTION_TAG]);
    setRaisesException(cell, true);
    expect(cell.metadata.tags).toEqual(['keep', RAISES_EXCEPTION_TAG]);
    setRaisesException(cell, false);
    expect(cell.metadata.tags).toEqual(['keep']);
  });

  it('leaves no empty tags list behind, and none where there was none', () => {
    const cell = new Holder();
    setRaisesException(cell, false);
    expect('tags' in cell.metadata).toBe(false);
    setRaisesException(cell, true);
    setRaisesException(cell, false);
    expect('tags' in cell.metadata).toBe(false);
  });

  it('marks a cell unrepaired only when its step failed and it is tagged', () => {
    const cell = stepCell('t1', 1, 'failed', 'error');
    expect(isUnrepaired(cell)).toBe(false);
    setRaisesException(cell, true);
    expect(isUnrepaired(cell)).toBe(true);
    const user = new Holder({ tags: [RAISES_EXCEPTION_TAG] });
    expect(isUnrepaired(user)).toBe(false);
  });
});
