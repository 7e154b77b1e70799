/**
 * Explain / Fix / Ask about this cell, end to end: the commands in the menus and toolbar, the
 * explanation streaming into the panel, a fix shown as a diff, applied (one undo restores it),
 * rerun in the real kernel, or rejected; the Fix button beside an error output; zh-CN labels.
 */
import {
  expect,
  galata,
  IJupyterLabPageFixture,
  test
} from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import { simulatorRequests } from './helpers';
import { finalAnswer, notebookAndPanel } from './interpreter-helpers';
import { useScenario } from './scenario';

test.describe.configure({ timeout: 120_000 });
// Let kernel requests reach the server untouched (see interpreter.spec.ts).
test.use({ kernels: null });

const BROKEN = 'values = [3, 5, 10]\nprint(sum(values) / len(valuez))';
const FIXED = 'values = [3, 5, 10]\nprint(sum(values) / len(values))';

/** The source of cell `index` of the current notebook. */
async function source(page: IJupyterLabPageFixture, index: number) {
  return page.evaluate(i => {
    const panel = window.jupyterapp.shell.currentWidget as any;
    return panel.content.widgets[i].model.sharedModel.getSource() as string;
  }, index);
}

/** Put `code` in the first cell, run it and wait for its error. */
async function brokenCell(page: IJupyterLabPageFixture): Promise<Locator> {
  await page.notebook.setCell(0, 'code', BROKEN);
  await runCell(page, 0);
  const cell = page.locator('.jp-Notebook .jp-Cell').first();
  await expect(cell.locator('.jp-OutputArea-output')).toContainText(
    'NameError'
  );
  await page.notebook.selectCells(0);
  return cell;
}

/** Run cell `index` without moving on to the next one. */
async function runCell(page: IJupyterLabPageFixture, index: number) {
  await page.notebook.selectCells(index);
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('notebook:run-cell');
  });
}

/** Run a command of the app. */
async function execute(page: IJupyterLabPageFixture, id: string) {
  // Not awaited: a fix waits for Apply or Reject.
  await page.evaluate(command => {
    void window.jupyterapp.commands.execute(command);
  }, id);
}

test('Explain streams into the panel with the definitions and variables it uses', async ({
  page,
  request
}) => {
  await useScenario(request, 'cellcommands/fix');
  const panel = await notebookAndPanel(page, 'cells.ipynb');
  await page.notebook.setCell(0, 'code', 'values = [3, 5, 10]');
  await runCell(page, 0);
  await page.notebook.addCell(
    'code',
    'avg = sum(values) / len(values)\nprint(avg)'
  );
  await runCell(page, 1);
  await expect(page.locator('.jp-Notebook .jp-Cell').nth(1)).toContainText(
    '6.0'
  );
  await page.notebook.selectCells(1);
  await execute(page, 'code-interpreter:explain-cell');

  const answer = panel
    .locator('.jp-CodeInterpreter-message[data-role="assistant"]')
    .last();
  await expect(answer).toHaveAttribute('data-status', 'streaming');
  await expect(answer).toHaveAttribute('data-status', 'done', {
    timeout: 30_000
  });
  await expect(answer).toContainText('average');
  await expect(
    panel.locator('.jp-CodeInterpreter-message[data-role="user"]').last()
  ).toContainText('Explain this cell');

  const requests = await simulatorRequests(request);
  const prompt = JSON.stringify(requests.at(-1)?.body?.messages?.at(-1));
  expect(prompt).toContain('avg = sum(values)');
  expect(prompt).toContain('6.0');
  expect(prompt).toContain('values = [3, 5, 10]');
  expect(prompt).toMatch(/values: list/);
});

test('Fix a NameError: diff, Apply, the rerun succeeds, one undo restores the cell', async ({
  page,
  request
}) => {
  await useScenario(request, 'cellcommands/fix');
  const panel = await notebookAndPanel(page, 'cells.ipynb');
  const cell = await brokenCell(page);
  await execute(page, 'code-interpreter:fix-cell');

  const diff = cell.locator('.jp-CodeInterpreter-diff');
  await expect(diff).toBeVisible({ timeout: 30_000 });
  // @codemirror/merge's unified view: the removed chunk, then the new line.
  await expect(diff.locator('.cm-deletedChunk')).toContainText('len(valuez)');
  await expect(diff.locator('.cm-changedLine')).toContainText('len(values)');
  await diff.locator('.jp-CodeInterpreter-diffLayout').click();
  await expect(diff).toHaveAttribute('data-layout', 'side-by-side');
  await diff.locator('.jp-CodeInterpreter-diffApply').click();
  // The default approval mode asks before running.
  await diff.locator('.jp-CodeInterpreter-diffRun').click();
  await expect(cell.locator('.jp-OutputArea-output')).toContainText('6.0');
  await expect(cell.locator('.jp-CodeInterpreter-diff')).toHaveCount(0);
  await expect(panel).toContainText('The fixed cell ran without error.');
  expect(await source(page, 0)).toBe(FIXED);

  await cell.locator('.jp-InputArea-editor').click();
  await page.keyboard.press('Control+z');
  await expect.poll(() => source(page, 0)).toBe(BROKEN);
});

