/**
 * The turn's limits end to end: the wall-clock limit of a step, the repair budget, the steps
 * limit, and the progress shown while a step runs. `auto` approval, so no clicks are needed.
 */
import { expect, galata, test } from '@jupyterlab/galata';
import { sendPrompt, simulatorRequests } from './helpers';
import { finalAnswer, notebookAndPanel } from './interpreter-helpers';
import { useScenario } from './scenario';

test.describe.configure({ timeout: 120_000 });
test.use({
  // Kernel requests reach the server untouched (interrupts have empty replies).
  kernels: null,
  mockSettings: {
    ...galata.DEFAULT_SETTINGS,
    'jupyterlab-code-interpreter:plugin': {
      approvalMode: 'auto',
      executionTimeoutSeconds: 3,
      repairBudget: 1,
      maxStepsPerTurn: 2
    }
  }
});

test('time.sleep(1000) is interrupted after the 3 s limit and the model is told', async ({
  page,
  request
}) => {
  await useScenario(request, 'interpreter/timeout');
  const panel = await notebookAndPanel(page, 'limits.ipynb');
  await sendPrompt(panel, 'Sleep for a long time');
  const card = panel.locator('.jp-CodeInterpreter-step[data-step="1"]');
  await expect(card).toHaveAttribute('data-status', 'running');
  const started = Date.now();
  await expect(card).toHaveAttribute('data-status', 'failed', {
    timeout: 20_000
  });
  const elapsed = Date.now() - started;
  expect(elapsed).toBeGreaterThan(2_000);
  expect(elapsed).toBeLessThan(12_000);
  await expect(await finalAnswer(panel)).toContainText(
    'interrupted after the 3 s'
  );
  await expect(
    page.locator('.jp-CodeInterpreter-stepCell .jp-OutputArea-output')
  ).toContainText('KeyboardInterrupt');
  await expect(
    page.locator(
      '.jp-CodeInterpreter-stepCell[data-code-interpreter-status="failed"]'
    )
  ).toHaveCount(1);
  const requests = await simulatorRequests(request);
  expect(requests).toHaveLength(2);
  const toolMessage = requests[1].body?.messages?.at(-1);
  expect(toolMessage?.role).toBe('tool');
  expect(JSON.stringify(toolMessage)).toContain(
    'Timed out after 3 s; the kernel was interrupted'
  );
});

test('with a repair budget of 1, two failing steps end the turn with the last error', async ({
  page,
  request
}) => {
  await useScenario(request, 'interpreter/repairbudget');
  const panel = await notebookAndPanel(page, 'limits.ipynb');
  await sendPrompt(panel, 'What is the average of these values?');
  const answer = await finalAnswer(panel);
  await expect(answer).toContainText(
    "Stopped after 2 failed attempts: NameError: name 'valuez2' is not defined"
  );
  await expect(
    panel.locator('.jp-CodeInterpreter-message[data-role="error"]')
  ).toHaveCount(0);
  await expect(
    panel.locator('.jp-CodeInterpreter-step[data-status="failed"]')
  ).toHaveCount(2);
  // The model was not asked again after the second failure.
  expect(await simulatorRequests(request)).toHaveLength(2);
});

test('at the steps limit the final request allows no tools and the panel says why', async ({
  page,
  request
}) => {
  await useScenario(request, 'interpreter/steplimit');
  const panel = await notebookAndPanel(page, 'limits.ipynb');
  await sendPrompt(panel, 'Keep counting forever');
  const answer = await finalAnswer(panel);
  await expect(answer).toContainText('Here is what I found so far');
  await expect(answer.locator('.jp-CodeInterpreter-note')).toContainText(
    'Stopped after reaching the limit of 2 steps for one request.'
  );
  await expect(
    panel.locator('.jp-CodeInterpreter-step[data-status="done"]')
  ).toHaveCount(2);
  const requests = await simulatorRequests(request);
  expect(requests).toHaveLength(3);
  const last = requests[2].body as Record<string, unknown>;
  expect(last.tool_choice).toBe('none');
  expect(requests[0].body).not.toHaveProperty('tool_choice');
  expect(requests[1].body).not.toHaveProperty('tool_choice');
});

test('while the kernel runs a step the card shows running and the panel shows progress', async ({
  page,
  request
}) => {
  await useScenario(request, 'interpreter/timeout');
  const panel = await notebookAndPanel(page, 'limits.ipynb');
  await sendPrompt(panel, 'Take a short nap');
  const card = panel.locator('.jp-CodeInterpreter-step[data-step="1"]');
  await expect(card).toHaveAttribute('data-status', 'running');
  await expect(card.locator('.jp-CodeInterpreter-stepStatus')).toHaveText(
    'running'
  );
  await expect(panel.locator('.jp-CodeInterpreter-progress')).toBeVisible();
  await expect(await finalAnswer(panel)).toContainText('Rested');
  await expect(panel.locator('.jp-CodeInterpreter-progress')).toHaveCount(0);
});
