/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

/**
 * The cell commands meet the chat only through the public tokens: the
 * notebook's conversation from `IConversationManager`, the per-task model
 * aliases from `ICodeInterpreterSettings`.
 *
 * #### Notes
 * The notebook is JupyterLab's own (`NotebookPanel` and cells on the mocked
 * services); the conversation is a stand-in written against the public
 * interfaces, which is what another extension providing or using them sees.
 */

import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { RenderMimeRegistry } from '@jupyterlab/rendermime';
import { NBTestUtils } from '@jupyterlab/testutils';
import { CommandRegistry } from '@lumino/commands';
import { PromiseDelegate } from '@lumino/coreutils';
import { MessageLoop } from '@lumino/messaging';
import { ISignal, Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

import { DEFAULT_AGENT_SETTINGS } from '../agent/settings';
import type { IKernelState } from '../agent/tokens';
import { CellCommandIDs, cellCommandsPlugin } from '../cellcommands/plugin';
import { CodeInterpreterSettings } from '../settings';
import type {
  ChatStatus,
  IChatMessage,
  IConversationManager,
  IConversationModel,
  INotebookConversation,
  INotebookHost
} from '../tokens';
import { ChatPanel } from '../widgets/panel';

/**
 * A conversation model that records what the cell commands ask.
 */
class RecordingModel implements IConversationModel {
  readonly changed: ISignal<IConversationModel, void> = new Signal(this);
  readonly messages: IChatMessage[] = [];
  readonly status: ChatStatus = 'idle';
  readonly agentSettings = { ...DEFAULT_AGENT_SETTINGS };
  readonly asked: Array<{ prompt: string; display: string; alias?: string }> =
    [];

  async send(): Promise<void> {
    throw new Error('the cell commands do not send prompts');
  }

  async ask(
    prompt: string,
    options: IConversationModel.IAskOptions
  ): Promise<string | null> {
    this.asked.push({
      prompt,
      display: options.display,
      alias: options.modelAlias
    });
    return 'It prints a greeting.';
  }

  say(): void {
    // Nothing to show in these specs.
  }

  warn(): void {
    // Nothing to show in these specs.
  }

  async runStoppable<T>(
    work: (signal: AbortSignal) => Promise<T>
  ): Promise<T | null> {
    return work(new AbortController().signal);
  }

  stop(): void {
    // Nothing runs in these specs.
  }
}

/**
 * The kernel side of a conversation: its state only.
 */
function hostOf(panel: NotebookPanel): INotebookHost {
  const state: IKernelState = {
    variables: [],
    packages: {},
    cwd: '',
    files: []
  };
  const unused = (): never => {
    throw new Error('the explain command runs nothing');
  };
  return {
    panel,
    check: unused,
    runStep: unused,
    runCell: unused,
    runGatedCell: unused,
    kernelState: async () => state
  };
}

/**
 * Conversations that load when the test says so.
 */
class Conversations implements IConversationManager {
  constructor(readonly current: INotebookConversation) {}

  readonly currentChanged: ISignal<
    IConversationManager,
    INotebookConversation
  > = new Signal(this);
  readonly requested: NotebookPanel[] = [];
  readonly loaded = new PromiseDelegate<INotebookConversation>();

  conversationOf(panel: NotebookPanel): Promise<INotebookConversation> {
    this.requested.push(panel);
    return this.loaded.promise;
  }

  async send(): Promise<void> {
    throw new Error('the cell commands do not send prompts');
  }
}

describe('cellCommandsPlugin', () => {
  let panel: NotebookPanel;
  let tracker: INotebookTracker;

  // JupyterLab's warnings in jsdom (no clipboard; Yjs read, or an undo
  // manager made, before a new cell joins the document) are expected here;
  // any other warning shows.
  const warn = console.warn;
  beforeAll(() => {
    jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
      const text = String(args[0]);
      if (
        !/Clipboard API|Invalid access: Add Yjs type|Not same Y.Doc/.test(text)
      ) {
        warn(...args);
      }
    });
  });
  afterAll(() => jest.restoreAllMocks());

  beforeEach(async () => {
    const context = await NBTestUtils.createMockContext(false);
    panel = NBTestUtils.createNotebookPanel(context);
    const shared = panel.model!.sharedModel;
    shared.transact(() => {
      shared.deleteCellRange(0, shared.cells.length);
      shared.insertCells(0, [{ cell_type: 'code', source: 'print("hello")' }]);
    }, false);
    Widget.attach(panel, document.body);
    MessageLoop.flush();
    panel.content.activeCellIndex = 0;
    tracker = {
      currentWidget: panel,
      activeCellChanged: new Signal(panel),
      currentChanged: new Signal(panel),
      widgetAdded: new Signal(panel),
      forEach: (fn: (panel: NotebookPanel) => void) => fn(panel)
    } as unknown as INotebookTracker;
  });

  afterEach(() => {
    panel.context.dispose();
    panel.dispose();
  });

  /**
   * Activate the plugin as JupyterLab would, with the given tokens.
   */
  function activate(
    conversations: IConversationManager,
    settings: CodeInterpreterSettings,
    rightClicked: HTMLElement | null = null
  ) {
    const activated: string[] = [];
    const app = {
      commands: new CommandRegistry(),
      shell: { activateById: (id: string) => activated.push(id) },
      // JupyterLab's hit test: the first node, from the event's target up,
      // that passes the test.
      contextMenuHitTest: (test: (node: HTMLElement) => boolean) => {
        for (let node = rightClicked; node; node = node.parentElement) {
          if (test(node)) {
            return node;
          }
        }
        return undefined;
      }
    } as unknown as JupyterFrontEnd;
    cellCommandsPlugin.activate(
      app,
      tracker,
      new RenderMimeRegistry(),
      conversations,
      settings,
      null,
      null
    );
    return { commands: app.commands, activated };
  }

  it('requires the conversations and the settings by token', () => {
    const required = cellCommandsPlugin.requires!.map(t => t.name);
    expect(required).toContain(
      'jupyterlab-code-interpreter:IConversationManager'
    );
    expect(required).toContain(
      'jupyterlab-code-interpreter:ICodeInterpreterSettings'
    );
  });

  it("explains the cell in its notebook's conversation once it has loaded", async () => {
    const model = new RecordingModel();
    const conversations = new Conversations({
      model: new RecordingModel(),
      host: null,
      panel: null
    });
    const settings = new CodeInterpreterSettings();
    settings.update({ taskModels: { explain: 'fast' } });
    const { commands, activated } = activate(conversations, settings);

    expect(commands.isEnabled(CellCommandIDs.explain)).toBe(true);
    const done = commands.execute(CellCommandIDs.explain);
    await new Promise(resolve => setTimeout(resolve, 50));
    expect(conversations.requested).toEqual([panel]);
    expect(model.asked).toEqual([]);
    expect(activated).toEqual([]);

    conversations.loaded.resolve({ model, host: hostOf(panel), panel });
    await done;
    expect(activated).toEqual([ChatPanel.ID]);
    expect(model.asked).toHaveLength(1);
    expect(model.asked[0].display).toContain('print("hello")');
    expect(model.asked[0].prompt).toContain('print("hello")');
    expect(model.asked[0].alias).toBe('fast');
  });

  it('acts on the cell right-clicked from the context menu, on the active one otherwise', async () => {
    const shared = panel.model!.sharedModel;
    shared.insertCells(1, [{ cell_type: 'code', source: 'print("second")' }]);
    MessageLoop.flush();
    panel.content.activeCellIndex = 0;
    const model = new RecordingModel();
    const conversations = new Conversations({ model, host: null, panel: null });
    conversations.loaded.resolve({ model, host: hostOf(panel), panel });
    const editor = panel.content.widgets[1].node.querySelector(
      '.jp-InputArea-editor'
    ) as HTMLElement;
    const { commands } = activate(
      conversations,
      new CodeInterpreterSettings(),
      editor
    );

    await commands.execute(CellCommandIDs.explain, { isContextMenu: true });
    await commands.execute(CellCommandIDs.explain);
    expect(model.asked.map(a => a.prompt.includes('second'))).toEqual([
      true,
      false
    ]);
    expect(model.asked[1].prompt).toContain('print("hello")');
  });

  it('reads the task alias as the settings change, without loading them', async () => {
    const model = new RecordingModel();
    const conversations = new Conversations({ model, host: null, panel: null });
    conversations.loaded.resolve({ model, host: hostOf(panel), panel });
    const settings = new CodeInterpreterSettings();
    const { commands } = activate(conversations, settings);

    await commands.execute(CellCommandIDs.explain);
    settings.update({ taskModels: { explain: 'careful' } });
    await commands.execute(CellCommandIDs.explain);
    expect(model.asked.map(a => a.alias)).toEqual([undefined, 'careful']);
  });

  it('asks nothing for a conversation without a notebook host', async () => {
    const model = new RecordingModel();
    const conversations = new Conversations({ model, host: null, panel: null });
    conversations.loaded.resolve({ model, host: null, panel: null });
    const { commands, activated } = activate(
      conversations,
      new CodeInterpreterSettings()
    );

    await commands.execute(CellCommandIDs.explain);
    expect(model.asked).toEqual([]);
    expect(activated).toEqual([]);
  });

  it('is disabled, and asks for no conversation, without a notebook', async () => {
    tracker = { ...tracker, currentWidget: null } as INotebookTracker;
    const conversations = new Conversations({
      model: new RecordingModel(),
      host: null,
      panel: null
    });
    const { commands } = activate(conversations, new CodeInterpreterSettings());

    expect(commands.isEnabled(CellCommandIDs.explain)).toBe(false);
    await commands.execute(CellCommandIDs.explain);
    expect(conversations.requested).toEqual([]);
  });
});