test('Reject leaves the cell as it was', async ({ page, request }) => {
  await useScenario(request, 'cellcommands/fix');
  await notebookAndPanel(page, 'cells.ipynb');
  const cell = await brokenCell(page);
  await execute(page, 'code-interpreter:fix-cell');
  const diff = cell.locator('.jp-CodeInterpreter-diff');
  await expect(diff).toBeVisible({ timeout: 30_000 });
  await diff.locator('.jp-CodeInterpreter-diffReject').click();
  await expect(diff).toHaveCount(0);
  expect(await source(page, 0)).toBe(BROKEN);
  await expect(cell.locator('.jp-OutputArea-output')).toContainText(
    'NameError'
  );
});

test('Fix from the button beside the error output', async ({
  page,
  request
}) => {
  await useScenario(request, 'cellcommands/fix');
  await notebookAndPanel(page, 'cells.ipynb');
  const cell = await brokenCell(page);
  // A new cell is active: the button still fixes its own cell.
  await page.notebook.addCell('code', 'print("other")');
  await cell.locator('.jp-CodeInterpreter-fixError').click();
  const diff = cell.locator('.jp-CodeInterpreter-diff');
  await expect(diff).toBeVisible({ timeout: 30_000 });
  await expect(diff).toContainText('len(values)');
});

test('Fix on a cell without an error asks what is wrong', async ({
  page,
  request
}) => {
  await useScenario(request, 'cellcommands/fix');
  await notebookAndPanel(page, 'cells.ipynb');
  await page.notebook.setCell(0, 'code', "print('hi')");
  await runCell(page, 0);
  await page.notebook.selectCells(0);
  void execute(page, 'code-interpreter:fix-cell');
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText('What is wrong');
  await dialog.locator('input').fill('It should print twice');
  await dialog.locator('.jp-mod-accept').click();
  await expect(
    page
      .locator('.jp-Notebook .jp-Cell')
      .first()
      .locator('.jp-CodeInterpreter-diff')
  ).toContainText("print('hi')", { timeout: 30_000 });
});

test('Ask about this cell sends the question with the cell, and the answer streams in', async ({
  page,
  request
}) => {
  await useScenario(request, 'cellcommands/ask');
  const panel = await notebookAndPanel(page, 'cells.ipynb');
  await page.notebook.setCell(0, 'code', 'values = [3, 5, 10]');
  await runCell(page, 0);
  await page.notebook.selectCells(0);
  await execute(page, 'code-interpreter:ask-about-cell');
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText('Your question about the cell');
  await dialog.locator('input').fill('Why is this a list?');
  await dialog.locator('.jp-mod-accept').click();

  // The chat shows the question with the cell as context, then the answer.
  const asked = panel
    .locator('.jp-CodeInterpreter-message[data-role="user"]')
    .last();
  await expect(asked).toContainText('Why is this a list?');
  await expect(asked).toContainText('values = [3, 5, 10]');
  await expect(await finalAnswer(panel)).toContainText('all three values');

  const requests = await simulatorRequests(request);
  expect(requests).toHaveLength(1);
  expect(requests[0].body).not.toHaveProperty('tools');
  const prompt = JSON.stringify(requests[0].body?.messages?.at(-1));
  expect(prompt).toContain('Why is this a list?');
  expect(prompt).toContain('values = [3, 5, 10]');
});

test('With a selection, Ask sends only the selected code', async ({
  page,
  request
}) => {
  await useScenario(request, 'cellcommands/ask');
  const panel = await notebookAndPanel(page, 'cells.ipynb');
  await page.notebook.setCell(
    0,
    'code',
    'values = [3, 5, 10]\ntotal = sum(values)\nprint(total)'
  );
  await page.notebook.selectCells(0);
  // Select the second line in the cell's editor, as a user dragging over it.
  await page.evaluate(() => {
    const panel = window.jupyterapp.shell.currentWidget as any;
    panel.content.widgets[0].editor.setSelection({
      start: { line: 1, column: 0 },
      end: { line: 1, column: 19 }
    });
  });
  await execute(page, 'code-interpreter:ask-about-cell');
  const dialog = page.locator('.jp-Dialog');
  await dialog.locator('input').fill('What does this line do?');
  await dialog.locator('.jp-mod-accept').click();
  await expect(await finalAnswer(panel)).toContainText('all three values');

  const requests = await simulatorRequests(request);
  const prompt = String(requests[0].body?.messages?.at(-1)?.content);
  expect(prompt).toContain('```python\ntotal = sum(values)\n```');
  expect(prompt).not.toContain('print(total)');
});

