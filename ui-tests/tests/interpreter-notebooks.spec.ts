/**
 * The interpreter and its notebook's life: no notebook open, a dead kernel, closing and reopening
 * the notebook, and a page closed while an answer streams.
 */
import { expect, test } from '@jupyterlab/galata';
import { openPanel, sendPrompt, simulatorRequests } from './helpers';
import { finalAnswer, notebookAndPanel } from './interpreter-helpers';
import { useScenario } from './scenario';

test.describe.configure({ timeout: 120_000 });
// Kernel requests reach the server untouched (see interpreter.spec.ts).
test.use({ kernels: null });

test.describe('no notebook open', () => {
  test('the first prompt offers a notebook; accepting creates one in the folder and the step lands in it', async ({
    page,
    request,
    tmpPath
  }) => {
    await useScenario(request, 'interpreter/nonotebook');
    await expect(page.locator('.jp-NotebookPanel')).toHaveCount(0);
    const panel = await openPanel(page);
    await sendPrompt(panel, 'Which python version runs here?');
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog).toContainText('Create a notebook?');
    await expect(
      dialog.getByRole('button', { name: 'Chat without a notebook' })
    ).toBeVisible();
    await dialog.getByRole('button', { name: 'Create notebook' }).click();

    const card = panel.locator('.jp-CodeInterpreter-step[data-step="1"]');
    await expect(card).toHaveAttribute('data-status', 'proposed', {
      timeout: 60_000
    });
    await card.locator('.jp-CodeInterpreter-stepRun').click();
    await expect(await finalAnswer(panel)).toContainText('Python 3');

    const notebook = page.locator('.jp-NotebookPanel');
    await expect(notebook).toHaveCount(1);
    await expect(
      notebook.locator('.jp-CodeInterpreter-stepCell .jp-OutputArea-output')
    ).toHaveText('major 3');
    // In the file browser's folder, with a Python kernel.
    expect(await page.contents.fileExists(`${tmpPath}/Untitled.ipynb`)).toBe(
      true
    );
    const kernel = await page.evaluate(() => {
      const widget = window.jupyterapp.shell.currentWidget as unknown as {
        sessionContext: { session: { kernel: { name: string } | null } | null };
      };
      return widget.sessionContext.session?.kernel?.name ?? null;
    });
    expect(kernel).toBe('python3');
  });

  test('declining gives a plain chat answer with no tools', async ({
    page,
    request
  }) => {
    await useScenario(request, 'interpreter/nonotebook');
    const panel = await openPanel(page);
    await sendPrompt(panel, 'Which python version runs here?');
    const dialog = page.locator('.jp-Dialog');
    await dialog
      .getByRole('button', { name: 'Chat without a notebook' })
      .click();
    await expect(await finalAnswer(panel)).toContainText('I can still chat');
    await expect(page.locator('.jp-NotebookPanel')).toHaveCount(0);
    const requests = await simulatorRequests(request);
    expect(requests).toHaveLength(1);
    expect(requests[0].body).not.toHaveProperty('tools');
  });
});

test('a dead kernel is started again with a notice, and the step still runs', async ({
  page,
  request
}) => {
  await useScenario(request, 'interpreter/sympy');
  const panel = await notebookAndPanel(page, 'life.ipynb');
  await page.kernel.shutdownAll();
  await expect(
    page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]')
  ).toHaveCount(0, { timeout: 15_000 });
  await sendPrompt(panel, 'Solve x^2 - 5x + 6 = 0');
  await expect(page.locator('.jp-toast-message')).toContainText(
    'The notebook had no kernel: started python3.',
    {
      timeout: 30_000
    }
  );
  const card = panel.locator('.jp-CodeInterpreter-step[data-step="1"]');
  await expect(card).toHaveAttribute('data-status', 'proposed', {
    timeout: 60_000
  });
  await card.locator('.jp-CodeInterpreter-stepRun').click();
  await expect(await finalAnswer(panel)).toContainText('x = 3');
  await expect(
    page.locator('.jp-CodeInterpreter-stepCell .jp-OutputArea-output')
  ).toContainText('[2, 3]');
});

test('closing and reopening the notebook keeps its conversation', async ({
  page,
  request,
  tmpPath
}) => {
  await useScenario(request, 'interpreter/sympy');
  const panel = await notebookAndPanel(page, 'reopen.ipynb');
  await sendPrompt(panel, 'Solve x^2 - 5x + 6 = 0');
  const card = panel.locator('.jp-CodeInterpreter-step[data-step="1"]');
  await expect(card).toHaveAttribute('data-status', 'proposed');
  await card.locator('.jp-CodeInterpreter-stepRun').click();
  await expect(await finalAnswer(panel)).toContainText('x = 3');
  await page.notebook.save();
  await page.notebook.close();
  await expect(page.locator('.jp-NotebookPanel')).toHaveCount(0);
  // With no notebook the panel shows the empty chat.
  await expect(
    panel.locator('.jp-CodeInterpreter-message[data-role="user"]')
  ).toHaveCount(0);

  await page.filebrowser.open(`${tmpPath}/reopen.ipynb`);
  await page.locator('.jp-NotebookPanel').first().waitFor();
  const reopened = await openPanel(page);
  await expect(
    reopened.locator('.jp-CodeInterpreter-message[data-role="user"]')
  ).toContainText('Solve x^2');
  await expect(
    reopened
      .locator('.jp-CodeInterpreter-message[data-role="assistant"]')
      .last()
  ).toContainText('x = 3');
  await expect(
    reopened.locator('.jp-CodeInterpreter-step[data-step="1"]')
  ).toHaveAttribute('data-status', 'done');
});

