/**
 * The notebook reruns clean after a turn (issue 12): a repair takes the failed step's cell, so
 * "Restart Kernel and Run All Cells" through JupyterLab's menu reproduces the answer; a failed
 * step the turn gave up on is tagged raises-exception and marked, and Run All goes on past it;
 * a user's cell between steps stays where it is; a step the user skipped stays as a raw cell that
 * Run All does not run.
 */
import {
  expect,
  galata,
  IJupyterLabPageFixture,
  test
} from '@jupyterlab/galata';
import * as fs from 'fs';
import { sendPrompt, simulatorRequests } from './helpers';
import { approve, finalAnswer, notebookAndPanel } from './interpreter-helpers';
import { useScenario } from './scenario';

test.describe.configure({ timeout: 180_000 });
test.use({ kernels: null });

const PRICES = 'item,price\na,10\nb,15\nc,11\nd,14\n';

/** The notebook's cells as nbformat JSON, from the notebook on screen. */
async function cellsOf(page: IJupyterLabPageFixture): Promise<
  {
    cell_type: string;
    source: string;
    metadata: Record<string, unknown>;
  }[]
> {
  return page.evaluate(() => {
    const widget = window.jupyterapp.shell.currentWidget as unknown as {
      content: { model: { toJSON(): { cells: unknown[] } } };
    };
    return widget.content.model.toJSON().cells as {
      cell_type: string;
      source: string;
      metadata: Record<string, unknown>;
    }[];
  });
}

/**
 * Save the notebook and read it back from the server, as saved. With `RERUN_FIXTURE_DIR` set,
 * also write it there (how jupyterlab_code_interpreter/tests/fixtures/rerun/*.ipynb were made).
 */
async function savedNotebook(
  page: IJupyterLabPageFixture,
  path: string
): Promise<string> {
  await page.notebook.save();
  const text = await page.evaluate(async notebookPath => {
    const model = await window.jupyterapp.serviceManager.contents.get(
      notebookPath,
      { content: true, type: 'notebook' }
    );
    return JSON.stringify(model.content, null, 1) + '\n';
  }, path);
  const dir = process.env.RERUN_FIXTURE_DIR;
  if (dir) {
    fs.writeFileSync(`${dir}/${path.split('/').pop()}`, text);
  }
  return text;
}

/** Restart the kernel and run all cells through the Kernel menu, accepting the dialog. */
async function restartAndRunAll(page: IJupyterLabPageFixture): Promise<void> {
  await page.menu.clickMenuItem('Kernel>Restart Kernel and Run All Cells…');
  const dialog = page.locator('.jp-Dialog');
  await dialog.locator('.jp-mod-accept').click();
  await dialog.waitFor({ state: 'detached' });
}

const errorOutputs = (page: IJupyterLabPageFixture) =>
  page.locator(
    '.jp-Notebook .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
  );

test.describe('auto approval', () => {
  test.use({
    mockSettings: {
      ...galata.DEFAULT_SETTINGS,
      'jupyterlab-code-interpreter:plugin': { approvalMode: 'auto' }
    }
  });

  test('a repaired KeyError leaves one cell, and Restart & Run All prints the answer again without error', async ({
    page,
    request,
    tmpPath
  }) => {
    await page.contents.uploadContent(PRICES, 'text', `${tmpPath}/prices.csv`);
    await useScenario(request, 'interpreter/rerun');
    const panel = await notebookAndPanel(page, 'repaired.ipynb');
    await sendPrompt(panel, 'What is the mean price in prices.csv?');
    await expect(await finalAnswer(panel)).toContainText('12.5');

    // The model was told the repair replaces the failed cell (the scenario only repairs then).
    const requests = await simulatorRequests(request);
    expect(requests).toHaveLength(3);
    expect(JSON.stringify(requests[1].body?.messages?.at(-1))).toContain(
      'Your next step replaces this cell in the notebook'
    );

    // The chat keeps the failed attempt: step 2's card, the code on demand.
    const repairCard = panel.locator('.jp-CodeInterpreter-step[data-step="2"]');
    const attempt = repairCard.locator('.jp-CodeInterpreter-stepAttempt');
    await expect(attempt.locator('summary')).toHaveText(
      "Replaced a failed attempt: KeyError: 'price '"
    );
    await attempt.locator('summary').click();
    await expect(attempt.locator('code')).toContainText("df['price ']");
    await expect(
      panel.locator(
        '.jp-CodeInterpreter-step[data-step="1"] .jp-CodeInterpreter-stepReplacedBy'
      )
    ).toHaveText('replaced by step 2');

    // One step cell: the repair took the failed cell's place; the attempt is in its metadata.
    await expect(page.locator('.jp-CodeInterpreter-stepCell')).toHaveCount(1);
    const cells = await cellsOf(page);
    expect(cells).toHaveLength(2);
    const provenance = cells[1].metadata.code_interpreter as {
      step: number;
      status: string;
      attempts: Record<string, unknown>[];
    };
    expect(provenance).toMatchObject({ step: 2, status: 'done' });
    expect(provenance.attempts).toEqual([
      {
        step: 1,
        outcome: 'error',
        source:
          "import pandas as pd\ndf = pd.read_csv('prices.csv')\nprint('rows:', len(df))\nprint(df['price '].mean())",
        ename: 'KeyError',
        evalue: "'price '"
      }
    ]);
    expect(cells[1].metadata.tags).toBeUndefined();
    await savedNotebook(page, `${tmpPath}/repaired.ipynb`);

    await restartAndRunAll(page);
    const stepCell = page.locator('.jp-CodeInterpreter-stepCell');
    // A fresh kernel's first execution: the outputs below are the rerun's.
    await expect(stepCell.locator('.jp-InputPrompt')).toHaveText('[1]:', {
      timeout: 60_000
    });
    await expect(stepCell.locator('.jp-OutputArea-output')).toHaveText(
      'mean price: 12.5'
    );
    await expect(errorOutputs(page)).toHaveCount(0);
    await expect(page.locator('.jp-Notebook .jp-Cell')).toHaveCount(2);
  });
});

