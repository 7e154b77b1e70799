/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { NotebookModel } from '@jupyterlab/notebook';

import {
  effectiveApprovalMode,
  getApprovalMode,
  getNotebookSettings,
  getProvenance,
  METADATA_KEY,
  setApprovalMode,
  setProvenance,
  statusOfOutcome,
  updateNotebookSettings,
  updateProvenance
} from '../notebook/metadata';

// Yjs warns about reads during cell creation outside a shared document.
beforeAll(() => {
  const warn = console.warn.bind(console);
  jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
    if (!String(args[0]).startsWith('Invalid access')) {
      warn(...args);
    }
  });
});

/**
 * A code cell inside a notebook model, as in a real notebook.
 */
function codeCell() {
  const notebook = new NotebookModel();
  notebook.sharedModel.insertCell(0, { cell_type: 'code', source: 'x = 1' });
  return notebook.cells.get(0);
}

describe('cell provenance', () => {
  it('round-trips and updates on a real cell model', () => {
    const cell = codeCell();
    expect(getProvenance(cell)).toBeNull();
    setProvenance(cell, {
      conversation: 'c1',
      turn: 't1',
      step: 1,
      status: 'proposed'
    });
    expect(getProvenance(cell)).toEqual({
      conversation: 'c1',
      turn: 't1',
      step: 1,
      status: 'proposed'
    });
    updateProvenance(cell, { status: 'done', outcome: 'ok', edited: true });
    expect(cell.getMetadata(METADATA_KEY)).toEqual({
      conversation: 'c1',
      turn: 't1',
      step: 1,
      status: 'done',
      outcome: 'ok',
      edited: true
    });
  });

  it('ignores malformed metadata and cells without provenance', () => {
    const cell = codeCell();
    expect(updateProvenance(cell, { status: 'done' })).toBeNull();
    expect(cell.getMetadata(METADATA_KEY)).toBeUndefined();
    cell.setMetadata(METADATA_KEY, { conversation: 'c', step: '1' });
    expect(getProvenance(cell)).toBeNull();
    cell.setMetadata(METADATA_KEY, {
      conversation: 'c',
      turn: 't',
      step: 1,
      status: 'weird'
    });
    expect(getProvenance(cell)).toBeNull();
  });

  it('maps outcomes to cell statuses', () => {
    expect(statusOfOutcome('ok')).toBe('done');
    expect(statusOfOutcome('error')).toBe('failed');
    expect(statusOfOutcome('timeout')).toBe('failed');
    expect(statusOfOutcome('kernel_died')).toBe('failed');
    expect(statusOfOutcome('skipped')).toBe('skipped');
    expect(statusOfOutcome('stopped')).toBe('stopped');
  });
});

describe('notebook settings', () => {
  it('stores the approval mode override beside the conversation id', () => {
    const notebook = new NotebookModel();
    expect(getApprovalMode(notebook)).toBeNull();
    expect(effectiveApprovalMode(notebook, 'ask')).toBe('ask');
    updateNotebookSettings(notebook, { conversation_id: 'abc' });
    setApprovalMode(notebook, 'auto-safe');
    expect(notebook.getMetadata(METADATA_KEY)).toEqual({
      conversation_id: 'abc',
      approval_mode: 'auto-safe'
    });
    expect(effectiveApprovalMode(notebook, 'ask')).toBe('auto-safe');
    setApprovalMode(notebook, null);
    expect(getNotebookSettings(notebook)).toEqual({ conversation_id: 'abc' });
    updateNotebookSettings(notebook, { conversation_id: undefined });
    expect(notebook.getMetadata(METADATA_KEY)).toBeUndefined();
  });

  it('rejects unknown modes and ignores malformed ones', () => {
    const notebook = new NotebookModel();
    expect(() => setApprovalMode(notebook, 'yolo' as 'auto')).toThrow(
      'Unknown approval mode'
    );
    notebook.setMetadata(METADATA_KEY, { approval_mode: 'yolo' });
    expect(getApprovalMode(notebook)).toBeNull();
    expect(effectiveApprovalMode(null, 'auto')).toBe('auto');
  });
});
