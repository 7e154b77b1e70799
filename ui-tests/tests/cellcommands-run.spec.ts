/**
 * A fixed cell from Fix this cell runs as the agent's steps run: the code policy blocks or asks
 * exactly as for a step under the notebook's approval mode (in `auto`, through the kernel's
 * gate), the run time limit interrupts it, and the panel's Stop interrupts it. Checked in the
 * kernel itself: a fix that was not approved leaves no variable behind.
 */
import {
  expect,
  galata,
  IJupyterLabPageFixture,
  test
} from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import { notebookAndPanel } from './interpreter-helpers';
import { useScenario } from './scenario';

test.describe.configure({ timeout: 120_000 });
// Let kernel requests reach the server untouched (see interpreter.spec.ts).
test.use({ kernels: null });

/** Run cell `index` without moving on to the next one. */
async function runCell(page: IJupyterLabPageFixture, index: number) {
  await page.notebook.selectCells(index);
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('notebook:run-cell');
  });
}

/** Put `code` in the first cell, run it, wait for its NameError and ask for a fix. */
async function fixBrokenCell(
  page: IJupyterLabPageFixture,
  code: string
): Promise<{ cell: Locator; diff: Locator }> {
  await page.notebook.setCell(0, 'code', code);
  await runCell(page, 0);
  const cell = page.locator('.jp-Notebook .jp-Cell').first();
  await expect(cell.locator('.jp-Cell-outputArea')).toContainText('NameError');
  await page.notebook.selectCells(0);
  // Not awaited: a fix waits for Apply or Reject.
  await page.evaluate(() => {
    void window.jupyterapp.commands.execute('code-interpreter:fix-cell');
  });
  const diff = cell.locator('.jp-CodeInterpreter-diff');
  await expect(diff).toBeVisible({ timeout: 30_000 });
  return { cell, diff };
}

/** Whether the fixed code ran in the kernel: it sets `fix_ran`. */
async function fixRanInKernel(page: IJupyterLabPageFixture): Promise<string> {
  await page.notebook.addCell('code', "print('fix_ran' in dir())");
  const count = await page.notebook.getCellCount();
  await runCell(page, count - 1);
  const probe = page.locator('.jp-Notebook .jp-Cell').nth(count - 1);
  await expect(probe.locator('.jp-Cell-outputArea')).toHaveText(/True|False/);
  return (await probe.locator('.jp-Cell-outputArea').innerText()).trim();
}

test.describe('in auto mode', () => {
  test.use({
    mockSettings: {
      ...galata.DEFAULT_SETTINGS,
      'jupyterlab-code-interpreter:plugin': {
        approvalMode: 'auto',
        executionTimeoutSeconds: 3
      }
    }
  });

  test('a fix that runs a shell command is not run unasked: the diff asks, Skip runs nothing', async ({
    page,
    request
  }) => {
    await useScenario(request, 'cellcommands/fixrun');
    const panel = await notebookAndPanel(page, 'fixrun.ipynb');
    const { cell, diff } = await fixBrokenCell(page, 'print(shelly)');
    await diff.locator('.jp-CodeInterpreter-diffApply').click();

    // The gate refused it in the kernel; the policy's `shell: ask` asks, as for a step.
    await expect(diff).toHaveAttribute('data-phase', 'approve', {
      timeout: 30_000
    });
    await expect(diff.locator('.jp-CodeInterpreter-diffMessage')).toContainText(
      'Run the fixed cell?'
    );
    await expect(diff.locator('.jp-CodeInterpreter-diffMessage')).toContainText(
      'echo'
    );
    await expect(cell.locator('.jp-Cell-outputArea')).not.toContainText(
      'FIX RAN'
    );
    await diff.locator('.jp-CodeInterpreter-diffSkip').click();
    await expect(panel).toContainText('Fix applied; the cell was not run.');
    await expect(cell.locator('.jp-CodeInterpreter-diff')).toHaveCount(0);
    expect(await fixRanInKernel(page)).toBe('False');
  });

  test('a fix the policy blocks is not run, and the chat says why', async ({
    page,
    request
  }) => {
    await useScenario(request, 'cellcommands/fixrun');
    const panel = await notebookAndPanel(page, 'fixrun.ipynb');
    const { cell, diff } = await fixBrokenCell(page, 'print(deletey)');
    await diff.locator('.jp-CodeInterpreter-diffApply').click();

    await expect(panel).toContainText('Fix applied but not run', {
      timeout: 30_000
    });
    await expect(panel).toContainText('os.remove');
    await expect(cell.locator('.jp-CodeInterpreter-diff')).toHaveCount(0);
    await expect(cell.locator('.jp-Cell-outputArea')).not.toContainText(
      'FIX RAN'
    );
    expect(await fixRanInKernel(page)).toBe('False');
  });

  test('the run time limit interrupts a fixed cell', async ({
    page,
    request
  }) => {
    await useScenario(request, 'cellcommands/fixrun');
    const panel = await notebookAndPanel(page, 'fixrun.ipynb');
    const { cell, diff } = await fixBrokenCell(page, 'print(sleepy)');
    await diff.locator('.jp-CodeInterpreter-diffApply').click();

    await expect(cell.locator('.jp-Cell-outputArea')).toContainText(
      'FIX STARTED',
      { timeout: 30_000 }
    );
    await expect(panel).toContainText(
      'The fixed cell was interrupted after 3 s',
      { timeout: 20_000 }
    );
    await expect(cell.locator('.jp-Cell-outputArea')).toContainText(
      'KeyboardInterrupt'
    );
    await expect(cell.locator('.jp-Cell-outputArea')).not.toContainText(
      'FIX FINISHED'
    );
    // No new attempt: an interrupted fix is not a failure to repair.
    await expect(cell.locator('.jp-CodeInterpreter-diff')).toHaveCount(0);
    await expect(panel.locator('.jp-CodeInterpreter-stop')).toBeHidden();
  });
});

test("the panel's Stop interrupts a fixed cell", async ({ page, request }) => {
  await useScenario(request, 'cellcommands/fixrun');
  const panel = await notebookAndPanel(page, 'fixrun.ipynb');
  const { cell, diff } = await fixBrokenCell(page, 'print(sleepy)');
  await diff.locator('.jp-CodeInterpreter-diffApply').click();
  // The default approval mode asks first.
  await diff.locator('.jp-CodeInterpreter-diffRun').click();
  await expect(cell.locator('.jp-Cell-outputArea')).toContainText(
    'FIX STARTED',
    { timeout: 30_000 }
  );
  await panel.locator('.jp-CodeInterpreter-stop').click();
  await expect(panel).toContainText('Stopped: the fixed cell was interrupted.');
  await expect(cell.locator('.jp-Cell-outputArea')).toContainText(
    'KeyboardInterrupt'
  );
  await expect(panel.locator('.jp-CodeInterpreter-stop')).toBeHidden();
  await expect(panel.locator('.jp-CodeInterpreter-input')).toBeEnabled();
});
