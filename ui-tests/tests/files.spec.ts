/**
 * Files the code makes, and the seed's file demos, end to end in a real kernel: the step card
 * lists the files a step made or rewrote as links that open in JupyterLab, with a preview of
 * images fetched from the server; QR code, csv → xlsx → json, image resize and recolour; a plot
 * titled in Chinese with Japanese and Korean labels, drawn with the CJK font the kernel helpers
 * register (no missing-glyph warning).
 */
import { expect, test } from '@jupyterlab/galata';
import type { APIRequestContext, Locator } from '@playwright/test';
import * as fs from 'fs';
import { sendPrompt, simulatorRequests } from './helpers';
import { approve, finalAnswer, notebookAndPanel } from './interpreter-helpers';
import { useScenario } from './scenario';

test.describe.configure({ timeout: 120_000 });
// Interrupt replies are empty; Galata's kernel mock would parse them as JSON.
test.use({ kernels: null });

// An 80×60 RGB gradient.
const PHOTO_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAFAAAAA8CAIAAAB+RarbAAAAYElEQVR4nO3PARGAMADEsOeYcKTjI2uuBvps37vd09nZVRrWNaxrWNewrmFdw7qGdQ3rGtY1rGtY17CuYV3DuoZ1Desa1jWsa1jXsK5hXcO6hnUN6xrWNaxrWNewrmHdD6BzA0frDqVYAAAAAElFTkSuQmCC';

/** The file list item of `name` under step `step`'s card. */
function fileItem(panel: Locator, step: number, name: string): Locator {
  return panel.locator(
    `.jp-CodeInterpreter-step[data-step="${step}"] .jp-CodeInterpreter-stepFile[data-file="${name}"]`
  );
}

/** The item's thumbnail has loaded an image (its pixels came from the server). */
async function expectPreview(item: Locator): Promise<void> {
  const image = item.locator('.jp-CodeInterpreter-stepFileThumb img');
  await expect(image).toBeVisible();
  await expect
    .poll(() => image.evaluate(node => (node as HTMLImageElement).naturalWidth))
    .toBeGreaterThan(0);
  // A blob URL: the image is not inlined in the conversation.
  expect(await image.getAttribute('src')).toMatch(/^blob:/);
}

/**
 * The chat saved for the notebook lists the step's files by name and size, and holds no image
 * data (previews are fetched when shown).
 */
async function savedChat(
  request: APIRequestContext,
  notebookPath: string
): Promise<string> {
  const found = await request.get(
    `/code-interpreter/conversations?path=${encodeURIComponent(notebookPath)}`
  );
  const { id } = await found.json();
  return (await request.get(`/code-interpreter/conversations/${id}`)).text();
}

test('a step that makes a PNG and rewrites a CSV lists both; the PNG is previewed and opens in JupyterLab', async ({
  page,
  request,
  tmpPath
}) => {
  await page.contents.uploadContent(
    'month,revenue\nJan,10\nFeb,14\nMar,9\n',
    'text',
    `${tmpPath}/sales.csv`
  );
  await page.contents.uploadContent(
    'untouched',
    'text',
    `${tmpPath}/notes.txt`
  );
  await useScenario(request, 'files/makes');
  const panel = await notebookAndPanel(page, 'analysis.ipynb');
  await sendPrompt(panel, 'Add April to sales.csv and draw revenue');
  await approve(panel, 1);
  await expect(await finalAnswer(panel)).toContainText('revenue.png');

  const png = fileItem(panel, 1, 'revenue.png');
  const csv = fileItem(panel, 1, 'sales.csv');
  await expect(png).toHaveAttribute('data-change', 'new');
  await expect(csv).toHaveAttribute('data-change', 'changed');
  await expect(fileItem(panel, 1, 'notes.txt')).toHaveCount(0);
  await expectPreview(png);
  await expect(csv.locator('.jp-CodeInterpreter-stepFileThumb')).toHaveCount(0);

  // The model is told the same.
  const requests = await simulatorRequests(request);
  const toolMessage = JSON.stringify(requests[1].body?.messages?.at(-1));
  expect(toolMessage).toContain('New files: revenue.png');
  expect(toolMessage).toContain('Changed files: sales.csv');

  await png.locator('.jp-CodeInterpreter-stepFileOpen').click();
  const tab = page.locator('#jp-main-dock-panel .lm-TabBar-tab', {
    hasText: 'revenue.png'
  });
  await expect(tab).toBeVisible();
  await expect(page.locator('.jp-ImageViewer img')).toBeVisible();

  // Download hands the browser the file through the Contents API's download URL.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    csv.locator('.jp-CodeInterpreter-stepFileDownload').click()
  ]);
  expect(download.suggestedFilename()).toBe('sales.csv');
  const saved = await download.path();
  expect(fs.readFileSync(saved!, 'utf-8')).toContain('Apr,17');

  await csv.locator('.jp-CodeInterpreter-stepFileOpen').click();
  await expect(
    page.locator('#jp-main-dock-panel .lm-TabBar-tab', { hasText: 'sales.csv' })
  ).toBeVisible();
  await expect
    .poll(() => savedChat(request, `${tmpPath}/analysis.ipynb`))
    .toMatch(/"name":\s*"revenue\.png",\s*"change":\s*"new"/);
  const chat = await savedChat(request, `${tmpPath}/analysis.ipynb`);
  expect(chat).toMatch(/"name":\s*"sales\.csv",\s*"change":\s*"changed"/);
  expect(chat).not.toContain('base64');
});

