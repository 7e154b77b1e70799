/**
 * A data source end to end: a `books` table in a real MariaDB (jupyter_server_test_config.py),
 * "group by authors, top 5, bar chart" → the simulator's step queries through connect("books")
 * in the real kernel → a chart in the notebook. The model got the table's schema and no
 * credential; neither the notebook nor the saved chat holds the password.
 */
import { expect, test } from '@jupyterlab/galata';
import { sendPrompt, simulatorRequests } from './helpers';
import { approve, finalAnswer, notebookAndPanel } from './interpreter-helpers';
import { useScenario } from './scenario';

test.describe.configure({ timeout: 120_000 });
test.use({ kernels: null });

const PASSWORD = process.env.UI_BOOKS_PASSWORD ?? '';

test('a MariaDB table → top 5 authors as a bar chart, with no credential anywhere', async ({
  page,
  request,
  tmpPath
}) => {
  expect(PASSWORD).toMatch(/^ui-/);
  const described = await (
    await request.get('/code-interpreter/data-sources')
  ).json();
  const books = described.sources.find(
    (s: { name: string }) => s.name === 'books'
  );
  // A missing MariaDB shows here, with what to run (`make mariadb`).
  expect(books?.error ?? null).toBeNull();

  await useScenario(request, 'interpreter/databooks');
  const panel = await notebookAndPanel(page, 'books.ipynb');
  await sendPrompt(
    panel,
    'From the books database: group by authors, top 5, bar chart'
  );
  await approve(panel, 1);
  // The step's first connect imports SQLAlchemy and the driver: wait for it to end.
  await expect(
    panel.locator('.jp-CodeInterpreter-step[data-step="1"]')
  ).not.toHaveAttribute('data-status', /proposed|running/, { timeout: 60_000 });
  await expect(await finalAnswer(panel)).toContainText('5 books');
  const cell = page.locator('.jp-CodeInterpreter-stepCell').first();
  await expect(cell.locator('.jp-OutputArea-output img')).toBeVisible();
  await expect(cell.locator('.jp-OutputArea-output').first()).toContainText(
    'Terry Pratchett'
  );

  // The model got the source's name and schema, and no credential.
  const requests = await simulatorRequests(request);
  expect(requests).toHaveLength(2);
  const context = JSON.stringify(requests[0].body?.messages);
  expect(context).toContain('connect(\\"books\\")');
  expect(context).toContain('- books (mysql, read-only): books (~17 rows)');
  expect(context).toContain('author varchar(100)');
  expect(JSON.stringify(requests)).not.toContain(PASSWORD);

  // Nor the notebook, nor the saved chat.
  await page.notebook.save();
  const path = `${tmpPath}/books.ipynb`;
  const notebook = await (await request.get(`/api/contents/${path}`)).text();
  expect(notebook).toContain('connect(\\"books\\")');
  expect(notebook).not.toContain(PASSWORD);
  const { id } = await (
    await request.get(
      `/code-interpreter/conversations?path=${encodeURIComponent(path)}`
    )
  ).json();
  const chat = await (
    await request.get(`/code-interpreter/conversations/${id}`)
  ).text();
  expect(chat).toContain('5 books');
  expect(chat).not.toContain(PASSWORD);
});
