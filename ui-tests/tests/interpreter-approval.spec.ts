/**
 * Approving steps end to end: Edit before Run, the cell's own banner buttons, and the approval
 * modes (settings and the per-notebook override kept in the notebook's metadata).
 */
import {
  expect,
  galata,
  IJupyterLabPageFixture,
  test
} from '@jupyterlab/galata';
import { openPanel, sendPrompt, simulatorRequests } from './helpers';
import {
  finalAnswer,
  notebookAndPanel,
  reloadWithoutLauncher
} from './interpreter-helpers';
import { useScenario } from './scenario';

test.describe.configure({ timeout: 120_000 });
// Kernel requests reach the server untouched (see interpreter.spec.ts).
test.use({ kernels: null });

const PLUGIN = 'jupyterlab-code-interpreter:plugin';

/** The step statuses a card went through, recorded from the page as they change. */
async function recordStepStatuses(page: IJupyterLabPageFixture): Promise<void> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { stepStatuses: string[] }).stepStatuses = seen;
    const observer = new MutationObserver(() => {
      const card = document.querySelector(
        '.jp-CodeInterpreter-step[data-step="1"]'
      );
      const status = card?.getAttribute('data-status');
      if (status && seen[seen.length - 1] !== status) {
        seen.push(status);
      }
    });
    observer.observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-status']
    });
  });
}

async function stepStatuses(page: IJupyterLabPageFixture): Promise<string[]> {
  return page.evaluate(
    () => (window as unknown as { stepStatuses: string[] }).stepStatuses
  );
}

test.describe('ask (the default)', () => {
  test('Edit before Run: the edited code runs and the model is told it was edited', async ({
    page,
    request
  }) => {
    await useScenario(request, 'interpreter/edit');
    const panel = await notebookAndPanel(page, 'approval.ipynb');
    await sendPrompt(panel, 'Greet me');
    const card = panel.locator('.jp-CodeInterpreter-step[data-step="1"]');
    await expect(card).toHaveAttribute('data-status', 'proposed');
    await card.locator('.jp-CodeInterpreter-stepEdit').click();

    // The proposed cell is active, in edit mode, with its editor focused.
    const cell = page.locator('.jp-CodeInterpreter-proposedCell');
    await expect(cell).toHaveClass(/jp-mod-active/);
    await expect(page.locator('.jp-NotebookPanel .jp-Notebook')).toHaveClass(
      /jp-mod-editMode/
    );
    await expect(cell.locator('.cm-content')).toBeFocused();
    await page.keyboard.press('Control+A');
    await page.keyboard.type("print('hello from the user')");
    await expect(cell.locator('.cm-content')).toHaveText(
      "print('hello from the user')"
    );

    await card.locator('.jp-CodeInterpreter-stepRun').click();
    await expect(await finalAnswer(panel)).toContainText('You edited the code');
    await expect(cell).toHaveCount(0);
    const stepCell = page.locator('.jp-CodeInterpreter-stepCell');
    await expect(stepCell.locator('.jp-OutputArea-output')).toHaveText(
      'hello from the user'
    );
    const requests = await simulatorRequests(request);
    expect(requests).toHaveLength(2);
    const toolMessage = JSON.stringify(requests[1].body?.messages?.at(-1));
    expect(toolMessage).toContain('The user edited the code');
    expect(toolMessage).toContain("print('hello from the user')");
    expect(toolMessage).not.toContain('hello from the model');
    // The card shows the code that ran.
    await expect(card.locator('.jp-CodeInterpreter-stepCode')).toContainText(
      'hello from the user'
    );
  });

  test("Run from the cell's own banner runs the step", async ({
    page,
    request,
    tmpPath
  }) => {
    await useScenario(request, 'interpreter/approval');
    const panel = await notebookAndPanel(page, 'approval.ipynb');
    await sendPrompt(panel, 'Please write the marker file');
    const cell = page.locator('.jp-CodeInterpreter-proposedCell');
    await expect(
      cell.locator('.jp-CodeInterpreter-proposalBanner')
    ).toBeVisible();
    await cell.locator('.jp-CodeInterpreter-cellRun').click();
    await expect(await finalAnswer(panel)).toContainText('I wrote');
    expect(await page.contents.fileExists(`${tmpPath}/marker.txt`)).toBe(true);
    await expect(
      panel.locator('.jp-CodeInterpreter-step[data-step="1"]')
    ).toHaveAttribute('data-status', 'done');
    // The banner is gone once decided.
    await expect(
      page.locator('.jp-CodeInterpreter-proposalBanner')
    ).toHaveCount(0);
  });

  test("Skip from the cell's own banner declines the step", async ({
    page,
    request,
    tmpPath
  }) => {
    await useScenario(request, 'interpreter/approval');
    const panel = await notebookAndPanel(page, 'approval.ipynb');
    await sendPrompt(panel, 'Please write the marker file');
    const cell = page.locator('.jp-CodeInterpreter-proposedCell');
    await cell.locator('.jp-CodeInterpreter-cellSkip').click();
    await expect(await finalAnswer(panel)).toContainText('did not write');
    await expect(
      panel.locator('.jp-CodeInterpreter-step[data-step="1"]')
    ).toHaveAttribute('data-status', 'skipped');
    await expect(
      page.locator(
        '.jp-CodeInterpreter-stepCell[data-code-interpreter-status="skipped"]'
      )
    ).toHaveCount(1);
    expect(await page.contents.fileExists(`${tmpPath}/marker.txt`)).toBe(false);
  });

  test('the per-notebook approval mode is kept in the notebook and survives a reload', async ({
    page
  }) => {
    const panel = await notebookAndPanel(page, 'approval.ipynb');
    const select = panel.getByRole('combobox', {
      name: 'Approval mode for this notebook'
    });
    await expect(select).toHaveValue('ask');
    await select.selectOption('auto');
    await expect(select).toHaveValue('auto');
    const stored = await page.evaluate(() => {
      const widget = window.jupyterapp.shell.currentWidget as unknown as {
        content: { model: { getMetadata(key: string): unknown } };
      };
      return widget.content.model.getMetadata('code_interpreter');
    });
    expect(stored).toMatchObject({ approval_mode: 'auto' });

    await page.notebook.save();
    await reloadWithoutLauncher(page);
    await page.locator('.jp-NotebookPanel').first().waitFor();
    const reloaded = await openPanel(page);
    await expect(
      reloaded.getByRole('combobox', {
        name: 'Approval mode for this notebook'
      })
    ).toHaveValue('auto');
  });
});

