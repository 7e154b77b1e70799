/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { nullTranslator } from '@jupyterlab/translation';
import { MessageLoop } from '@lumino/messaging';
import { Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { ChatModel } from '../conversation/model';
import type { IConversation } from '../conversation/manager';
import { ApprovalRegistry } from '../notebook/approvals';
import type { IAttachment, IChatClient, IStreamChunk } from '../tokens';
import { untranslated } from '../translate';
import type { IUploadBackend } from '../uploads/contents';
import { UploadQueue } from '../uploads/queue';
import { DEFAULT_UPLOAD_SETTINGS } from '../uploads/settings';
import { MessageAttachments } from '../widgets/attachments';
import { DROP_TARGET_CLASS } from '../widgets/filedrop';
import { ChatPanel } from '../widgets/panel';

/**
 * A markdown renderer stand-in that shows the raw text.
 */
class TextRenderer extends Widget {
  async renderModel(model: {
    data: { [key: string]: unknown };
  }): Promise<void> {
    this.node.textContent = String(model.data['text/markdown']);
  }
}

const rendermime = {
  createRenderer: () => new TextRenderer()
} as unknown as IRenderMimeRegistry;

const client: IChatClient = {
  async *streamChat(): AsyncIterable<IStreamChunk> {
    yield { choices: [{ delta: { content: 'ok' } }] };
  }
};

class Saved implements IUploadBackend {
  paths: string[] = [];
  async prepareFolder(): Promise<string[]> {
    return this.paths.map(p => p.split('/').pop() ?? p);
  }
  async save(_: Blob, path: string, progress: (f: number) => void) {
    progress(1);
    this.paths.push(path);
  }
}

async function flush(panel: ChatPanel): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await new Promise(resolve => setTimeout(resolve, 0));
    MessageLoop.flush();
    await panel.renderPromise;
  }
}

function setUp(maxSizeMB = 512) {
  const model = new ChatModel({ client });
  const sent: { text: string; attachments?: IAttachment[] }[] = [];
  const current: IConversation = {
    model,
    approvals: new ApprovalRegistry(),
    host: null,
    panel: null
  };
  const backend = new Saved();
  const uploads = new UploadQueue({
    backend,
    settings: () => ({ ...DEFAULT_UPLOAD_SETTINGS, maxSizeMB }),
    notebookFolder: () => 'nb',
    trans: untranslated
  });
  const panel = new ChatPanel({
    manager: {
      current,
      currentChanged: new Signal<ChatPanel.IConversations, IConversation>(
        {} as ChatPanel.IConversations
      ),
      approvalMode: 'ask',
      setApprovalMode: () => undefined,
      send: async (text, attachments) => {
        sent.push({ text, attachments });
        await model.send(text, { files: attachments ?? [], context: '' });
      }
    },
    rendermime,
    trans: nullTranslator.load('jupyterlab_code_interpreter'),
    fetchStatus: async () => ({
      configured: true,
      source: null,
      kind: null,
      models: [],
      message: ''
    }),
    openSettings: () => undefined,
    uploads
  });
  Widget.attach(panel, document.body);
  return { panel, sent, backend, uploads };
}

/**
 * A drag event carrying files (jsdom has no DataTransfer).
 */
function fileDrag(type: string, files: File[]): Event {
  const event = new Event(type, { bubbles: true, cancelable: true });
  Object.defineProperty(event, 'dataTransfer', {
    value: { types: ['Files'], files, dropEffect: 'none' }
  });
  return event;
}