test('a QR code from a URL is saved as a PNG, listed and previewed', async ({
  page,
  request
}) => {
  await useScenario(request, 'interpreter/qrcode');
  const panel = await notebookAndPanel(page, 'analysis.ipynb');
  await sendPrompt(panel, 'Make a QR code for https://jupyter.org');
  await approve(panel, 1);
  await expect(await finalAnswer(panel)).toContainText('QR code');
  const item = fileItem(panel, 1, 'qrcode.png');
  await expect(item).toHaveAttribute('data-change', 'new');
  await expectPreview(item);
});

test('csv → xlsx → json keeps the data', async ({ page, request, tmpPath }) => {
  const csv =
    'city,population\nBeijing,21893095\nTokyo,13960000\nSeoul,9411000\n';
  await page.contents.uploadContent(csv, 'text', `${tmpPath}/cities.csv`);
  await useScenario(request, 'files/convert');
  const panel = await notebookAndPanel(page, 'analysis.ipynb');
  await sendPrompt(panel, 'Convert cities.csv to Excel, then to JSON');
  await approve(panel, 1);
  await expect(await finalAnswer(panel)).toContainText('the same in all three');
  await expect(
    page.locator('.jp-CodeInterpreter-stepCell .jp-OutputArea-output')
  ).toContainText('round trip equal: True');
  await expect(fileItem(panel, 1, 'cities.xlsx')).toBeVisible();
  await expect(fileItem(panel, 1, 'cities.json')).toBeVisible();

  // The JSON, read back through the Contents API, holds the CSV's rows.
  const response = await request.get(
    `/api/contents/${tmpPath}/cities.json?content=1&format=text&type=file`
  );
  const rows = JSON.parse((await response.json()).content);
  const expected = csv
    .trim()
    .split('\n')
    .slice(1)
    .map(line => {
      const [city, population] = line.split(',');
      return { city, population: Number(population) };
    });
  expect(rows).toEqual(expected);
});

test('an image resized and recoloured: the new file is listed and previewed', async ({
  page,
  request,
  tmpPath
}) => {
  await page.contents.uploadContent(
    PHOTO_PNG,
    'base64',
    `${tmpPath}/photo.png`
  );
  await useScenario(request, 'files/image');
  const panel = await notebookAndPanel(page, 'analysis.ipynb');
  await sendPrompt(panel, 'Resize photo.png to half and make it sepia');
  await approve(panel, 1);
  await expect(await finalAnswer(panel)).toContainText('photo_sepia.png');
  await expect(
    page.locator('.jp-CodeInterpreter-stepCell .jp-OutputArea-output')
  ).toContainText('photo_sepia.png: 40x30 RGB');
  const item = fileItem(panel, 1, 'photo_sepia.png');
  await expect(item).toHaveAttribute('data-change', 'new');
  await expectPreview(item);
  await expect(
    item.locator('.jp-CodeInterpreter-stepFileThumb img')
  ).toHaveJSProperty('naturalWidth', 40);
  // The source image was only read.
  await expect(fileItem(panel, 1, 'photo.png')).toHaveCount(0);
});

test('a plot titled 销售额 with Japanese and Korean labels has no missing glyphs', async ({
  page,
  request
}) => {
  await useScenario(request, 'files/cjkplot');
  const panel = await notebookAndPanel(page, 'analysis.ipynb');
  await sendPrompt(panel, '画一个销售额柱状图');
  await approve(panel, 1);
  await expect(await finalAnswer(panel)).toContainText('销售额');
  const outputs = page.locator(
    '.jp-CodeInterpreter-stepCell .jp-OutputArea-output'
  );
  await expect(outputs.locator('img')).toBeVisible();
  await expect(outputs.last()).toContainText('chart drawn');
  await expect(page.locator('.jp-CodeInterpreter-stepCell')).not.toContainText(
    'missing from font'
  );
  const requests = await simulatorRequests(request);
  expect(JSON.stringify(requests[1].body?.messages)).not.toContain('Glyph');
  await expectPreview(fileItem(panel, 1, 'sales_cjk.png'));
});
