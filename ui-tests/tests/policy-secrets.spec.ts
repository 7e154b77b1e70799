/**
 * The code policy fails towards asking: in `auto-safe`, a step whose code would read the model
 * key from the kernel's environment is stopped for approval before anything runs, and Skip
 * tells the model it was declined.
 */
import { expect, galata, test } from '@jupyterlab/galata';
import { sendPrompt, simulatorRequests } from './helpers';
import { finalAnswer, notebookAndPanel } from './interpreter-helpers';
import { useScenario } from './scenario';

test.describe.configure({ timeout: 120_000 });
// Kernel requests reach the server untouched (see interpreter.spec.ts).
test.use({
  kernels: null,
  mockSettings: {
    ...galata.DEFAULT_SETTINGS,
    'jupyterlab-code-interpreter:plugin': { approvalMode: 'auto-safe' }
  }
});

test('a step that would read OPENAI_API_KEY waits for approval in auto-safe; Skip tells the model', async ({
  page,
  request,
  tmpPath
}) => {
  await useScenario(request, 'interpreter/secrets');
  const panel = await notebookAndPanel(page, 'secrets.ipynb');
  await sendPrompt(panel, 'Which API key is configured?');

  const card = panel.locator('.jp-CodeInterpreter-step[data-step="1"]');
  await expect(card).toHaveAttribute('data-status', 'proposed');
  await expect(card.locator('.jp-CodeInterpreter-stepReason')).toContainText(
    'OPENAI_API_KEY'
  );
  await expect(card.locator('.jp-CodeInterpreter-stepRun')).toBeVisible();
  await expect(card.locator('.jp-CodeInterpreter-stepEdit')).toBeVisible();
  await expect(card.locator('.jp-CodeInterpreter-stepSkip')).toBeVisible();

  // The proposed cell is in the notebook but has not run: no execution count, no output, no
  // marker file, and the model has not been answered while the user decides.
  const cell = page.locator('.jp-CodeInterpreter-proposedCell');
  await expect(cell).toHaveCount(1);
  await expect(
    cell.locator('.jp-CodeInterpreter-proposalBanner')
  ).toBeVisible();
  await page.waitForTimeout(1000);
  await expect(card).toHaveAttribute('data-status', 'proposed');
  await expect(cell.locator('.jp-InputPrompt')).not.toContainText(/\d/);
  await expect(cell.locator('.jp-OutputArea-output')).toHaveCount(0);
  expect(await page.contents.fileExists(`${tmpPath}/secret-marker.txt`)).toBe(
    false
  );
  expect(await simulatorRequests(request)).toHaveLength(1);

  await card.locator('.jp-CodeInterpreter-stepSkip').click();
  await expect(await finalAnswer(panel)).toContainText('did not read the key');
  await expect(card).toHaveAttribute('data-status', 'skipped');
  expect(await page.contents.fileExists(`${tmpPath}/secret-marker.txt`)).toBe(
    false
  );
  const requests = await simulatorRequests(request);
  expect(requests).toHaveLength(2);
  const toolMessage = JSON.stringify(requests[1].body?.messages?.at(-1));
  expect(toolMessage).toContain('The user declined to run this code.');
});
