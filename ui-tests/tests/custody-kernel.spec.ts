/**
 * A notebook's kernel holds no model key: the ui-test lab server runs with
 * OPENAI_API_KEY=sim-key (playwright.config.js), and a cell in a notebook opened from the UI
 * reads os.environ and /proc/self/environ for it, before and after a restart from the
 * Kernel menu.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';

test.describe.configure({ timeout: 120_000 });
// Let kernel requests reach the server untouched (see interpreter.spec.ts).
test.use({ kernels: null });

const PROBE = [
  'import os',
  "raw = open('/proc/self/environ', 'rb').read()",
  "print('env:', os.environ.get('OPENAI_API_KEY'))",
  "print('proc:', b'sim-key' in raw, b'OPENAI_API_KEY=' in raw)",
  "print('pid:', os.getpid())"
].join('\n');

/** Run the probe in the first cell; returns what it printed. */
async function probe(page: IJupyterLabPageFixture): Promise<string> {
  const output = page
    .locator('.jp-Notebook .jp-Cell')
    .first()
    .locator('.jp-OutputArea-output');
  await page.notebook.setCell(0, 'code', PROBE);
  await page.notebook.runCell(0);
  await expect(output).toContainText('pid:');
  return (await output.textContent()) ?? '';
}

function pid(printed: string): string {
  return /pid: (\d+)/.exec(printed)?.[1] ?? '';
}

test('a notebook kernel has no key, before and after a restart', async ({
  page
}) => {
  await page.notebook.createNew('custody.ipynb');
  await expect(
    page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]')
  ).toHaveCount(1, { timeout: 60_000 });

  const first = await probe(page);
  expect(first).toContain('env: None');
  expect(first).toContain('proc: False False');

  await page.menu.clickMenuItem('Kernel>Restart Kernel…');
  const dialog = page.locator('.jp-Dialog');
  await dialog.locator('.jp-mod-accept').click();
  await dialog.waitFor({ state: 'detached' });
  await expect(
    page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]')
  ).toHaveCount(1, { timeout: 60_000 });

  const second = await probe(page);
  expect(pid(second)).not.toBe(pid(first)); // a new kernel process answered
  expect(second).toContain('env: None');
  expect(second).toContain('proc: False False');
});
