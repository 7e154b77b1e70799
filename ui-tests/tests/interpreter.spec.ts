/**
 * The code interpreter end to end: prompt → proposed cell → approval → run in the real kernel →
 * outputs back to the model (the simulator's rules only answer when they see them) → answer.
 */
import { expect, test } from '@jupyterlab/galata';
import * as path from 'path';
import { openPanel, sendPrompt, simulatorRequests } from './helpers';
import {
  approve,
  finalAnswer,
  notebookAndPanel,
  reloadWithoutLauncher
} from './interpreter-helpers';
import { useScenario } from './scenario';

test.describe.configure({ timeout: 120_000 });
// Galata's kernel-API mock parses every POST reply as JSON, and an interrupt's
// reply is empty: let kernel requests reach the server untouched.
test.use({ kernels: null });

test('a CSV in the folder + "run some basic visualization" plots in the notebook and answers', async ({
  page,
  request,
  tmpPath
}) => {
  await page.contents.uploadContent(
    'month,revenue\nJan,10\nFeb,14\nMar,9\nApr,17\n',
    'text',
    `${tmpPath}/sales.csv`
  );
  await useScenario(request, 'interpreter/visualize');
  const panel = await notebookAndPanel(page, 'analysis.ipynb');
  await sendPrompt(panel, 'sales.csv: run some basic visualization');
  await approve(panel, 1);

  const answer = await finalAnswer(panel);
  await expect(answer).toContainText('4 rows');
  // The plot is in the notebook, in the proposed cell.
  const cell = page.locator('.jp-CodeInterpreter-stepCell').first();
  await expect(cell.locator('.jp-OutputArea-output img')).toBeVisible();
  // The model received the outputs, and the plot as an image description.
  const requests = await simulatorRequests(request);
  expect(requests).toHaveLength(2);
  const toolMessage = JSON.stringify(requests[1].body?.messages?.at(-1));
  expect(toolMessage).toContain('shape: (4, 2)');
  expect(toolMessage).toMatch(/image/i);
  // The kernel's DataFrames after the step, with their columns.
  expect(toolMessage).toContain(
    "DataFrames now: df (4 rows): columns ['month', 'revenue']"
  );
  // The prompt names sales.csv: the context quotes its header line, no data row.
  const context = JSON.stringify(requests[0].body?.messages?.[1]);
  expect(context).toContain("sales.csv header line: 'month,revenue'");
  expect(context).not.toContain('Jan,10');

  // This run is the README's screenshot.
  await page.sidebar.close('left');
  await page.setViewportSize({ width: 1280, height: 800 });
  await cell.scrollIntoViewIfNeeded();
  await page.screenshot({
    path: path.join(__dirname, '..', '..', 'docs', 'images', 'chat.png')
  });
});

test('a maths problem is solved with sympy in the kernel', async ({
  page,
  request
}) => {
  await useScenario(request, 'interpreter/sympy');
  const panel = await notebookAndPanel(page, 'analysis.ipynb');
  await sendPrompt(panel, 'Solve x^2 - 5x + 6 = 0');
  await approve(panel, 1);
  await expect(await finalAnswer(panel)).toContainText('x = 3');
  await expect(
    page.locator('.jp-CodeInterpreter-stepCell .jp-OutputArea-output')
  ).toContainText('[2, 3]');
});

test('a QR code from a URL is shown as an image', async ({
  page,
  request,
  tmpPath
}) => {
  await useScenario(request, 'interpreter/qrcode');
  const panel = await notebookAndPanel(page, 'analysis.ipynb');
  await sendPrompt(panel, 'Make a QR code for https://jupyter.org');
  await approve(panel, 1);
  await expect(await finalAnswer(panel)).toContainText('QR code');
  await expect(
    page.locator('.jp-CodeInterpreter-stepCell .jp-OutputArea-output img')
  ).toBeVisible();
  expect(await page.contents.fileExists(`${tmpPath}/qrcode.png`)).toBe(true);
  // The model is told which files the step made.
  const requests = await simulatorRequests(request);
  expect(JSON.stringify(requests[1].body?.messages)).toContain(
    'New files: qrcode.png'
  );
});

