/**
 * The cell commands act on the cell the user pointed at and say what it raised: a right-click in
 * a cell that is not the active one explains that cell; Explain and Fix of a cell that raised tell
 * the model its error; the chat shows their messages as Markdown, with the error's own lines.
 * Also the panel around them: no failed request for a new notebook's conversation, and the
 * notebook's new name right after a rename.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import { simulatorRequests } from './helpers';
import { finalAnswer, notebookAndPanel } from './interpreter-helpers';
import { useScenario } from './scenario';

test.describe.configure({ timeout: 120_000 });
// Let kernel requests reach the server untouched (see interpreter.spec.ts).
test.use({ kernels: null });

const KEY_ERROR = "d = {}\nd['x']";

/** Run cell `index` without moving on to the next one. */
async function runCell(page: IJupyterLabPageFixture, index: number) {
  await page.notebook.selectCells(index);
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('notebook:run-cell');
  });
}

/** The index of the active cell of the current notebook. */
async function activeIndex(page: IJupyterLabPageFixture): Promise<number> {
  return page.evaluate(() => {
    const panel = window.jupyterapp.shell.currentWidget as any;
    return panel.content.activeCellIndex as number;
  });
}

/** The text of the last prompt the simulator received. */
async function lastPrompt(
  request: Parameters<typeof simulatorRequests>[0]
): Promise<string> {
  const requests = await simulatorRequests(request);
  return String(requests.at(-1)?.body?.messages?.at(-1)?.content);
}

/** The first cell holds `d['x']` and has run: its output is a KeyError. */
async function keyErrorCell(page: IJupyterLabPageFixture): Promise<Locator> {
  await page.notebook.setCell(0, 'code', KEY_ERROR);
  await runCell(page, 0);
  const cell = page.locator('.jp-Notebook .jp-Cell').first();
  await expect(cell.locator('.jp-OutputArea-output')).toContainText('KeyError');
  return cell;
}

test('Explain from the context menu explains the cell right-clicked, not the active one', async ({
  page,
  request
}) => {
  await useScenario(request, 'cellcommands/pointed');
  const panel = await notebookAndPanel(page, 'pointed.ipynb');
  await page.notebook.setCell(0, 'code', 'first_value = 1');
  await page.notebook.addCell('code', 'second_value = 2');
  await page.notebook.selectCells(0);
  expect(await activeIndex(page)).toBe(0);

  const second = page.locator('.jp-Notebook .jp-Cell').nth(1);
  await second.locator('.jp-InputArea-editor').click({ button: 'right' });
  // JupyterLab leaves the first cell active on a right-click in an editor.
  expect(await activeIndex(page)).toBe(0);
  await page
    .locator('.lm-Menu .lm-Menu-item', { hasText: 'Explain This Cell' })
    .click();

  await expect(await finalAnswer(panel)).toContainText('key');
  const prompt = await lastPrompt(request);
  expect(prompt).toContain('second_value = 2');
  expect(prompt).not.toContain('first_value');
  await expect(
    panel.locator('.jp-CodeInterpreter-message[data-role="user"]').last()
  ).toContainText('second_value = 2');
});

test('Explain of a cell that raised tells the model the error', async ({
  page,
  request
}) => {
  await useScenario(request, 'cellcommands/pointed');
  const panel = await notebookAndPanel(page, 'explained.ipynb');
  await keyErrorCell(page);
  await page.notebook.selectCells(0);
  await page.evaluate(() => {
    void window.jupyterapp.commands.execute('code-interpreter:explain-cell');
  });
  await finalAnswer(panel);

  const prompt = await lastPrompt(request);
  expect(prompt).toContain("The cell raised KeyError: 'x'");
  expect(prompt).toContain("----> 2 d['x']");
  expect(prompt).not.toContain('(no output)');
  // Plain text for the model: no terminal colours.
  expect(prompt).not.toContain('\u001b[');
});

test("A Fix message is Markdown: a bold title, the code, and the error's own lines", async ({
  page,
  request
}) => {
  await useScenario(request, 'cellcommands/pointed');
  const panel = await notebookAndPanel(page, 'fixed.ipynb');
  const cell = await keyErrorCell(page);
  await page.notebook.selectCells(0);
  await page.evaluate(() => {
    void window.jupyterapp.commands.execute('code-interpreter:fix-cell');
  });
  await expect(cell.locator('.jp-CodeInterpreter-diff')).toBeVisible({
    timeout: 30_000
  });

  const message = panel
    .locator('.jp-CodeInterpreter-message[data-role="user"]')
    .last();
  await expect(message.locator('strong')).toHaveText('Fix this cell');
  const blocks = message.locator('pre');
  await expect(blocks).toHaveCount(2);
  await expect(blocks.nth(0)).toContainText("d['x']");
  await expect(message).not.toContainText('**');
  await expect(message).not.toContainText('```');
  const excerpt = blocks.nth(1);
  await expect(excerpt).toContainText("KeyError: 'x'");
  await expect(excerpt).toContainText('Cell In[1], line 2');
  await expect(excerpt).toContainText("----> 2 d['x']");
  await expect(excerpt).not.toContainText('-----------');
  await expect(excerpt).not.toContainText('Traceback (most recent call last)');

  // The model still gets the whole error.
  const prompt = await lastPrompt(request);
  expect(prompt).toContain("KeyError: 'x'");
  expect(prompt).toContain('Cell In[1], line 2');
});

test("A new notebook's first conversation lookup is no failed request", async ({
  page
}) => {
  const failed: string[] = [];
  page.on('response', response => {
    if (response.status() >= 400) {
      failed.push(`${response.status()} ${response.url()}`);
    }
  });
  page.on('console', message => {
    if (message.type() === 'error') {
      failed.push(`console: ${message.text()}`);
    }
  });
  const lookup = page.waitForResponse(response =>
    /\/code-interpreter\/conversations\?path=/.test(response.url())
  );
  await notebookAndPanel(page, 'fresh.ipynb');
  const answer = await lookup;
  expect(answer.status()).toBe(200);
  expect(await answer.json()).toEqual({ id: null });
  expect(
    failed.filter(line => /conversations|404/.test(line)),
    failed.join('\n')
  ).toEqual([]);
});

test("The panel shows a notebook's new name right after a rename", async ({
  page
}) => {
  const panel = await notebookAndPanel(page, 'before.ipynb');
  const name = panel.locator('.jp-CodeInterpreter-notebookName');
  await expect(name).toHaveText('before.ipynb');

  await page.evaluate(() => {
    void window.jupyterapp.commands.execute('docmanager:rename');
  });
  const dialog = page.locator('.jp-Dialog');
  await dialog.locator('input').fill('after.ipynb');
  await dialog.locator('.jp-mod-accept').click();
  await expect(
    page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current')
  ).toContainText('after.ipynb');
  await expect(name).toHaveText('after.ipynb');
  await expect(name).toHaveAttribute('title', /after\.ipynb$/);
});
