/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { chunkPlan, IUploadBackend } from '../uploads/contents';
import { UploadQueue } from '../uploads/queue';
import { DEFAULT_UPLOAD_SETTINGS, IUploadSettings } from '../uploads/settings';
import { uploadSettingsFrom } from '../uploads/settings';
import { untranslated } from '../translate';

/**
 * A folder tree in memory, saving as the Contents API does.
 */
class MemoryFolders implements IUploadBackend {
  files = new Map<string, number>();
  folders = new Set<string>(['']);
  fail: string | null = null;

  async prepareFolder(folder: string): Promise<string[]> {
    this.folders.add(folder);
    const prefix = folder ? `${folder}/` : '';
    return [...this.files.keys()]
      .filter(
        p => p.startsWith(prefix) && !p.slice(prefix.length).includes('/')
      )
      .map(p => p.slice(prefix.length));
  }

  async save(
    file: Blob,
    path: string,
    onProgress: (fraction: number) => void
  ): Promise<void> {
    if (this.fail) {
      throw new Error(this.fail);
    }
    onProgress(0.5);
    this.files.set(path, file.size);
    onProgress(1);
  }
}

function queueOn(
  backend: IUploadBackend,
  settings: Partial<IUploadSettings> = {},
  notebookFolder = 'work'
): UploadQueue {
  return new UploadQueue({
    backend,
    settings: () => ({ ...DEFAULT_UPLOAD_SETTINGS, ...settings }),
    notebookFolder: () => notebookFolder,
    trans: untranslated
  });
}

function file(name: string, size = 10): File {
  return new File(['x'.repeat(size)], name);
}

describe('UploadQueue', () => {
  it('saves into the notebook folder and hands the attachment to the prompt', async () => {
    const backend = new MemoryFolders();
    const queue = queueOn(backend);
    await queue.add([file('data.csv')]);
    expect(backend.files.get('work/data.csv')).toBe(10);
    expect(queue.uploading).toBe(false);
    expect(queue.take()).toEqual([
      {
        name: 'data.csv',
        path: 'work/data.csv',
        localPath: 'data.csv',
        size: 10
      }
    ]);
    expect(queue.items).toEqual([]);
  });

  it('saves into the subfolder of the settings', async () => {
    const backend = new MemoryFolders();
    const queue = queueOn(backend, { folder: 'uploads' });
    await queue.add([file('a.png')]);
    expect(backend.files.has('work/uploads/a.png')).toBe(true);
    expect(queue.take()[0].localPath).toBe('uploads/a.png');
  });

  it('never overwrites: a second data.csv becomes data (1).csv', async () => {
    const backend = new MemoryFolders();
    backend.files.set('work/data.csv', 1);
    const queue = queueOn(backend);
    await queue.add([file('data.csv'), file('data.csv')]);
    expect([...backend.files.keys()].sort()).toEqual([
      'work/data (1).csv',
      'work/data (2).csv',
      'work/data.csv'
    ]);
    expect(backend.files.get('work/data.csv')).toBe(1);
  });

  it('saves a hostile name made safe, inside the folder', async () => {
    const backend = new MemoryFolders();
    const queue = queueOn(backend);
    await queue.add([file('../../etc/passwd')]);
    expect([...backend.files.keys()]).toEqual(['work/passwd']);
  });

  it('refuses a file over the limit before sending anything', async () => {
    const backend = new MemoryFolders();
    const queue = queueOn(backend, { maxSizeMB: 0.001 });
    await queue.add([file('big.csv', 2000), file('small.csv', 100)]);
    expect([...backend.files.keys()]).toEqual(['work/small.csv']);
    const refused = queue.items.find(item => item.name === 'big.csv');
    expect(refused?.status).toBe('refused');
    expect(refused?.message).toBe(
      'big.csv is 2.0 KB, larger than the upload limit of 0.001 MB: it was not uploaded.'
    );
    expect(queue.take().map(a => a.name)).toEqual(['small.csv']);
  });

  it('shows a failed save with its reason, and does not attach it', async () => {
    const backend = new MemoryFolders();
    backend.fail = 'disk full';
    const queue = queueOn(backend);
    await queue.add([file('x.csv')]);
    expect(queue.items[0].status).toBe('failed');
    expect(queue.items[0].message).toBe(
      'x.csv could not be uploaded: disk full'
    );
    expect(queue.take()).toEqual([]);
  });

  it('reports progress and can drop an attachment', async () => {
    const backend = new MemoryFolders();
    const queue = queueOn(backend, {}, '');
    const seen: number[] = [];
    queue.changed.connect(() => {
      const item = queue.items[0];
      if (item) {
        seen.push(item.progress);
      }
    });
    await queue.add([file('p.csv')]);
    expect(seen).toContain(0.5);
    expect(queue.items[0].attachment?.path).toBe('p.csv');
    queue.remove(queue.items[0].id);
    expect(queue.take()).toEqual([]);
  });
});

describe('chunkPlan', () => {
  it('sends a small file in one request', () => {
    expect(chunkPlan(10, 4)).toEqual([
      { start: 0, end: 4, chunk: 1 },
      { start: 4, end: 8, chunk: 2 },
      { start: 8, end: 10, chunk: -1 }
    ]);
    expect(chunkPlan(4, 4)).toEqual([{ start: 0, end: 4 }]);
    expect(chunkPlan(0, 4)).toEqual([{ start: 0, end: 0 }]);
  });

  it('numbers 1 MiB chunks as the file browser does', () => {
    const mib = 1024 * 1024;
    const plan = chunkPlan(3 * mib);
    expect(plan.map(p => p.chunk)).toEqual([1, 2, -1]);
    expect(chunkPlan(mib)).toEqual([{ start: 0, end: mib }]);
  });
});

describe('uploadSettingsFrom', () => {
  it('reads the settings, with safe folders and defaults', () => {
    expect(uploadSettingsFrom({})).toEqual(DEFAULT_UPLOAD_SETTINGS);
    expect(
      uploadSettingsFrom({
        uploadFolder: '../../up',
        maxUploadSizeMB: 2,
        attachmentTokenBudget: 300
      })
    ).toEqual({ folder: 'up', maxSizeMB: 2, summaryTokenBudget: 300 });
    expect(uploadSettingsFrom({ maxUploadSizeMB: -1 }).maxSizeMB).toBe(512);
  });
});