test('a question leaves a clean notebook clean; its next save stores the conversation id', async ({
  page,
  request,
  tmpPath
}) => {
  await useScenario(request, 'interpreter/chinese');
  const panel = await notebookAndPanel(page, 'clean.ipynb');
  const dirty = () =>
    page.evaluate(
      () =>
        (window.jupyterapp.shell.currentWidget as any).context.model
          .dirty as boolean
    );
  await page.notebook.save();
  expect(await dirty()).toBe(false);
  await sendPrompt(panel, '你好');
  await expect(await finalAnswer(panel)).toContainText('你好！');
  expect(await dirty()).toBe(false);

  const path = `${tmpPath}/clean.ipynb`;
  const index = await request.get(
    `/code-interpreter/conversations?path=${encodeURIComponent(path)}`
  );
  expect(index.ok()).toBe(true);
  const { id } = await index.json();
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  await page.notebook.save();
  const file = await (await request.get(`/api/contents/${path}`)).json();
  expect(file.content.metadata.code_interpreter.conversation_id).toBe(id);
  expect(await dirty()).toBe(false);
});

test('a saved chat that cannot be loaded is said so and never overwritten', async ({
  page,
  request,
  tmpPath
}) => {
  await useScenario(request, 'interpreter/chinese');
  const panel = await notebookAndPanel(page, 'unreadable.ipynb');
  await sendPrompt(panel, '你好');
  await expect(await finalAnswer(panel)).toContainText('你好！');
  await page.notebook.save();
  await page.notebook.close();
  const path = `${tmpPath}/unreadable.ipynb`;
  const saved = async () => {
    const { id } = await (
      await request.get(
        `/code-interpreter/conversations?path=${encodeURIComponent(path)}`
      )
    ).json();
    return (await request.get(`/code-interpreter/conversations/${id}`)).json();
  };
  const before = await saved();
  expect(before.data.messages.length).toBeGreaterThan(1);

  // The server cannot read it for now (e.g. its disk is unavailable).
  await page.route('**/code-interpreter/conversations/*', route =>
    route.request().method() === 'GET'
      ? route.fulfill({
          status: 500,
          contentType: 'application/json',
          body: JSON.stringify({ message: 'disk unavailable' })
        })
      : route.fallback()
  );
  await page.filebrowser.open(`${tmpPath}/unreadable.ipynb`);
  await page.locator('.jp-NotebookPanel').first().waitFor();
  const reopened = await openPanel(page);
  await expect(reopened.locator('.jp-CodeInterpreter-warning')).toContainText(
    'could not be loaded'
  );
  await expect(reopened.locator('.jp-CodeInterpreter-warning')).toContainText(
    'disk unavailable'
  );
  await sendPrompt(reopened, '你好');
  await expect(await finalAnswer(reopened)).toContainText('你好！');
  await page.waitForTimeout(1500);
  await page.unroute('**/code-interpreter/conversations/*');

  // What was saved before is still there, untouched by the new chat.
  expect(await saved()).toEqual(before);
});

test.describe('a page closed mid-turn', () => {
  // The real workspace, as a user's next page would find it.
  test.use({ mockState: false });

  test('a new page shows the partial answer, marked stopped', async ({
    page,
    request,
    tmpPath,
    baseURL
  }) => {
    await useScenario(request, 'interpreter/slow');
    const panel = await notebookAndPanel(page, 'closed.ipynb');
    await page.notebook.save();
    await sendPrompt(panel, 'Tell me a long story');
    const answer = panel
      .locator('.jp-CodeInterpreter-message[data-role="assistant"]')
      .last();
    await expect(answer).toContainText('Once upon a time');
    await expect(answer).toHaveAttribute('data-status', 'streaming');
    // Long enough for the throttled save (at most a second after the first change).
    await page.waitForTimeout(3000);
    const partial = (await answer.innerText()).length;
    await page.close();

    const next = await page.context().newPage();
    await next.goto(`${baseURL}/lab/tree/${tmpPath}/closed.ipynb`);
    await next
      .locator('.jp-NotebookPanel')
      .first()
      .waitFor({ timeout: 60_000 });
    await next.evaluate(async () => {
      await window.jupyterapp.commands.execute('code-interpreter:open-panel');
    });
    const reopened = next.locator('#jp-code-interpreter-panel');
    await expect(
      reopened.locator('.jp-CodeInterpreter-message[data-role="user"]')
    ).toContainText('long story');
    const restored = reopened
      .locator('.jp-CodeInterpreter-message[data-role="assistant"]')
      .last();
    await expect(restored).toContainText('Once upon a time');
    await expect(restored).toHaveAttribute('data-status', 'stopped');
    expect((await restored.innerText()).length).toBeGreaterThan(0);
    expect(partial).toBeGreaterThan(0);
    await expect(restored).not.toContainText('finish in a test');
    await next.close();
  });
});
