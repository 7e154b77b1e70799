/**
 * Uploads end to end: files picked or dropped on the chat are saved beside the notebook through
 * the Contents API, summarised in the real kernel and sent with the prompt (the simulator only
 * scripts the step when the request carries the summary); hostile names are saved made safe,
 * a second file of the same name does not overwrite the first, an oversized one is refused.
 */
import { expect, galata, test } from '@jupyterlab/galata';
import type { Locator, Page } from '@playwright/test';
import { sendPrompt, simulatorRequests } from './helpers';
import { approve, finalAnswer, notebookAndPanel } from './interpreter-helpers';
import { useScenario } from './scenario';

test.describe.configure({ timeout: 120_000 });
// Let kernel requests reach the server untouched (see interpreter.spec.ts).
test.use({ kernels: null });

const SALES = 'month;revenue\nJan;10\nFeb;14\nMar;9\nApr;17\n';

/** A 7×5 red RGB PNG. */
const RED_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAcAAAAFCAIAAAAG+GGPAAAAEklEQVR4nGP4z8CAibAIUUUUAKEvIt57lX2fAAAAAElFTkSuQmCC';

/**
 * Drop files on the panel as the desktop would: a real DataTransfer with File objects.
 */
async function dropFiles(
  page: Page,
  files: { name: string; content: string }[]
): Promise<void> {
  await page.evaluate(list => {
    const panel = document.getElementById('jp-code-interpreter-panel')!;
    const transfer = new DataTransfer();
    for (const file of list) {
      transfer.items.add(new File([file.content], file.name));
    }
    for (const type of ['dragenter', 'dragover', 'drop']) {
      panel.dispatchEvent(
        new DragEvent(type, {
          dataTransfer: transfer,
          bubbles: true,
          cancelable: true
        })
      );
    }
  }, files);
}

/** The chips of the prompt being written. */
function pendingChips(panel: Locator): Locator {
  return panel.locator(
    '.jp-CodeInterpreter-attachments.jp-mod-pending .jp-CodeInterpreter-attachment'
  );
}

/** Send the visualisation prompt and check the chart and the answer. */
async function visualise(page: Page, panel: Locator): Promise<void> {
  await sendPrompt(panel, 'can you run some basic visualization?');
  await approve(panel, 1);
  await expect(await finalAnswer(panel)).toContainText('4 rows');
  await expect(
    page.locator('.jp-CodeInterpreter-stepCell .jp-OutputArea-output img')
  ).toBeVisible();
}

test('a CSV picked with the attach button is summarised for the model and plotted', async ({
  page,
  request,
  tmpPath
}) => {
  await useScenario(request, 'interpreter/upload');
  const panel = await notebookAndPanel(page, 'upload.ipynb');
  await panel.locator('input.jp-CodeInterpreter-fileInput').setInputFiles({
    name: 'sales.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(SALES)
  });
  await expect(pendingChips(panel)).toHaveAttribute('data-status', 'done');
  expect(await page.contents.fileExists(`${tmpPath}/sales.csv`)).toBe(true);

  await visualise(page, panel);
  // The chip stays on the user's message.
  await expect(
    panel.locator(
      '.jp-CodeInterpreter-message[data-role="user"] .jp-CodeInterpreter-attachment'
    )
  ).toContainText('sales.csv');
  // Its name opens the file in JupyterLab.
  await panel
    .locator(
      '.jp-CodeInterpreter-message[data-role="user"] .jp-CodeInterpreter-attachmentOpen'
    )
    .click();
  await expect(
    page.locator('.lm-DockPanel .lm-TabBar-tab', { hasText: 'sales.csv' })
  ).toBeVisible();
  // The request carried the kernel's summary: columns, types, rows, first rows.
  const [first] = await simulatorRequests(request);
  const prompt = JSON.stringify(first.body?.messages?.[1]);
  expect(prompt).toContain('table, 4 rows × 2 columns');
  expect(prompt).toContain('columns: month (');
  expect(prompt).toContain('revenue (int64)');
  expect(prompt).toContain('Jan | 10');
});

test('dropped files are uploaded; the same name twice becomes "name (1).ext"', async ({
  page,
  request,
  tmpPath
}) => {
  await useScenario(request, 'interpreter/upload');
  const panel = await notebookAndPanel(page, 'drop.ipynb');
  await dropFiles(page, [{ name: 'sales.csv', content: SALES }]);
  await expect(pendingChips(panel)).toHaveAttribute('data-status', 'done');
  await dropFiles(page, [{ name: 'sales.csv', content: 'other;data\n1;2\n' }]);
  await expect(pendingChips(panel)).toHaveCount(2);
  await expect(pendingChips(panel).nth(1)).toHaveAttribute(
    'data-status',
    'done'
  );
  await expect(pendingChips(panel).nth(1)).toContainText('sales (1).csv');
  // The first file is untouched.
  const first = await page.evaluate(
    async path =>
      (await window.jupyterapp.serviceManager.contents.get(path)).content,
    `${tmpPath}/sales.csv`
  );
  expect(first).toBe(SALES);
  expect(await page.contents.fileExists(`${tmpPath}/sales (1).csv`)).toBe(true);

  await visualise(page, panel);
  const [request0] = await simulatorRequests(request);
  expect(JSON.stringify(request0.body?.messages?.[1])).toContain(
    "'sales (1).csv'"
  );
});