describe('uploads in the chat panel', () => {
  it('takes dropped files, shows chips, and sends them with the prompt', async () => {
    const { panel, sent, backend } = setUp();
    await flush(panel);
    const node = panel.node;
    node.dispatchEvent(fileDrag('dragenter', []));
    expect(node.classList).toContain(DROP_TARGET_CLASS);
    const drop = fileDrag('drop', [new File(['a,b\n1,2\n'], 'sales.csv')]);
    node.dispatchEvent(drop);
    expect(drop.defaultPrevented).toBe(true);
    expect(node.classList).not.toContain(DROP_TARGET_CLASS);
    await flush(panel);
    expect(backend.paths).toEqual(['nb/sales.csv']);
    const chip = node.querySelector(
      '.jp-CodeInterpreter-attachments.jp-mod-pending .jp-CodeInterpreter-attachment'
    );
    expect(chip?.getAttribute('data-status')).toBe('done');
    expect(chip?.textContent).toContain('sales.csv');

    await panel.model.send('plot it', {
      files: [{ name: 'x.csv', path: 'nb/x.csv', localPath: 'x.csv', size: 1 }],
      context: ''
    });
    await flush(panel);
    expect(
      node.querySelector(
        '.jp-CodeInterpreter-message[data-role="user"] .jp-CodeInterpreter-attachment'
      )?.textContent
    ).toContain('x.csv');
    expect(sent).toEqual([]);
    panel.dispose();
  });

  it('shows a refused file with its message, and sends none of it', async () => {
    const { panel, backend, uploads } = setUp(0.001);
    await flush(panel);
    await uploads.add([new File(['x'.repeat(5000)], 'big.csv')]);
    await flush(panel);
    const chip = panel.node.querySelector('.jp-CodeInterpreter-attachment');
    expect(chip?.getAttribute('data-status')).toBe('refused');
    expect(chip?.querySelector('[role="alert"]')?.textContent).toContain(
      'larger than the upload limit of 0.001 MB'
    );
    expect(backend.paths).toEqual([]);
    panel.dispose();
  });

  it('takes files pasted into the prompt, with a progress bar while they upload', async () => {
    const { panel, backend, uploads } = setUp();
    let finish: () => void = () => undefined;
    backend.save = async (_, path, progress) => {
      progress(0.4);
      await new Promise<void>(resolve => (finish = resolve));
      backend.paths.push(path);
    };
    await flush(panel);
    const box = panel.node.querySelector('textarea.jp-CodeInterpreter-input')!;
    const paste = new Event('paste', { bubbles: true, cancelable: true });
    Object.defineProperty(paste, 'clipboardData', {
      value: { files: [new File(['png'], 'image.png')] }
    });
    box.dispatchEvent(paste);
    await flush(panel);
    expect(paste.defaultPrevented).toBe(true);
    const bar = panel.node.querySelector<HTMLProgressElement>(
      '.jp-CodeInterpreter-attachment progress'
    );
    expect(bar?.value).toBeCloseTo(0.4);
    expect(uploads.uploading).toBe(true);
    expect(
      panel.node.querySelector<HTMLButtonElement>('.jp-CodeInterpreter-send')
        ?.title
    ).toBe('Waiting for the attached files to upload');
    finish();
    await flush(panel);
    expect(backend.paths).toEqual(['nb/image.png']);
    expect(
      panel.node.querySelector('.jp-CodeInterpreter-attachment progress')
    ).toBeNull();
    panel.dispose();
  });

  it('has a picker button, and sends the prompt with what was uploaded', async () => {
    const { panel, sent } = setUp();
    await flush(panel);
    const input = panel.node.querySelector<HTMLInputElement>(
      'input[type="file"].jp-CodeInterpreter-fileInput'
    );
    expect(input?.multiple).toBe(true);
    expect(
      panel.node.querySelector('button.jp-CodeInterpreter-attach')
    ).toBeTruthy();
    Object.defineProperty(input, 'files', {
      value: [new File(['1'], '../../etc/passwd')],
      configurable: true
    });
    input?.dispatchEvent(new Event('change', { bubbles: true }));
    await flush(panel);
    const box = panel.node.querySelector<HTMLTextAreaElement>(
      'textarea.jp-CodeInterpreter-input'
    )!;
    const setter = Object.getOwnPropertyDescriptor(
      HTMLTextAreaElement.prototype,
      'value'
    )!.set!;
    setter.call(box, 'what is in it?');
    box.dispatchEvent(new Event('input', { bubbles: true }));
    await flush(panel);
    panel.node
      .querySelector<HTMLButtonElement>('.jp-CodeInterpreter-send')
      ?.click();
    await flush(panel);
    expect(sent[0].text).toBe('what is in it?');
    expect(sent[0].attachments?.map(a => a.path)).toEqual(['nb/passwd']);
    expect(
      panel.node.querySelector('.jp-CodeInterpreter-attachments.jp-mod-pending')
    ).toBeNull();
    panel.dispose();
  });
});

describe('MessageAttachments', () => {
  it('opens a sent file in JupyterLab from its chip', async () => {
    const opened: string[] = [];
    const widget = ReactWidget.create(
      <MessageAttachments
        attachments={[
          { name: 'a.csv', path: 'nb/a.csv', localPath: 'a.csv', size: 2048 }
        ]}
        onOpen={path => opened.push(path)}
        trans={nullTranslator.load('jupyterlab_code_interpreter')}
      />
    );
    Widget.attach(widget, document.body);
    MessageLoop.flush();
    await widget.renderPromise;
    const open = widget.node.querySelector<HTMLButtonElement>(
      'button.jp-CodeInterpreter-attachmentOpen'
    );
    expect(open?.textContent).toBe('a.csv');
    expect(widget.node.textContent).toContain('2.0 KB');
    open?.click();
    expect(opened).toEqual(['nb/a.csv']);
    widget.dispose();
  });
});
