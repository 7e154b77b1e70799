/**
 * Secrets go only where the administrator said: a save of the user's settings
 * (as any script with the user's cookie could make; pytest covers the cookie
 * and XSRF path) points an endpoint at another URL and names the server's
 * OPENAI_API_KEY as its key. The gateway
 * refuses it, nothing is sent anywhere, and the panel says why, before and
 * when a prompt is sent.
 */
import { expect, test } from '@jupyterlab/galata';
import type { APIRequestContext } from '@playwright/test';
import {
  chatWithoutNotebook,
  clearSimulatorRequests,
  openPanel,
  sendPrompt,
  simulatorRequests
} from './helpers';

const PLUGIN = 'jupyterlab-code-interpreter:plugin';

// The simulator under another name: the environment binds OPENAI_API_KEY to
// http://127.0.0.1:<port>/v1, so this is "another URL" that would still record
// whatever reached it.
const ELSEWHERE = `http://localhost:${process.env.SIMULATOR_PORT || 8765}/v1`;

/**
 * Save the user's settings through JupyterLab's settings API, on the server
 * (the page's own settings calls are Galata's in-memory mock).
 */
async function saveSettings(
  request: APIRequestContext,
  raw: string
): Promise<void> {
  const response = await request.put(`/lab/api/settings/${PLUGIN}`, {
    data: { raw }
  });
  expect(response.status()).toBe(204);
}

test.afterEach(async ({ request }) => {
  await saveSettings(request, '{}');
});

test('a settings endpoint naming the server key is refused and the panel says why', async ({
  page,
  request
}) => {
  await clearSimulatorRequests(request);
  await saveSettings(
    request,
    JSON.stringify({
      endpoints: [
        {
          name: 'innocent',
          baseUrl: ELSEWHERE,
          model: 'sim-model',
          apiKeyEnv: 'OPENAI_API_KEY'
        }
      ]
    })
  );

  const panel = await openPanel(page);
  const empty = panel.locator('.jp-CodeInterpreter-emptyState');
  await expect(empty).toHaveAttribute('data-configured', 'false');
  await expect(empty).toContainText("('innocent').apiKeyEnv is refused");

  await sendPrompt(panel, 'Summarise data.csv');
  await chatWithoutNotebook(page);
  const error = panel.locator('.jp-CodeInterpreter-message[data-role="error"]');
  await expect(error).toContainText("('innocent').apiKeyEnv is refused");
  await expect(error).toContainText(
    'c.CodeInterpreter.allow_user_key_sources = True'
  );
  await expect(error).toContainText('apiKeyName');
  expect(await simulatorRequests(request)).toEqual([]);
});