test('a GBK CSV, a binary file named .csv and a PNG are summarised in the real kernel', async ({
  page,
  request
}) => {
  await useScenario(request, 'interpreter/upload');
  const panel = await notebookAndPanel(page, 'encodings.ipynb');
  await panel.locator('input.jp-CodeInterpreter-fileInput').setInputFiles([
    {
      name: '销售.csv',
      mimeType: 'text/csv',
      // "城市;销售额\n北京;100\n上海;200\n" in GBK.
      buffer: Buffer.from(
        'b3c7cad03bcffacadbb6ee0ab1b1bea93b3130300ac9cfbaa33b3230300a',
        'hex'
      )
    },
    {
      name: 'fake.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(Array.from({ length: 2048 }, (_, i) => i % 256))
    },
    {
      name: 'red.png',
      mimeType: 'image/png',
      buffer: Buffer.from(RED_PNG, 'base64')
    }
  ]);
  await expect(pendingChips(panel)).toHaveCount(3);
  for (const chip of await pendingChips(panel).all()) {
    await expect(chip).toHaveAttribute('data-status', 'done');
  }
  await sendPrompt(panel, 'What is in these files?');
  await expect(await finalAnswer(panel)).toContainText('Two files');
  const [first] = await simulatorRequests(request);
  const attached = (first.body?.messages?.[1]?.content as { text: string }[])[1]
    .text;
  expect(attached).toContain("'销售.csv'");
  expect(attached).toContain('columns: 城市 (');
  expect(attached).toContain('北京 | 100');
  expect(attached).toContain("sep=';', encoding='gb18030'");
  expect(attached).toContain(
    "'fake.csv' (2.0 KB): could not be read (its content is binary"
  );
  expect(attached).toContain(
    "'red.png' (75 B): image, PNG, 7×5 pixels, mode RGB"
  );
});

test('a file over 1 MB is sent in chunks and saved whole', async ({
  page,
  tmpPath
}) => {
  const panel = await notebookAndPanel(page, 'chunks.ipynb');
  const saves: number[] = [];
  page.on('request', req => {
    const url = new URL(req.url());
    if (req.method() === 'PUT' && url.pathname.endsWith('/big.txt')) {
      const chunk = (req.postDataJSON() as { chunk?: number }).chunk;
      saves.push(chunk ?? 0);
    }
  });
  // 2.5 MiB of digits, with a last line to check the end arrived in order.
  const line = '0123456789'.repeat(10) + '\n';
  const content =
    line.repeat(Math.ceil((2.5 * 1024 * 1024) / line.length)) + 'END\n';
  await dropFiles(page, [{ name: 'big.txt', content }]);
  await expect(pendingChips(panel)).toHaveAttribute('data-status', 'done', {
    timeout: 60_000
  });
  expect(saves).toEqual([1, 2, -1]);
  const saved = await page.evaluate(
    async path =>
      (await window.jupyterapp.serviceManager.contents.get(path)).content,
    `${tmpPath}/big.txt`
  );
  expect(saved.length).toBe(content.length);
  expect(saved.endsWith('END\n')).toBe(true);
});

test('an upload named ../../etc/passwd is saved made safe, inside the folder', async ({
  page,
  tmpPath
}) => {
  const panel = await notebookAndPanel(page, 'hostile.ipynb');
  await dropFiles(page, [
    { name: '../../etc/passwd', content: 'root:x:0:0\n' }
  ]);
  const chip = pendingChips(panel);
  await expect(chip).toHaveAttribute('data-status', 'done');
  const saved = (
    await chip.locator('.jp-CodeInterpreter-attachmentName').textContent()
  )?.trim();
  expect(saved).toMatch(/passwd$/);
  expect(saved).not.toMatch(/[/\\]|^\./);
  expect(await page.contents.fileExists(`${tmpPath}/${saved}`)).toBe(true);
  // Nothing was written above the notebook's folder.
  const parent = tmpPath.split('/').slice(0, -1).join('/');
  expect(await page.contents.fileExists(`${parent}/etc/passwd`)).toBe(false);
  expect(await page.contents.fileExists('etc/passwd')).toBe(false);
});

test.describe('with a small upload limit', () => {
  test.use({
    mockSettings: {
      ...galata.DEFAULT_SETTINGS,
      'jupyterlab-code-interpreter:plugin': { maxUploadSizeMB: 0.001 }
    }
  });

  test('an oversized upload is refused with a message and not saved', async ({
    page,
    tmpPath
  }) => {
    const panel = await notebookAndPanel(page, 'limit.ipynb');
    await dropFiles(page, [{ name: 'big.csv', content: 'x'.repeat(5000) }]);
    const chip = pendingChips(panel);
    await expect(chip).toHaveAttribute('data-status', 'refused');
    await expect(chip.locator('[role="alert"]')).toHaveText(
      'big.csv is 4.9 KB, larger than the upload limit of 0.001 MB: it was not uploaded.'
    );
    expect(await page.contents.fileExists(`${tmpPath}/big.csv`)).toBe(false);
  });
});
