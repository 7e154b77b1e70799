/**
 * A JupyterLab with no model endpoint configured: the panel explains how to configure one.
 */
import { expect, test } from '@jupyterlab/galata';
import {
  BARE_LAB_URL,
  chatWithoutNotebook,
  openPanel,
  sendPrompt
} from './helpers';

test.use({ baseURL: BARE_LAB_URL });

test('with no endpoint the panel shows how to configure one, and sending says so too', async ({
  page
}) => {
  const panel = await openPanel(page);
  const empty = panel.locator('.jp-CodeInterpreter-emptyState');
  await expect(empty).toHaveAttribute('data-configured', 'false');
  const guidance = empty.locator('.jp-CodeInterpreter-guidance');
  await expect(guidance).toContainText('AZURE_OPENAI_ENDPOINT');
  await expect(guidance).toContainText('OPENAI_BASE_URL');

  await sendPrompt(panel, 'Hello?');
  await chatWithoutNotebook(page);
  await expect(
    panel.locator('.jp-CodeInterpreter-message[data-role="user"]')
  ).toHaveText(/Hello\?/);
  const error = panel.locator('.jp-CodeInterpreter-message[data-role="error"]');
  await expect(error).toContainText('OPENAI_BASE_URL');
  await expect(
    panel.locator('textarea.jp-CodeInterpreter-input')
  ).toBeEnabled();
});