test.describe('auto approval, repair budget 0', () => {
  test.use({
    mockSettings: {
      ...galata.DEFAULT_SETTINGS,
      'jupyterlab-code-interpreter:plugin': {
        approvalMode: 'auto',
        repairBudget: 0
      }
    }
  });

  test('a turn that gives up leaves the failed cell tagged and marked; Run All reruns the cells before it and goes on past it', async ({
    page,
    request,
    tmpPath
  }) => {
    await useScenario(request, 'interpreter/rerungiveup');
    const panel = await notebookAndPanel(page, 'gaveup.ipynb');
    await sendPrompt(panel, 'What is the average?');
    await expect(await finalAnswer(panel)).toContainText(
      "Stopped after 1 failed attempts: NameError: name 'count' is not defined"
    );

    const failedCard = panel.locator('.jp-CodeInterpreter-step[data-step="2"]');
    const badge = failedCard.locator('.jp-CodeInterpreter-stepUnrepaired');
    await expect(badge).toContainText('not repaired');
    await expect(badge).toHaveAttribute('title', /raises-exception/);

    const failedCell = page.locator(
      '.jp-CodeInterpreter-stepCell[data-code-interpreter-status="failed"]'
    );
    const marker = failedCell.locator('.jp-CodeInterpreter-unrepairedMarker');
    await expect(marker).toHaveText('⚠Failed step, not repaired');
    await expect(marker).toHaveAttribute('title', /raises-exception/);
    const cells = await cellsOf(page);
    expect(cells.map(c => c.source)).toEqual([
      '',
      "total = 40\nprint('total:', total)",
      'print(total / count)'
    ]);
    expect(cells[2].metadata.tags).toEqual(['raises-exception']);
    expect(cells[1].metadata.tags).toBeUndefined();

    // A cell of the user's after the failed one: Run All must reach it.
    await page.notebook.addCell('code', "print('after the failed step')");
    await savedNotebook(page, `${tmpPath}/gaveup.ipynb`);

    await restartAndRunAll(page);
    const first = page.locator('.jp-CodeInterpreter-stepCell').first();
    await expect(first.locator('.jp-InputPrompt')).toHaveText('[1]:', {
      timeout: 60_000
    });
    await expect(first.locator('.jp-OutputArea-output')).toHaveText(
      'total: 40'
    );
    // The failed cell raises again, visibly, and is still marked; the cell after it ran.
    await expect(failedCell.locator('.jp-InputPrompt')).toHaveText('[2]:');
    await expect(errorOutputs(page)).toHaveCount(1);
    await expect(errorOutputs(page)).toContainText('NameError');
    await expect(marker).toBeVisible();
    const last = page.locator('.jp-Notebook .jp-Cell').last();
    await expect(last.locator('.jp-InputPrompt')).toHaveText('[3]:');
    await expect(last.locator('.jp-OutputArea-output')).toHaveText(
      'after the failed step'
    );
  });
});