test.describe('with a repair budget of 2 and auto-run', () => {
  test.use({
    mockSettings: {
      ...galata.DEFAULT_SETTINGS,
      'jupyterlab-code-interpreter:plugin': {
        approvalMode: 'auto',
        repairBudget: 2
      }
    }
  });

  test('Fix tries again while the rerun fails, then says it gave up', async ({
    page,
    request
  }) => {
    await useScenario(request, 'cellcommands/giveup');
    const panel = await notebookAndPanel(page, 'cells.ipynb');
    await page.notebook.setCell(0, 'code', 'n = 0\nprint(10 / n)');
    await runCell(page, 0);
    const cell = page.locator('.jp-Notebook .jp-Cell').first();
    await expect(cell.locator('.jp-OutputArea-output')).toContainText(
      'ZeroDivisionError'
    );
    await page.notebook.selectCells(0);
    await execute(page, 'code-interpreter:fix-cell');

    for (const proposed of ['n = 0.0', 'print(10 // n)']) {
      const diff = cell.locator('.jp-CodeInterpreter-diff');
      await expect(diff).toContainText(proposed, { timeout: 30_000 });
      await diff.locator('.jp-CodeInterpreter-diffApply').click();
    }
    await expect(panel).toContainText('I gave up after 2 attempts', {
      timeout: 30_000
    });
    await expect(panel).toContainText('ZeroDivisionError');
    // Two attempts, no third request; the cell keeps the last applied code.
    expect(await simulatorRequests(request)).toHaveLength(2);
    expect(await source(page, 0)).toBe('n = 0\nprint(10 // n)');
    await expect(cell.locator('.jp-CodeInterpreter-diff')).toHaveCount(0);
    await expect(cell.locator('.jp-OutputArea-output')).toContainText(
      'ZeroDivisionError'
    );
  });
});

test('The commands are in the cell context menu and toolbar, disabled on Markdown with a reason', async ({
  page
}) => {
  await notebookAndPanel(page, 'cells.ipynb');
  await page.notebook.setCell(0, 'code', 'x = 1');
  await page.notebook.selectCells(0);
  const cell = page.locator('.jp-Notebook .jp-Cell').first();
  await expect(
    cell.locator(
      '.jp-cell-toolbar [data-command="code-interpreter:explain-cell"]'
    )
  ).toHaveCount(1);
  await expect(
    cell.locator('.jp-cell-toolbar [data-command="code-interpreter:fix-cell"]')
  ).toHaveCount(1);
  await cell.locator('.jp-InputArea-editor').click({ button: 'right' });
  const menu = page.locator('.lm-Menu');
  await expect(menu).toContainText('Explain This Cell');
  await expect(menu).toContainText('Fix This Cell');
  await expect(menu).toContainText('Ask About This Cell');
  await page.keyboard.press('Escape');

  await page.notebook.addCell('markdown', '# Title');
  const markdown = page.locator('.jp-Notebook .jp-Cell').nth(1);
  await page.notebook.selectCells(1);
  const state = await page.evaluate(() => {
    const commands = window.jupyterapp.commands;
    return {
      enabled: commands.isEnabled('code-interpreter:explain-cell'),
      caption: commands.caption('code-interpreter:explain-cell')
    };
  });
  expect(state.enabled).toBe(false);
  expect(state.caption).toContain('Markdown');
  const button = markdown.locator(
    '.jp-cell-toolbar [data-command="code-interpreter:explain-cell"]'
  );
  await expect(button).toHaveAttribute('title', /Markdown/);
  await expect(button).toHaveAttribute('aria-disabled', 'true');
});

test.describe('in Simplified Chinese', () => {
  test.use({
    mockSettings: {
      ...galata.DEFAULT_SETTINGS,
      '@jupyterlab/translation-extension:plugin': { locale: 'zh_CN' }
    },
    // Galata waits for a tab named "Launcher", which is "启动页" here.
    waitForApplication: async ({}, use) => {
      await use(async page => {
        await page.locator('#jupyterlab-splash').waitFor({ state: 'detached' });
        await page.locator('.jp-Launcher').first().waitFor();
      });
    }
  });

  test('the cell context menu has Chinese labels', async ({ page }) => {
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('notebook:create-new', {
        kernelName: 'python3'
      });
    });
    await page.locator('.jp-Notebook .jp-Cell').first().waitFor();
    const cell = page.locator('.jp-Notebook .jp-Cell').first();
    await cell.locator('.jp-InputArea-editor').click({ button: 'right' });
    const menu = page.locator('.lm-Menu');
    await expect(menu).toContainText('解释此单元格');
    await expect(menu).toContainText('修复此单元格');
    await expect(menu).toContainText('询问此单元格');
  });
});
