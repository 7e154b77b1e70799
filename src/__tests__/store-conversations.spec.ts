/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { NotebookModel } from '@jupyterlab/notebook';
import { Signal } from '@lumino/signaling';

import { getNotebookSettings } from '../notebook/metadata';
import {
  ConversationStore,
  IConversationBackend,
  IConversationOwner,
  IConversationRecord
} from '../store';

/**
 * A backend with the server's rules (path index, newer revisions win), in
 * memory; the real one is tested against a real server in Python and ui-tests.
 */
class MemoryBackend implements IConversationBackend {
  records = new Map<string, IConversationRecord>();
  index = new Map<string, string>();
  keepalives: boolean[] = [];

  async find(path: string): Promise<string | null> {
    return this.index.get(path) ?? null;
  }
  async load(id: string): Promise<IConversationRecord | null> {
    return this.records.get(id) ?? null;
  }
  async save(
    id: string,
    record: IConversationRecord,
    options: { keepalive?: boolean } = {}
  ): Promise<boolean> {
    this.keepalives.push(!!options.keepalive);
    const stored = this.records.get(id);
    if (stored && stored.revision > record.revision) {
      return false;
    }
    this.records.set(id, JSON.parse(JSON.stringify(record)));
    this.index.set(record.path, id);
    return true;
  }
  async remove(id: string): Promise<void> {
    this.records.delete(id);
    for (const [path, known] of [...this.index]) {
      if (known === id) {
        this.index.delete(path);
      }
    }
  }
}

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
    const backend = new MemoryBackend();
    const store = new ConversationStore({ backend, window: null });
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
    const backend = new MemoryBackend();
    const store = new ConversationStore({ backend, window: null });
    const notebook = owner('old.ipynb');
    await store.save(notebook, { n: 1 });
    notebook.context.path = 'renamed/new.ipynb';
    expect(await store.load(notebook)).toEqual({ n: 1 });
  });

  it('finds a conversation by path when the id never reached the file', async () => {
    const backend = new MemoryBackend();
    const store = new ConversationStore({ backend, window: null });
    await store.save(owner('b.ipynb'), { n: 2 });
    // The notebook was reloaded from a file saved before the id was written.
    expect(await store.load(owner('b.ipynb'))).toEqual({ n: 2 });
    expect(await store.load(owner('other.ipynb'))).toBeNull();
  });

  it('is found again by a new store (a reloaded page) and can be removed', async () => {
    const backend = new MemoryBackend();
    const notebook = owner('c.ipynb');
    await new ConversationStore({ backend, window: null }).save(notebook, {
      n: 3
    });
    const again = new ConversationStore({ backend, window: null });
    expect(await again.load(notebook)).toEqual({ n: 3 });
    await again.remove(notebook);
    expect(await again.load(notebook)).toBeNull();
  });

  it('numbers saves so a late earlier save cannot overwrite a later one', async () => {
    const backend = new MemoryBackend();
    const store = new ConversationStore({ backend, window: null });
    const notebook = owner('late.ipynb');
    const id = await store.ensureId(notebook);
    // The first save is slow and arrives after the second one.
    const save = backend.save.bind(backend);
    let releaseFirst = (): void => undefined;
    const firstHeld = new Promise<void>(resolve => (releaseFirst = resolve));
    let calls = 0;
    jest
      .spyOn(backend, 'save')
      .mockImplementation(async (key, record, options) => {
        if (calls++ === 0) {
          await firstHeld;
        }
        return save(key, record, options);
      });
    const first = store.save(notebook, { text: 'half an answer' });
    const second = store.save(notebook, { text: 'the whole answer' });
    expect(await second).toBe(true);
    releaseFirst();
    expect(await first).toBe(false);
    expect(backend.records.get(id)?.data).toEqual({
      text: 'the whole answer'
    });
    expect(await store.save(notebook, { text: 'next' })).toBe(true);
    expect(backend.records.get(id)?.data).toEqual({ text: 'next' });
  });

  it('autosaves at most once per delay and on beforeunload', async () => {
    jest.useFakeTimers();
    try {
      const backend = new MemoryBackend();
      const target = new EventTarget();
      const store = new ConversationStore({
        backend,
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
      await jest.advanceTimersByTimeAsync(1000);
      expect(save).toHaveBeenCalledTimes(1);
      expect(save).toHaveBeenLastCalledWith(
        notebook,
        { value: 2 },
        { keepalive: false }
      );
      value = 3;
      changed.emit();
      target.dispatchEvent(new Event('beforeunload'));
      expect(save).toHaveBeenCalledTimes(2);
      expect(save).toHaveBeenLastCalledWith(
        notebook,
        { value: 3 },
        { keepalive: true }
      );
      target.dispatchEvent(new Event('beforeunload'));
      expect(save).toHaveBeenCalledTimes(2);
      autosave.dispose();
      changed.emit();
      await jest.advanceTimersByTimeAsync(5000);
      expect(save).toHaveBeenCalledTimes(2);
      expect(autosave.isDisposed).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });
  it('counts the delay from the first change, not the last', async () => {
    jest.useFakeTimers();
    try {
      const store = new ConversationStore({
        backend: new MemoryBackend(),
        delay: 1000,
        window: null
      });
      const notebook = owner('g.ipynb');
      const save = jest.spyOn(store, 'save');
      let value = 0;
      const changed = new Signal<object, void>({});
      const autosave = store.autosave(notebook, {
        changed,
        toJSON: () => ({ value })
      });
      // A reply streams a change every 300 ms (0, 300, …, 2100): saves come at
      // 1000 (from the change at 0) and 2200 (from the one at 1200).
      for (let change = 1; change <= 8; change++) {
        value = change;
        changed.emit();
        await jest.advanceTimersByTimeAsync(300);
      }
      expect(save).toHaveBeenCalledTimes(2);
      expect(save.mock.calls.map(call => call[1])).toEqual([
        { value: 4 },
        { value: 8 }
      ]);
      autosave.dispose();
    } finally {
      jest.useRealTimers();
    }
  });

  it('saves at once a change made while the source is settled', async () => {
    jest.useFakeTimers();
    try {
      const store = new ConversationStore({
        backend: new MemoryBackend(),
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
      expect(save).toHaveBeenLastCalledWith(
        notebook,
        { value: 2 },
        { keepalive: false }
      );
      await jest.advanceTimersByTimeAsync(5000);
      expect(save).toHaveBeenCalledTimes(1);
      autosave.dispose();
    } finally {
      jest.useRealTimers();
    }
  });

  it('says once why saving fails, and saves everything with the next change', async () => {
    const backend = new MemoryBackend();
    const errors: string[] = [];
    const store = new ConversationStore({
      backend,
      window: null,
      onSaveError: message => errors.push(message)
    });
    const notebook = owner('f.ipynb');
    const id = await store.ensureId(notebook);
    const save = jest
      .spyOn(backend, 'save')
      .mockRejectedValue(
        new Error('Invalid response: 503 Service Unavailable')
      );
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    let value = 0;
    const changed = new Signal<object, void>({});
    const source = { changed, toJSON: () => ({ value }), settled: () => true };
    const autosave = store.autosave(notebook, source);
    for (value = 1; value <= 2; value++) {
      changed.emit();
      await new Promise(resolve => setTimeout(resolve, 0));
    }
    expect(errors).toEqual(['Invalid response: 503 Service Unavailable']);
    save.mockRestore();
    value = 3;
    changed.emit();
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(backend.records.get(id)?.data).toEqual({ value: 3 });
    autosave.dispose();
  });

  it('writes a new id into the notebook as the user saves it, not before', async () => {
    const backend = new MemoryBackend();
    const store = new ConversationStore({ backend, window: null });
    const model = new NotebookModel();
    const saveState = new Signal<object, string>({});
    const notebook = {
      context: { path: 'clean.ipynb', saveState },
      model
    };
    model.dirty = false;
    // Two saves at once (a streamed answer, then the page closing) share one id.
    await Promise.all([
      store.save(notebook, { n: 1 }),
      store.save(notebook, { n: 2 })
    ]);
    expect(backend.records.size).toBe(1);
    const [id] = backend.records.keys();
    // Asking a question left the notebook clean, and the chat is found by path.
    expect(model.dirty).toBe(false);
    expect(getNotebookSettings(model).conversation_id).toBeUndefined();
    expect(await store.load(owner('clean.ipynb'))).toEqual({ n: 2 });
    // The user saves the file: the id goes into this save.
    saveState.emit('started');
    expect(getNotebookSettings(model).conversation_id).toBe(id);
  });
});