test('a runtime error is repaired on the second step', async ({
  page,
  request
}) => {
  await useScenario(request, 'interpreter/repair');
  const panel = await notebookAndPanel(page, 'analysis.ipynb');
  await sendPrompt(panel, 'What is the average of 3, 5 and 10?');
  await approve(panel, 1);
  await expect(
    panel.locator('.jp-CodeInterpreter-step[data-step="1"]')
  ).toHaveAttribute('data-status', 'failed');
  await approve(panel, 2);
  await expect(await finalAnswer(panel)).toContainText('6.0');
  // The repair took the failed step's cell (interpreter-rerun.spec.ts has the rest).
  await expect(page.locator('.jp-CodeInterpreter-stepCell')).toHaveCount(1);
});

test('a syntax error never reaches the kernel', async ({ page, request }) => {
  await useScenario(request, 'interpreter/syntax');
  const panel = await notebookAndPanel(page, 'analysis.ipynb');
  await sendPrompt(panel, 'Print the first five squares');
  // The broken code is refused before any cell runs; only the corrected step is proposed.
  await approve(panel, 2);
  await expect(await finalAnswer(panel)).toContainText('0, 1, 4, 9 and 16');
  const cells = page.locator('.jp-CodeInterpreter-stepCell');
  await expect(cells).toHaveCount(1);
  // Execution count 1: the kernel executed nothing before the corrected code.
  await expect(cells.first().locator('.jp-InputPrompt')).toContainText('[1]');
  const requests = await simulatorRequests(request);
  expect(JSON.stringify(requests[1].body?.messages?.at(-1))).toContain(
    'SyntaxError'
  );
});

test('!pip install is blocked and the model is told which packages exist', async ({
  page,
  request
}) => {
  await useScenario(request, 'interpreter/pip');
  const panel = await notebookAndPanel(page, 'analysis.ipynb');
  await sendPrompt(panel, 'Install totally-unknown-package and use it');
  await expect(await finalAnswer(panel)).toContainText('not allowed');
  await expect(page.locator('.jp-CodeInterpreter-stepCell')).toHaveCount(0);
  await expect(
    panel.locator('.jp-CodeInterpreter-step[data-step="1"]')
  ).toHaveAttribute('data-status', 'blocked');
});

test('nothing runs before approval; Run runs it', async ({
  page,
  request,
  tmpPath
}) => {
  await useScenario(request, 'interpreter/approval');
  const panel = await notebookAndPanel(page, 'analysis.ipynb');
  await sendPrompt(panel, 'Please write the marker file');
  const card = panel.locator('.jp-CodeInterpreter-step[data-step="1"]');
  await expect(card).toHaveAttribute('data-status', 'proposed');
  await expect(page.locator('.jp-CodeInterpreter-proposedCell')).toHaveCount(1);
  await page.waitForTimeout(1000);
  expect(await page.contents.fileExists(`${tmpPath}/marker.txt`)).toBe(false);

  await card.locator('.jp-CodeInterpreter-stepRun').click();
  await expect(await finalAnswer(panel)).toContainText('I wrote');
  expect(await page.contents.fileExists(`${tmpPath}/marker.txt`)).toBe(true);
});

test('Skip declines the step: nothing runs and the model is told', async ({
  page,
  request,
  tmpPath
}) => {
  await useScenario(request, 'interpreter/approval');
  const panel = await notebookAndPanel(page, 'analysis.ipynb');
  await sendPrompt(panel, 'Please write the marker file');
  const card = panel.locator('.jp-CodeInterpreter-step[data-step="1"]');
  await expect(card).toHaveAttribute('data-status', 'proposed');
  await card.locator('.jp-CodeInterpreter-stepSkip').click();
  await expect(await finalAnswer(panel)).toContainText('did not write');
  await expect(card).toHaveAttribute('data-status', 'skipped');
  expect(await page.contents.fileExists(`${tmpPath}/marker.txt`)).toBe(false);
});

