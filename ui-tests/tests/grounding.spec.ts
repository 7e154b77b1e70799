/**
 * Answers you can check (issue 15): each number of a final answer is matched against the outputs
 * its steps gave the model. A matched number links to the step's cell, an invented one carries a
 * mark and a tooltip, a summary counts them; after a reload the marks are back; the text tool
 * protocol and "Explain this cell" answers get them too.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { APIRequestContext, Locator } from '@playwright/test';
import { openPanel, sendPrompt } from './helpers';
import {
  approve,
  finalAnswer,
  notebookAndPanel,
  reloadWithoutLauncher
} from './interpreter-helpers';
import { useScenario } from './scenario';

test.describe.configure({ timeout: 120_000 });
// Let kernel requests reach the server untouched (see interpreter.spec.ts).
test.use({ kernels: null });

const NOT_FOUND = 'not found in any output of this answer';

/** The marks of an answer's numbers with a status. */
function marks(answer: Locator, status: 'matched' | 'unmatched'): Locator {
  return answer.locator(`.jp-CodeInterpreter-number[data-status="${status}"]`);
}

/** The index of the notebook's active cell. */
async function activeCell(page: IJupyterLabPageFixture): Promise<number> {
  return page.evaluate(() => {
    const panel = window.jupyterapp.shell.currentWidget as unknown as {
      content: { activeCellIndex: number };
    };
    return panel.content.activeCellIndex;
  });
}

/** Make cell `index` the active one. */
async function activate(
  page: IJupyterLabPageFixture,
  index: number
): Promise<void> {
  await page.evaluate(i => {
    const panel = window.jupyterapp.shell.currentWidget as unknown as {
      content: { activeCellIndex: number };
    };
    panel.content.activeCellIndex = i;
  }, index);
  expect(await activeCell(page)).toBe(index);
}

/** The index of the notebook's (only) step cell. */
async function stepCellIndex(page: IJupyterLabPageFixture): Promise<number> {
  return page
    .locator('.jp-Notebook .jp-Cell')
    .evaluateAll(cells =>
      cells.findIndex(cell =>
        cell.classList.contains('jp-CodeInterpreter-stepCell')
      )
    );
}

/** What an invented number shows, checked before and after a reload. */
async function expectInventedMarked(panel: Locator): Promise<void> {
  const answer = panel
    .locator('.jp-CodeInterpreter-message[data-role="assistant"]')
    .last();
  await expect(marks(answer, 'matched')).toHaveText(['171.94']);
  // The number alone as text (copied unchanged), a drawn "?" and words for
  // screen readers: not colour alone.
  const invented = answer.getByRole('button', {
    name: `170.5: ${NOT_FOUND}`
  });
  await expect(invented).toHaveText('170.5');
  await expect(invented).toHaveAttribute('data-status', 'unmatched');
  expect(
    await invented.evaluate(node => getComputedStyle(node, '::after').content)
  ).toMatch(/^"\?"/);
  await expect(answer).toContainText('the median is 170.5 cm.');
  await invented.hover();
  const tip = answer.getByRole('tooltip');
  await expect(tip).toBeVisible();
  await expect(tip).toHaveText(NOT_FOUND);
  await expect(answer.locator('.jp-CodeInterpreter-grounding')).toHaveText(
    '2 numbers checked, 1 found in outputs, 1 not found'
  );
}

test('a grounded answer: every number found, each links to the step’s cell', async ({
  page,
  request
}) => {
  await useScenario(request, 'grounding/steps');
  const panel = await notebookAndPanel(page, 'grounded.ipynb');
  await sendPrompt(
    panel,
    'What is the mean height, and what share is over 180 cm?'
  );
  await approve(panel, 1);
  const answer = await finalAnswer(panel);
  await expect(answer).toContainText('28.6%');

  // 180 is the question's own number: neither marked nor a claim.
  await expect(marks(answer, 'matched')).toHaveText(['171.94', '7', '28.6%']);
  await expect(marks(answer, 'unmatched')).toHaveCount(0);
  await expect(answer.locator('.jp-CodeInterpreter-grounding')).toHaveText(
    '4 numbers checked, 3 found in outputs, 1 from the question or code'
  );

  // The step and the output line, on hover and in the accessible name.
  const mean = answer.getByRole('button', {
    name: /^171\.94: Found in the output of step 1: mean: 171\.94/
  });
  await mean.hover();
  await expect(answer.getByRole('tooltip')).toContainText(
    'Found in the output of step 1: mean: 171.94'
  );
  const share = answer.getByRole('button', { name: /^28\.6%: / });
  await expect(share).toHaveAttribute('aria-label', /share tall: 0\.285714/);

  // A click shows the step's cell.
  const stepCell = await stepCellIndex(page);
  expect(stepCell).toBeGreaterThan(0);
  await activate(page, 0);
  await mean.click();
  await expect.poll(() => activeCell(page)).toBe(stepCell);
});