test.describe('ask approval', () => {
  test.use({
    mockSettings: {
      ...galata.DEFAULT_SETTINGS,
      'jupyterlab-code-interpreter:plugin': { approvalMode: 'ask' }
    }
  });

  test('a user cell inserted below the failed step while the repair waits stays in place', async ({
    page,
    request,
    tmpPath
  }) => {
    await page.contents.uploadContent(PRICES, 'text', `${tmpPath}/prices.csv`);
    await useScenario(request, 'interpreter/rerun');
    const panel = await notebookAndPanel(page, 'usercell.ipynb');
    await sendPrompt(panel, 'What is the mean price in prices.csv?');
    await approve(panel, 1);
    await expect(
      panel.locator('.jp-CodeInterpreter-step[data-step="1"]')
    ).toHaveAttribute('data-status', 'failed');

    // The repair is proposed in the failed cell's place, with its banner.
    const card = panel.locator('.jp-CodeInterpreter-step[data-step="2"]');
    await expect(card).toHaveAttribute('data-status', 'proposed');
    const stepCells = page.locator('.jp-CodeInterpreter-stepCell');
    await expect(stepCells).toHaveCount(1);
    await expect(
      stepCells.locator('.jp-CodeInterpreter-proposalBanner')
    ).toBeVisible();
    await expect(stepCells.locator('.jp-OutputArea-output')).toHaveCount(0);
    await expect(
      card.locator('.jp-CodeInterpreter-stepAttempt summary')
    ).toHaveText("Replaced a failed attempt: KeyError: 'price '");

    // Meanwhile the user adds a cell of their own below it.
    await page.notebook.addCell('code', "mine = 'the user cell'");
    await approve(panel, 2);
    await expect(await finalAnswer(panel)).toContainText('12.5');

    const cells = await cellsOf(page);
    expect(cells.map(c => c.source)).toEqual([
      '',
      "import pandas as pd\ndf = pd.read_csv('prices.csv')\nprint('mean price:', df['price'].mean())",
      "mine = 'the user cell'"
    ]);
    expect(cells[2].metadata.code_interpreter).toBeUndefined();
    await expect(stepCells.locator('.jp-OutputArea-output')).toHaveText(
      'mean price: 12.5'
    );
  });

  test('a skipped step stays as a raw cell with its note, and Restart Kernel and Run All does not run it', async ({
    page,
    request,
    tmpPath
  }) => {
    // The proposed step writes marker.txt; the user skips it.
    await useScenario(request, 'interpreter/approval');
    const panel = await notebookAndPanel(page, 'declined.ipynb');
    await sendPrompt(panel, 'Please write the marker file');
    await page
      .locator('.jp-CodeInterpreter-proposedCell .jp-CodeInterpreter-cellSkip')
      .click();
    await expect(await finalAnswer(panel)).toContainText('did not write');
    const requests = await simulatorRequests(request);
    expect(JSON.stringify(requests.at(-1)?.body?.messages?.at(-1))).toContain(
      'declined'
    );
    const card = panel.locator('.jp-CodeInterpreter-step[data-step="1"]');
    await expect(card).toHaveAttribute('data-status', 'skipped');
    await expect(card.locator('.jp-CodeInterpreter-stepCode')).toContainText(
      'marker.txt'
    );

    // A cell of the user's after it: once it printed, Run All went past the skipped step.
    await page.notebook.addCell('code', "print('after the skipped step')");
    await savedNotebook(page, `${tmpPath}/declined.ipynb`);
    await restartAndRunAll(page);
    const last = page.locator('.jp-Notebook .jp-Cell').last();
    await expect(last.locator('.jp-OutputArea-output')).toHaveText(
      'after the skipped step',
      { timeout: 60_000 }
    );
    expect(await page.contents.fileExists(`${tmpPath}/marker.txt`)).toBe(false);

    // The declined code is still there, greyed, with its note and provenance, as a raw cell.
    const declined = page.locator(
      '.jp-CodeInterpreter-stepCell[data-code-interpreter-status="skipped"]'
    );
    await expect(declined).toHaveClass(/jp-RawCell/);
    await expect(declined).toContainText("open('marker.txt', 'w')");
    const note = declined.locator('.jp-CodeInterpreter-declinedNote');
    await expect(note).toHaveText(
      'Skipped: not run. Change the cell type to Code to run it.'
    );
    await expect(note).toHaveAttribute('title', /Run All/);
    const cells = await cellsOf(page);
    expect(cells.map(c => c.cell_type)).toEqual(['code', 'raw', 'code']);
    expect(cells[1].metadata.code_interpreter).toMatchObject({
      step: 1,
      status: 'skipped',
      outcome: 'skipped'
    });
  });
});
