/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

/**
 * The cell commands' flows (`CellActions`): what Explain, Ask and Fix send,
 * and what Apply, Run and Reject do to the cell. The notebook, its cells,
 * the host and the conversation model are real; the model's answers come
 * from `ScriptedClient` and the kernel is the scripted mock kernel of
 * `notebook-fakes.ts`.
 */

import type { CodeCell } from '@jupyterlab/cells';
import type * as nbformat from '@jupyterlab/nbformat';
import {
  acceptDialog,
  dismissDialog,
  waitForDialog
} from '@jupyterlab/testutils';
import { EditorLanguageRegistry } from '@jupyterlab/codemirror';
import { nullTranslator } from '@jupyterlab/translation';

import { language } from '../agent/language';
import type { IAgentSettings } from '../agent/settings';
import { CellActions } from '../cellcommands/actions';
import { ChatModel } from '../conversation/model';
import { ApprovalRegistry } from '../notebook/approvals';
import { NotebookExecutionHost } from '../notebook/host';
import type { IChatRequest } from '../tokens';
import { ScriptedClient, text } from './agent-fakes';
import { FakeTools } from './notebook-fakes';
import {
  closeNotebooks,
  hushKnownWarnings,
  openNotebook,
  settle
} from './notebook-fixture';

const trans = nullTranslator.load('jupyterlab_code_interpreter');

const BROKEN = 'print(sum(values) / len(valuez))';
const FIXED = 'print(sum(values) / len(values))';
const NAME_ERROR: nbformat.IError = {
  output_type: 'error',
  ename: 'NameError',
  evalue: "name 'valuez' is not defined",
  traceback: ["NameError: name 'valuez' is not defined"]
};

/**
 * An answer proposing `code` as the fix.
 */
function fixAnswer(code: string) {
  return text(`Use the right name.\n\n\`\`\`python\n${code}\n\`\`\``);
}

/**
 * JupyterLab's editor languages, where the cell commands find Python.
 */
const languages = new EditorLanguageRegistry();
EditorLanguageRegistry.getDefaultLanguages().forEach(language =>
  languages.addLanguage(language)
);

/**
 * A notebook whose last cell is `BROKEN` with its error, its host and a
 * conversation answering with `replies`.
 */
async function setUp(
  replies: ReturnType<typeof text>[],
  options: {
    agentSettings?: Partial<IAgentSettings>;
    languageCode?: string;
  } = {}
) {
  // JupyterLab's default: undo per cell, not per notebook.
  const nb = await openNotebook(['values = [3, 5, 10]', BROKEN], {
    documentUndo: false
  });
  const cell = nb.panel.content.widgets[1] as CodeCell;
  cell.model.outputs.add(NAME_ERROR);
  const tools = new FakeTools(nb.kernel);
  const host = new NotebookExecutionHost({
    panel: nb.panel,
    approvals: new ApprovalRegistry(),
    createKernelTools: () => tools,
    trans
  });
  const client = new ScriptedClient(...replies);
  const model = new ChatModel({
    client,
    agentSettings: { approvalMode: 'ask', ...options.agentSettings }
  });
  const actions = new CellActions({
    trans,
    languages,
    languageCode: () => options.languageCode ?? 'en-US',
    taskModel: task => `${task}-model`
  });
  return {
    ...nb,
    cell,
    tools,
    client,
    model,
    actions,
    target: { panel: nb.panel, cell, model, host }
  };
}

/**
 * The text of the last user message of a request.
 */
function promptOf(request: IChatRequest): string {
  const last = request.messages[request.messages.length - 1];
  return typeof last.content === 'string'
    ? last.content
    : JSON.stringify(last.content);
}

/**
 * Wait until `find` finds something, letting the page run.
 */
async function until<T>(find: () => T | null | undefined): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const found = find();
    if (found) {
      return found;
    }
    await settle(1);
  }
  throw new Error(`Not found: ${find}`);
}

/**
 * Click a button of the fix's diff in the cell, once it shows.
 */
async function clickInDiff(cell: CodeCell, selector: string): Promise<void> {
  const button = await until(() =>
    cell.node.querySelector<HTMLButtonElement>(
      `.jp-CodeInterpreter-diff ${selector}`
    )
  );
  button.click();
}