test.describe('auto-safe', () => {
  test.use({
    mockSettings: {
      ...galata.DEFAULT_SETTINGS,
      [PLUGIN]: { approvalMode: 'auto-safe' }
    }
  });

  test('plain pandas code runs without asking', async ({ page, request }) => {
    await useScenario(request, 'interpreter/modes');
    const panel = await notebookAndPanel(page, 'approval.ipynb');
    await recordStepStatuses(page);
    await sendPrompt(panel, 'How many rows has this table?');
    await expect(await finalAnswer(panel)).toContainText('3 rows');
    const card = panel.locator('.jp-CodeInterpreter-step[data-step="1"]');
    await expect(card).toHaveAttribute('data-status', 'done');
    const statuses = await stepStatuses(page);
    expect(statuses).not.toContain('proposed');
    expect(statuses).toContain('done');
  });

  test('code calling requests.get still asks, even with network allowed', async ({
    page,
    request
  }) => {
    await useScenario(request, 'interpreter/modes');
    const panel = await notebookAndPanel(page, 'approval.ipynb');
    await sendPrompt(panel, 'Write a fetcher for that URL');
    const card = panel.locator('.jp-CodeInterpreter-step[data-step="1"]');
    await expect(card).toHaveAttribute('data-status', 'proposed');
    await expect(card.locator('.jp-CodeInterpreter-stepReason')).toContainText(
      'requests'
    );
    await page.waitForTimeout(1000);
    await expect(card).toHaveAttribute('data-status', 'proposed');
    expect(await simulatorRequests(request)).toHaveLength(1);
    await card.locator('.jp-CodeInterpreter-stepRun').click();
    await expect(await finalAnswer(panel)).toContainText('fetcher is ready');
  });
});

test.describe('auto', () => {
  test.use({
    mockSettings: {
      ...galata.DEFAULT_SETTINGS,
      [PLUGIN]: { approvalMode: 'auto' }
    }
  });

  test('code calling requests.get runs without asking', async ({
    page,
    request
  }) => {
    await useScenario(request, 'interpreter/modes');
    const panel = await notebookAndPanel(page, 'approval.ipynb');
    await recordStepStatuses(page);
    await sendPrompt(panel, 'Write a fetcher for that URL');
    await expect(await finalAnswer(panel)).toContainText('fetcher is ready');
    expect(await stepStatuses(page)).not.toContain('proposed');
  });

  test('a refused step never runs and leaves no cell; a passed one runs at once', async ({
    page,
    request,
    tmpPath
  }) => {
    await useScenario(request, 'interpreter/gate');
    const panel = await notebookAndPanel(page, 'approval.ipynb');
    await sendPrompt(panel, 'Write the report');
    await expect(await finalAnswer(panel)).toContainText('report.txt');
    await expect(
      panel.locator('.jp-CodeInterpreter-step[data-step="1"]')
    ).toHaveAttribute('data-status', 'blocked');
    const cells = page.locator('.jp-CodeInterpreter-stepCell');
    await expect(cells).toHaveCount(1);
    // The refused code never ran (no marker, and the kernel's count starts at the second step).
    await expect(cells.first().locator('.jp-InputPrompt')).toContainText('[1]');
    expect(await page.contents.fileExists(`${tmpPath}/gate-marker.txt`)).toBe(
      false
    );
    expect(await page.contents.fileExists(`${tmpPath}/report.txt`)).toBe(true);
    const requests = await simulatorRequests(request);
    expect(JSON.stringify(requests[1].body?.messages?.at(-1))).toContain(
      'totally-unknown-package'
    );
    expect(JSON.stringify(requests[2].body?.messages?.at(-1))).toContain(
      'New files: report.txt'
    );
  });

  test('a syntax error never reaches the kernel when steps run unasked', async ({
    page,
    request
  }) => {
    await useScenario(request, 'interpreter/syntax');
    const panel = await notebookAndPanel(page, 'approval.ipynb');
    await sendPrompt(panel, 'Print the first five squares');
    await expect(await finalAnswer(panel)).toContainText('0, 1, 4, 9 and 16');
    const cells = page.locator('.jp-CodeInterpreter-stepCell');
    await expect(cells).toHaveCount(1);
    await expect(cells.first().locator('.jp-InputPrompt')).toContainText('[1]');
  });

  test('blocked code is still refused', async ({ page, request }) => {
    await useScenario(request, 'interpreter/pip');
    const panel = await notebookAndPanel(page, 'approval.ipynb');
    await sendPrompt(panel, 'Install totally-unknown-package and use it');
    await expect(await finalAnswer(panel)).toContainText('not allowed');
    await expect(
      panel.locator('.jp-CodeInterpreter-step[data-step="1"]')
    ).toHaveAttribute('data-status', 'blocked');
    await expect(page.locator('.jp-CodeInterpreter-stepCell')).toHaveCount(0);
  });
});