test('Stop interrupts a running time.sleep(1000)', async ({
  page,
  request
}) => {
  await useScenario(request, 'interpreter/sleep');
  const panel = await notebookAndPanel(page, 'analysis.ipynb');
  await sendPrompt(panel, 'Sleep for a long time');
  await approve(panel, 1);
  const card = panel.locator('.jp-CodeInterpreter-step[data-step="1"]');
  await expect(card).toHaveAttribute('data-status', 'running');
  await panel.locator('.jp-CodeInterpreter-stop').click();
  await expect(card).toHaveAttribute('data-status', 'stopped', {
    timeout: 20_000
  });
  // The kernel was interrupted, not left sleeping.
  await expect(
    page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]')
  ).toHaveCount(1, { timeout: 15_000 });
  await expect(
    page.locator('.jp-CodeInterpreter-stepCell .jp-OutputArea-output')
  ).toContainText('KeyboardInterrupt');
  await expect(
    panel.locator('textarea.jp-CodeInterpreter-input')
  ).toBeEnabled();
  // No further model request after Stop.
  expect(await simulatorRequests(request)).toHaveLength(1);
});

test.describe('reload', () => {
  // The real workspace on the server, as after a user's reload (not Galata's in-memory mock).
  test.use({ mockState: false });

  test('the conversation survives a page reload right after the answer', async ({
    page,
    request
  }) => {
    await useScenario(request, 'interpreter/sympy');
    const panel = await notebookAndPanel(page, 'analysis.ipynb');
    await sendPrompt(panel, 'Solve x^2 - 5x + 6 = 0');
    await approve(panel, 1);
    await expect(await finalAnswer(panel)).toContainText('x = 3');

    // Saved, as a user would before reloading (else the browser asks to stay).
    await page.notebook.save();
    // The restored notebook is the active tab, not the launcher Galata waits for.
    await reloadWithoutLauncher(page);
    await page.locator('.jp-NotebookPanel').first().waitFor();
    const reloaded = await openPanel(page);
    // Restoring waits for the notebook's context and the saved chat: slow on a busy machine.
    await expect(
      reloaded.locator('.jp-CodeInterpreter-message[data-role="user"]')
    ).toContainText('Solve x^2', { timeout: 30_000 });
    await expect(
      reloaded
        .locator('.jp-CodeInterpreter-message[data-role="assistant"]')
        .last()
    ).toContainText('x = 3');
    await expect(
      reloaded.locator('.jp-CodeInterpreter-step[data-step="1"]')
    ).toHaveAttribute('data-status', 'done');
  });
});

test('你好 gets a Chinese reply and the request offers no tools', async ({
  page,
  request
}) => {
  await useScenario(request, 'interpreter/chinese');
  const panel = await notebookAndPanel(page, 'analysis.ipynb');
  await sendPrompt(panel, '你好');
  await expect(await finalAnswer(panel)).toContainText('你好！');
  const requests = await simulatorRequests(request);
  expect(requests).toHaveLength(1);
  expect(requests[0].body).not.toHaveProperty('tools');
  expect(JSON.stringify(requests[0].body?.messages)).toContain(
    'Simplified Chinese'
  );
});

test('a 10 MB print reaches the model within its output budget', async ({
  page,
  request
}) => {
  await useScenario(request, 'interpreter/bigprint');
  const panel = await notebookAndPanel(page, 'analysis.ipynb');
  await sendPrompt(panel, 'Print something big');
  await approve(panel, 1);
  await expect(await finalAnswer(panel)).toContainText('10 MB');
  const requests = await simulatorRequests(request);
  const toolMessage = JSON.stringify(requests[1].body?.messages?.at(-1));
  // ~2k tokens at ~4 characters per token, with room for the marker.
  expect(toolMessage.length).toBeLessThan(10_000);
  expect(toolMessage).toContain('START');
  expect(toolMessage).toContain('END');
});

test('the demo that `make run` starts without a model plots in the notebook', async ({
  page,
  request
}) => {
  // The model name this suite's JupyterLab asks for, beside the demo's own.
  await useScenario(
    request,
    '../../jupyterlab_code_interpreter/simulator/examples/demo',
    { models: ['gpt-4o', 'sim-model'] }
  );
  const panel = await notebookAndPanel(page, 'demo.ipynb');
  await sendPrompt(panel, 'Plot something nice');
  await approve(panel, 1);
  await expect(await finalAnswer(panel)).toContainText('sin(x)');
  await expect(
    page.locator('.jp-CodeInterpreter-stepCell .jp-OutputArea-output img')
  ).toBeVisible();
});
