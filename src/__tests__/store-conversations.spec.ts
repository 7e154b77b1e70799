/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { NotebookModel } from '@jupyterlab/notebook';
import { StateDB } from '@jupyterlab/statedb';
import { Signal } from '@lumino/signaling';

import { getNotebookSettings } from '../notebook/metadata';
import { ConversationStore, IConversationOwner } from '../store';

function owner(
  path: string,
  model = new NotebookModel()
): IConversationOwner & {
  context: { path: string };
} {
  return { context: { path }, model };
}

describe('ConversationStore', () => {
  it('round-trips a conversation and writes its id into the notebook', async () => {
    const state = new StateDB();
    const store = new ConversationStore({ state, window: null });
    const notebook = owner('a.ipynb');
    expect(await store.load(notebook)).toBeNull();
    const json = { messages: [{ role: 'user', content: '你好' }] };
    await store.save(notebook, json);
    const id = getNotebookSettings(notebook.model!).conversation_id;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await store.load(notebook)).toEqual(json);
    expect(await store.ensureId(notebook)).toBe(id);
  });

  it('follows the id in the metadata through a rename', async () => {
    const state = new StateDB();
    const store = new ConversationStore({ state, window: null });
    const notebook = owner('old.ipynb');
    await store.save(notebook, { n: 1 });
    notebook.context.path = 'renamed/new.ipynb';
    expect(await store.load(notebook)).toEqual({ n: 1 });
  });

  it('finds a conversation by path when the id never reached the file', async () => {
    const state = new StateDB();
    const store = new ConversationStore({ state, window: null });
    await store.save(owner('b.ipynb'), { n: 2 });
    // The notebook was reloaded from a file saved before the id was written.
    expect(await store.load(owner('b.ipynb'))).toEqual({ n: 2 });
    expect(await store.load(owner('other.ipynb'))).toBeNull();
  });

  it('survives a new state database built from the saved one', async () => {
    const state = new StateDB();
    const store = new ConversationStore({ state, window: null });
    const notebook = owner('c.ipynb');
    await store.save(notebook, { n: 3 });
    const restored = new StateDB({
      transform: Promise.resolve({
        type: 'overwrite',
        contents: await state.toJSON()
      })
    });
    const again = new ConversationStore({ state: restored, window: null });
    expect(await again.load(notebook)).toEqual({ n: 3 });
    await again.remove(notebook);
    expect(await again.load(notebook)).toBeNull();
  });

  it('autosaves at most once per delay and on beforeunload', async () => {
    jest.useFakeTimers();
    try {
      const state = new StateDB();
      const target = new EventTarget();
      const store = new ConversationStore({
        state,
        delay: 1000,
        window: target as Window
      });
      const notebook = owner('d.ipynb');
      const save = jest.spyOn(store, 'save');
      let value = 0;
      const changed = new Signal<object, void>({});
      const source = { changed, toJSON: () => ({ value }) };
      const autosave = store.autosave(notebook, source);
      value = 1;
      changed.emit();
      value = 2;
      changed.emit();
      expect(save).not.toHaveBeenCalled();
      jest.advanceTimersByTime(1000);
      expect(save).toHaveBeenCalledTimes(1);
      expect(save).toHaveBeenLastCalledWith(notebook, { value: 2 });
      value = 3;
      changed.emit();
      target.dispatchEvent(new Event('beforeunload'));
      expect(save).toHaveBeenCalledTimes(2);
      expect(save).toHaveBeenLastCalledWith(notebook, { value: 3 });
      target.dispatchEvent(new Event('beforeunload'));
      expect(save).toHaveBeenCalledTimes(2);
      autosave.dispose();
      changed.emit();
      jest.advanceTimersByTime(5000);
      expect(save).toHaveBeenCalledTimes(2);
      expect(autosave.isDisposed).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });
  it('saves at once a change made while the source is settled', async () => {
    jest.useFakeTimers();
    try {
      const store = new ConversationStore({
        state: new StateDB(),
        delay: 1000,
        window: null
      });
      const notebook = owner('e.ipynb');
      const save = jest.spyOn(store, 'save');
      let value = 0;
      let settled = false;
      const changed = new Signal<object, void>({});
      const source = {
        changed,
        toJSON: () => ({ value }),
        settled: () => settled
      };
      const autosave = store.autosave(notebook, source);
      value = 1;
      changed.emit();
      expect(save).not.toHaveBeenCalled();
      // The turn ends: saved without waiting, and the pending save is dropped.
      value = 2;
      settled = true;
      changed.emit();
      expect(save).toHaveBeenCalledTimes(1);
      expect(save).toHaveBeenLastCalledWith(notebook, { value: 2 });
      jest.advanceTimersByTime(5000);
      expect(save).toHaveBeenCalledTimes(1);
      autosave.dispose();
    } finally {
      jest.useRealTimers();
    }
  });
});
