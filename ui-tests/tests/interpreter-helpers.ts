/**
 * Steps shared by the interpreter ui-tests: a notebook with a ready kernel, approving a step,
 * waiting for the turn's answer.
 */
import {
  expect,
  IJupyterLabPageFixture,
  JupyterLabPage
} from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import { openPanel } from './helpers';

/** Open a new notebook `name` with a ready kernel, then the panel. */
export async function notebookAndPanel(
  page: IJupyterLabPageFixture,
  name: string
): Promise<Locator> {
  await page.notebook.createNew(name);
  await expect(
    page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]')
  ).toHaveCount(1, { timeout: 60_000 });
  return openPanel(page);
}

/** Click Run on the step card `step` once it waits for approval. */
export async function approve(panel: Locator, step: number): Promise<void> {
  const card = panel.locator(`.jp-CodeInterpreter-step[data-step="${step}"]`);
  await expect(card).toHaveAttribute('data-status', 'proposed');
  await card.locator('.jp-CodeInterpreter-stepRun').click();
}

/** The last assistant message once the turn is over. */
export async function finalAnswer(panel: Locator): Promise<Locator> {
  const answer = panel
    .locator('.jp-CodeInterpreter-message[data-role="assistant"]')
    .last();
  await expect(answer).toHaveAttribute('data-status', 'done', {
    timeout: 60_000
  });
  return answer;
}

/**
 * Reloads the page without waiting for the launcher (tests that reload with a notebook open).
 * Typed as galata's page class: the fixture's type also has Playwright's `reload`, whose options
 * lack `waitForIsReady`.
 */
export async function reloadWithoutLauncher(
  page: Pick<JupyterLabPage, 'reload'>
): Promise<void> {
  await page.reload({ waitForIsReady: false });
}