/**
 * Type an answer into the open input dialog and accept it.
 */
async function answerDialog(value: string): Promise<void> {
  await waitForDialog(document.body, 5000);
  const input = document.querySelector<HTMLInputElement>('.jp-Dialog input');
  input!.value = value;
  await acceptDialog(document.body, 5000);
}

/**
 * The chat's assistant messages.
 */
function said(model: ChatModel): string[] {
  return model.messages
    .filter(message => message.role === 'assistant')
    .map(message => message.content);
}

hushKnownWarnings();

beforeAll(() => {
  // jsdom lays nothing out, so it has no scrolling.
  Element.prototype.scrollIntoView ??= () => undefined;
});

afterEach(() => {
  closeNotebooks();
  document.body.innerHTML = '';
});

describe('CellActions.explain', () => {
  it('sends the cell with the definitions and variables it uses, under the explain model', async () => {
    const { actions, target, client, model } = await setUp([
      text('It divides.')
    ]);
    await actions.explain(target);
    const request = client.requests[0];
    expect(request.model).toBe('explain-model');
    expect(request.tools).toBeUndefined();
    const prompt = promptOf(request);
    expect(prompt).toContain('Explain what this notebook cell does');
    expect(prompt).toContain('Answer in English');
    expect(prompt).toContain(`\`\`\`python\n${BROKEN}\n\`\`\``);
    expect(prompt).toContain("The cell raised NameError: name 'valuez'");
    expect(prompt).not.toContain('(no output)');
    expect(prompt).toContain(
      'Definitions it uses from earlier cells:\n\n```python\n# cell 1\nvalues = [3, 5, 10]\n```'
    );
    expect(model.messages.map(m => [m.role, m.content])).toEqual([
      [
        'user',
        `**Explain this cell**\n\n\`\`\`python\n${BROKEN}\n\`\`\`\n\n\`\`\`\nNameError: name 'valuez' is not defined\n\`\`\``
      ],
      ['assistant', 'It divides.']
    ]);
  });

  it('explains only the selection, in the user’s language', async () => {
    const { actions, target, client, cell, model } = await setUp(
      [text('它相加。')],
      { languageCode: 'zh-TW' }
    );
    // Select "sum(values)".
    cell.editor!.setSelection({
      start: { line: 0, column: 6 },
      end: { line: 0, column: 17 }
    });
    await actions.explain(target);
    const prompt = promptOf(client.requests[0]);
    expect(prompt).toContain(`Answer in ${language('zh-Hant').name}`);
    expect(prompt).toContain('```python\nsum(values)\n```');
    expect(prompt).toContain(
      'The code above is a selection within the cell; answer about it.'
    );
    expect(model.messages[0].content).toBe(
      "**Explain this selection**\n\n```python\nsum(values)\n```\n\n```\nNameError: name 'valuez' is not defined\n```"
    );
  });

  it('names the kernel variables the cell uses, from the notebook’s kernel', async () => {
    const { actions, target, client, cell } = await setUp([text('Sums.')]);
    cell.model.sharedModel.setSource('df.sum()');
    await actions.explain(target);
    expect(promptOf(client.requests[0])).toContain(
      'Kernel variables it uses (name: type, shape):\n- df: DataFrame, (3, 2)'
    );
  });

  it('uses the default prompt when the override has unknown variables, and a valid override when set', async () => {
    const { actions, target, client } = await setUp(
      [text('Ok.'), text('Ok.')],
      { agentSettings: { prompts: { explain: 'Explain {{cell}}' } } }
    );
    await actions.explain(target);
    expect(promptOf(client.requests[0])).toContain(
      'Explain what this notebook cell does'
    );
    // The user is told why their override was not used, after the answer too.
    expect(target.model.warning).toMatch(/cell/);
    target.model.agentSettings = {
      ...target.model.agentSettings,
      prompts: { explain: 'Briefly, in {{language}}: {{code}}' }
    };
    await actions.explain(target);
    expect(promptOf(client.requests[1])).toMatch(
      /^Briefly, in English: print\(sum\(values\) \/ len\(valuez\)\)/
    );
  });
});