test.describe('reload', () => {
  // The real workspace on the server, as after a user's reload (not Galata's in-memory mock).
  test.use({ mockState: false });

  test('an invented number is marked, with its tooltip and the summary, also after a reload', async ({
    page,
    request
  }) => {
    await useScenario(request, 'grounding/steps');
    const panel = await notebookAndPanel(page, 'invented.ipynb');
    await sendPrompt(panel, 'What are the mean and the median height?');
    await approve(panel, 1);
    await expect(await finalAnswer(panel)).toContainText('170.5');
    await expectInventedMarked(panel);

    await page.notebook.save();
    await reloadWithoutLauncher(page);
    await page.locator('.jp-NotebookPanel').first().waitFor();
    const reloaded = await openPanel(page);
    await expect(
      reloaded.locator('.jp-CodeInterpreter-message[data-role="user"]')
    ).toContainText('median', { timeout: 30_000 });
    await expectInventedMarked(reloaded);
  });
});

test.describe('text tool protocol', () => {
  const PLUGIN = 'jupyterlab-code-interpreter:plugin';
  const SIMULATOR_V1 = `http://127.0.0.1:${process.env.SIMULATOR_PORT || 8765}/v1`;

  async function saveSettings(
    request: APIRequestContext,
    settings: Record<string, unknown>
  ): Promise<void> {
    const response = await request.put(`/lab/api/settings/${PLUGIN}`, {
      data: { raw: JSON.stringify(settings) }
    });
    expect(response.status()).toBe(204);
  }

  test.beforeEach(async ({ request }) => {
    const stored = await request.put('/code-interpreter/keys/local', {
      data: { key: 'sim-key' }
    });
    expect(stored.status()).toBe(204);
    await saveSettings(request, {
      endpoints: [
        {
          name: 'local',
          baseUrl: SIMULATOR_V1,
          model: 'sim-model',
          models: ['default'],
          apiKeyName: 'local',
          toolProtocol: 'text'
        }
      ]
    });
  });

  test.afterEach(async ({ request }) => {
    await saveSettings(request, {});
    await request.delete('/code-interpreter/keys/local');
  });

  test('a step from a fenced block: the answer’s number is found in its output', async ({
    page,
    request
  }) => {
    await useScenario(request, 'interpreter/textprotocol');
    const panel = await notebookAndPanel(page, 'text.ipynb');
    await sendPrompt(panel, 'What is the average of 3, 5 and 10?');
    await approve(panel, 1);
    const answer = await finalAnswer(panel);
    await expect(answer).toContainText('6.0');
    await expect(marks(answer, 'matched')).toHaveText(['6.0']);
    await expect(marks(answer, 'unmatched')).toHaveCount(0);
    await expect(answer.locator('.jp-CodeInterpreter-grounding')).toHaveText(
      '1 number checked, 1 found in outputs'
    );
    await answer.getByRole('button', { name: /^6\.0: / }).hover();
    await expect(answer.getByRole('tooltip')).toHaveText(
      'Found in the output of step 1: 6.0'
    );
  });
});

test('an Explain answer’s number is found in the cell’s output, and links to the cell', async ({
  page,
  request
}) => {
  await useScenario(request, 'grounding/explain');
  const panel = await notebookAndPanel(page, 'explained.ipynb');
  await page.notebook.setCell(
    0,
    'code',
    'values = [3, 5, 10]\nprint(sum(values) / len(values))'
  );
  await page.notebook.runCell(0);
  await expect(page.locator('.jp-Notebook .jp-Cell').first()).toContainText(
    '6.0'
  );
  await page.notebook.addCell('markdown', 'Below');
  await page.notebook.selectCells(0);
  await page.evaluate(() => {
    void window.jupyterapp.commands.execute('code-interpreter:explain-cell');
  });
  const answer = await finalAnswer(panel);
  await expect(marks(answer, 'matched')).toHaveText(['6.0']);
  await expect(answer.locator('.jp-CodeInterpreter-grounding')).toHaveText(
    '1 number checked, 1 found in outputs'
  );
  const number = answer.getByRole('button', {
    name: '6.0: Found in the cell’s output: 6.0'
  });
  await activate(page, 1);
  await number.click();
  await expect.poll(() => activeCell(page)).toBe(0);
});
