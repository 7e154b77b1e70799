/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { nullTranslator } from '@jupyterlab/translation';
import { MessageLoop } from '@lumino/messaging';
import { Title, Widget } from '@lumino/widgets';
import type { NotebookPanel } from '@jupyterlab/notebook';

import { Signal } from '@lumino/signaling';

import { ChatModel } from '../conversation/model';
import type { IConversation } from '../conversation/manager';
import { ApprovalRegistry } from '../notebook/approvals';
import type { IChatClient, IGatewayStatus, IStreamChunk } from '../tokens';
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

const notConfigured: IGatewayStatus = {
  configured: false,
  source: null,
  kind: null,
  models: [],
  message: 'Set AZURE_OPENAI_ENDPOINT or OPENAI_BASE_URL.'
};

/**
 * The conversations of a panel with no notebook open: one plain chat.
 */
function conversations(model: ChatModel): ChatPanel.IConversations {
  const current: IConversation = {
    model,
    approvals: new ApprovalRegistry(),
    host: null,
    panel: null
  };
  const source: ChatPanel.IConversations = {
    current,
    currentChanged: new Signal<ChatPanel.IConversations, IConversation>(
      {} as ChatPanel.IConversations
    ),
    approvalMode: 'ask',
    setApprovalMode: () => undefined,
    send: text => model.send(text)
  };
  return source;
}

async function flush(panel: ChatPanel): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await new Promise(resolve => setTimeout(resolve, 0));
    MessageLoop.flush();
    await panel.renderPromise;
  }
}

describe('ChatPanel', () => {
  it('renders the contract selectors through a conversation', async () => {
    let release: () => void = () => undefined;
    const client: IChatClient = {
      async *streamChat(): AsyncIterable<IStreamChunk> {
        yield { choices: [{ delta: { content: 'Partial' } }] };
        await new Promise<void>(resolve => (release = resolve));
      }
    };
    const model = new ChatModel({ client });
    const panel = new ChatPanel({
      manager: conversations(model),
      rendermime,
      trans: nullTranslator.load('jupyterlab_code_interpreter'),
      fetchStatus: async () => notConfigured,
      openSettings: () => undefined
    });
    Widget.attach(panel, document.body);
    await flush(panel);

    const node = panel.node;
    expect(node.id).toBe('jp-code-interpreter-panel');
    expect(node.classList).toContain('jp-CodeInterpreter-panel');
    const empty = node.querySelector('.jp-CodeInterpreter-emptyState');
    expect(empty?.getAttribute('data-configured')).toBe('false');
    expect(
      node.querySelector('.jp-CodeInterpreter-guidance')?.textContent
    ).toContain('OPENAI_BASE_URL');
    expect(
      node.querySelector('textarea.jp-CodeInterpreter-input')
    ).toBeTruthy();
    expect(node.querySelector('.jp-CodeInterpreter-send')).toBeTruthy();
    expect(node.querySelector('.jp-CodeInterpreter-stop')).toBeNull();

    const sending = model.send('Hello?');
    await flush(panel);
    const assistant = node.querySelector(
      '.jp-CodeInterpreter-message[data-role="assistant"]'
    );
    expect(assistant?.getAttribute('data-status')).toBe('streaming');
    expect(
      assistant?.querySelector('.jp-CodeInterpreter-messageBody')?.textContent
    ).toBe('Partial');
    expect(
      node.querySelector('.jp-CodeInterpreter-messages')?.getAttribute('role')
    ).toBe('log');
    const stop = node.querySelector<HTMLButtonElement>(
      '.jp-CodeInterpreter-stop'
    );
    expect(stop).toBeTruthy();
    expect(
      node.querySelector<HTMLTextAreaElement>('.jp-CodeInterpreter-input')
        ?.disabled
    ).toBe(true);

    stop?.click();
    release();
    await sending;
    await flush(panel);
    expect(
      node
        .querySelector('.jp-CodeInterpreter-message[data-role="assistant"]')
        ?.getAttribute('data-status')
    ).toBe('stopped');
    expect(node.querySelector('.jp-CodeInterpreter-stop')).toBeNull();
    panel.dispose();
  });

  it("shows a notebook's new name as soon as it is renamed", async () => {
    const model = new ChatModel({
      client: { streamChat: async function* () {} }
    });
    const title = new Title({ owner: {}, label: 'Untitled.ipynb' });
    const notebook = {
      title,
      context: { path: 'Untitled.ipynb' }
    } as unknown as NotebookPanel;
    const manager = conversations(model);
    (manager as { current: IConversation }).current = {
      ...manager.current,
      panel: notebook
    };
    const panel = new ChatPanel({
      manager,
      rendermime,
      trans: nullTranslator.load('jupyterlab_code_interpreter'),
      fetchStatus: async () => notConfigured,
      openSettings: () => undefined
    });
    Widget.attach(panel, document.body);
    await flush(panel);
    const name = () =>
      panel.node.querySelector('.jp-CodeInterpreter-notebookName')?.textContent;
    expect(name()).toBe('Untitled.ipynb');

    title.label = 'sales.ipynb';
    await flush(panel);
    expect(name()).toBe('sales.ipynb');
    panel.dispose();
  });
});