describe('CellActions.ask', () => {
  it('sends the question with the cell and its error, under the chat model', async () => {
    const { actions, target, client, model } = await setUp([text('A typo.')]);
    const asked = actions.ask(target);
    await answerDialog('  Why does it fail?  ');
    await asked;
    const request = client.requests[0];
    expect(request.model).toBe('chat-model');
    const prompt = promptOf(request);
    expect(prompt).toContain(
      `Why does it fail?\n\nAbout this notebook cell:\n\n\`\`\`python\n${BROKEN}\n\`\`\``
    );
    expect(prompt).toContain("Its error:\n\n```\nNameError: name 'valuez'");
    expect(model.messages[0].content).toBe(
      `Why does it fail?\n\n\`\`\`python\n${BROKEN}\n\`\`\``
    );
  });

  it('sends nothing when the dialog is dismissed', async () => {
    const { actions, target, client, model } = await setUp([]);
    const asked = actions.ask(target);
    await waitForDialog(document.body, 5000);
    await dismissDialog();
    await asked;
    expect(client.requests).toEqual([]);
    expect(model.messages).toEqual([]);
  });
});

describe('CellActions.fix', () => {
  it('sends the error, shows the fix in the cell, and Apply then Run replace the source and rerun it', async () => {
    const { actions, target, client, cell, kernel, model } = await setUp([
      fixAnswer(FIXED)
    ]);
    const fixing = actions.fix(target);
    await clickInDiff(cell, '.jp-CodeInterpreter-diffApply');
    expect(cell.model.sharedModel.getSource()).toBe(FIXED);
    // Approval mode `ask`: the fixed cell waits for Run.
    await clickInDiff(cell, '.jp-CodeInterpreter-diffRun');
    await fixing;

    const request = client.requests[0];
    expect(request.model).toBe('fix-model');
    const prompt = promptOf(request);
    expect(prompt).toContain('Find the cause and fix it');
    expect(prompt).toContain(
      "The error:\n\n```\nNameError: name 'valuez' is not defined"
    );
    expect(model.messages[0].content).toContain('**Fix this cell**');
    expect(kernel!.executions.map(e => e.code)).toEqual([FIXED]);
    expect(cell.model.executionCount).toBe(1);
    expect(said(model).at(-1)).toBe('The fixed cell ran without error.');
    expect(cell.node.querySelector('.jp-CodeInterpreter-diff')).toBeNull();
    // One undo brings back the broken code.
    cell.model.sharedModel.undo();
    expect(cell.model.sharedModel.getSource()).toBe(BROKEN);
  });

  it('in auto mode runs the applied fix through the kernel’s gate, without asking', async () => {
    const { actions, target, cell, kernel, tools, model } = await setUp(
      [fixAnswer(FIXED)],
      { agentSettings: { approvalMode: 'auto' } }
    );
    const fixing = actions.fix(target);
    await clickInDiff(cell, '.jp-CodeInterpreter-diffApply');
    await fixing;
    expect(tools.calls.some(call => call.startsWith(`gate ${FIXED}`))).toBe(
      true
    );
    expect(kernel!.executions.map(e => e.code)).toEqual([FIXED]);
    expect(said(model).at(-1)).toBe('The fixed cell ran without error.');
  });

  it('leaves the cell unchanged on Reject, and runs nothing', async () => {
    const { actions, target, cell, kernel, model } = await setUp([
      fixAnswer(FIXED)
    ]);
    const fixing = actions.fix(target);
    await clickInDiff(cell, '.jp-CodeInterpreter-diffReject');
    await fixing;
    expect(cell.model.sharedModel.getSource()).toBe(BROKEN);
    expect(kernel!.executions).toEqual([]);
    expect(said(model).at(-1)).toBe('Fix rejected; the cell is unchanged.');
    expect(cell.node.querySelector('.jp-CodeInterpreter-diff')).toBeNull();
  });

  it('applies but does not run the fix on Skip', async () => {
    const { actions, target, cell, kernel, model } = await setUp([
      fixAnswer(FIXED)
    ]);
    const fixing = actions.fix(target);
    await clickInDiff(cell, '.jp-CodeInterpreter-diffApply');
    await clickInDiff(cell, '.jp-CodeInterpreter-diffSkip');
    await fixing;
    expect(cell.model.sharedModel.getSource()).toBe(FIXED);
    expect(kernel!.executions).toEqual([]);
    expect(said(model).at(-1)).toBe('Fix applied; the cell was not run.');
  });

  it('asks again with the new error when the rerun fails, and gives up after the repair budget', async () => {
    const second = 'print(sum(values) / len(values[0]))';
    const { actions, target, client, cell, kernel, model } = await setUp(
      [fixAnswer(second), fixAnswer(FIXED)],
      { agentSettings: { approvalMode: 'auto', repairBudget: 2 } }
    );
    kernel!.onExecute = execution =>
      execution.finish(
        'error',
        'TypeError',
        "object of type 'int' has no len()"
      );
    const fixing = actions.fix(target);
    await clickInDiff(cell, '.jp-CodeInterpreter-diffApply');
    await until(() => client.requests.length === 2);
    await clickInDiff(cell, '.jp-CodeInterpreter-diffApply');
    await fixing;

    const retry = promptOf(client.requests[1]);
    expect(retry).toContain(`\`\`\`python\n${second}\n\`\`\``);
    expect(retry).toContain("TypeError: object of type 'int' has no len()");
    expect(model.messages.filter(m => m.role === 'user')[1].content).toContain(
      '**The fixed cell failed again (attempt 2)**'
    );
    expect(said(model).at(-1)).toBe(
      "I gave up after 2 attempts: the cell still fails with TypeError: object of type 'int' has no len(). Undo in the cell (Ctrl+Z, once per attempt) brings back its earlier code."
    );
    // Once per attempt: two undos bring back the original.
    cell.model.sharedModel.undo();
    expect(cell.model.sharedModel.getSource()).toBe(second);
    cell.model.sharedModel.undo();
    expect(cell.model.sharedModel.getSource()).toBe(BROKEN);
  });

  it('asks what is wrong with a cell that has no error', async () => {
    const { actions, target, client, cell } = await setUp([
      text('Nothing to change.')
    ]);
    cell.model.outputs.clear();
    const fixing = actions.fix(target);
    await answerDialog('It should print the mean');
    await fixing;
    expect(promptOf(client.requests[0])).toContain(
      'The error:\n\n```\nIt should print the mean\n```'
    );
  });

  it('says when the answer has no code, or the same code', async () => {
    const { actions, target, model, cell } = await setUp([
      text('I cannot tell.'),
      fixAnswer(BROKEN)
    ]);
    await actions.fix(target);
    expect(said(model).at(-1)).toBe(
      'The answer holds no Python code block, so there is no fix to apply.'
    );
    await actions.fix(target);
    expect(said(model).at(-1)).toBe(
      'The proposed code is the same as the cell; nothing to apply.'
    );
    expect(cell.node.querySelector('.jp-CodeInterpreter-diff')).toBeNull();
  });
});

describe('CellActions.replaceSource', () => {
  it('is one undo step, apart from the typing just before it', async () => {
    const nb = await openNotebook(['x = 1'], { documentUndo: false });
    const cell = nb.panel.content.widgets[0] as CodeCell;
    const shared = cell.model.sharedModel;
    shared.updateSource(5, 5, '\ny = x');
    CellActions.replaceSource(cell, 'z = 3', null);
    expect(shared.getSource()).toBe('z = 3');
    shared.undo();
    expect(shared.getSource()).toBe('x = 1\ny = x');
  });

  it('replaces only the selection', async () => {
    const nb = await openNotebook(['a = f(1)'], { documentUndo: false });
    const cell = nb.panel.content.widgets[0] as CodeCell;
    CellActions.replaceSource(cell, 'g(2)', { start: 4, end: 8, text: 'f(1)' });
    expect(cell.model.sharedModel.getSource()).toBe('a = g(2)');
    expect(CellActions.selectionOf(cell)).toBeNull();
  });
});
