/**
 * Code the model sends again unchanged after it failed is not run again (agent/repeats.ts): the
 * chat's step card says so, the model is told the step and its error, and the notebook gets no
 * second failed cell; the changed code that follows repairs the failed cell.
 */
import { expect, galata, test } from '@jupyterlab/galata';
import { sendPrompt, simulatorRequests } from './helpers';
import { finalAnswer, notebookAndPanel } from './interpreter-helpers';
import { useScenario } from './scenario';

test.describe.configure({ timeout: 180_000 });
test.use({
  kernels: null,
  mockSettings: {
    ...galata.DEFAULT_SETTINGS,
    'jupyterlab-code-interpreter:plugin': { approvalMode: 'auto' }
  }
});

test('an unchanged resend of failed code is not run: a note on its step card, no second failed cell', async ({
  page,
  request,
  tmpPath
}) => {
  await page.contents.uploadContent(
    'item,price\na,10\nb,15\nc,11\nd,14\n',
    'text',
    `${tmpPath}/prices.csv`
  );
  await useScenario(request, 'interpreter/repeat');
  const panel = await notebookAndPanel(page, 'repeat.ipynb');
  await sendPrompt(panel, 'What is the mean price in prices.csv?');
  await expect(await finalAnswer(panel)).toContainText('12.5');

  // Step 2 was not run: its card says why, in words and a tooltip.
  const repeated = panel.locator('.jp-CodeInterpreter-step[data-step="2"]');
  await expect(repeated).toHaveAttribute('data-status', 'blocked');
  await expect(repeated.locator('.jp-CodeInterpreter-stepStatus')).toHaveText(
    'not run'
  );
  const note = repeated.locator('.jp-CodeInterpreter-stepRepeat');
  await expect(note).toHaveText('same code as failed step 1');
  await expect(note).toHaveAttribute('title', /would fail the same way/);

  // The model was told the step, its error and the column hint, and asked for changed code.
  const requests = await simulatorRequests(request);
  expect(requests).toHaveLength(4);
  const told = String(requests[2].body?.messages?.at(-1)?.content);
  expect(told).toContain(
    "Not run: this is the same code as step 1, which raised KeyError: 'price '"
  );
  expect(told).toContain("its column is 'price'");

  // The kernel ran two cells: the failed step and its repair, which took the failed cell.
  await expect(
    panel.locator(
      '.jp-CodeInterpreter-step[data-step="1"] .jp-CodeInterpreter-stepReplacedBy'
    )
  ).toHaveText('replaced by step 3');
  const stepCells = page.locator('.jp-CodeInterpreter-stepCell');
  await expect(stepCells).toHaveCount(1);
  await expect(stepCells.locator('.jp-InputPrompt')).toHaveText('[2]:');
  await expect(stepCells.locator('.jp-OutputArea-output')).toHaveText(
    'mean price: 12.5'
  );
  await expect(
    page.locator(
      '.jp-Notebook .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
    )
  ).toHaveCount(0);
  const attempts = await page.evaluate(() => {
    const widget = window.jupyterapp.shell.currentWidget as unknown as {
      content: {
        model: {
          toJSON(): {
            cells: {
              metadata: { code_interpreter?: { attempts?: unknown[] } };
            }[];
          };
        };
      };
    };
    return widget.content.model
      .toJSON()
      .cells.map(cell => cell.metadata.code_interpreter?.attempts ?? null);
  });
  expect(attempts).toEqual([
    null,
    [expect.objectContaining({ step: 1, ename: 'KeyError' })]
  ]);
});
