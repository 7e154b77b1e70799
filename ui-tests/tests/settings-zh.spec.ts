/**
 * The settings form in Simplified Chinese: with the user's language set to
 * zh_CN on the server, JupyterLab's settings editor shows our plugin's title,
 * property titles and descriptions from our catalog. The server translates
 * the schema; the page reads the server's settings here (Galata's mock would
 * answer a plugin's own fetch from the list it cached, where prebuilt
 * extensions' schemas are not translated).
 */
import { expect, test } from '@jupyterlab/galata';
import { request as playwrightRequest } from '@playwright/test';

const LANGUAGE_PLUGIN = '@jupyterlab/translation-extension:plugin';

/**
 * Save the language in the server's user settings, before the page loads.
 */
async function saveLanguage(raw: string): Promise<void> {
  const context = await playwrightRequest.newContext({
    baseURL: `http://localhost:${process.env.LAB_PORT || 8888}`
  });
  const response = await context.put(`/lab/api/settings/${LANGUAGE_PLUGIN}`, {
    data: { raw }
  });
  expect(response.status()).toBe(204);
  await context.dispose();
}

test.describe('the settings form in Simplified Chinese', () => {
  test.use({
    mockSettings: false,
    // Galata waits for a tab named "Launcher", which is "启动页" here.
    waitForApplication: async ({}, use) => {
      await use(async page => {
        await page.locator('#jupyterlab-splash').waitFor({ state: 'detached' });
        await page.locator('.jp-Launcher').first().waitFor();
      });
    }
  });

  test.beforeAll(async () => {
    await saveLanguage(JSON.stringify({ locale: 'zh_CN' }));
  });

  test.afterAll(async () => {
    await saveLanguage('{}');
  });

  test('shows our titles and descriptions translated', async ({ page }) => {
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('settingeditor:open', {});
    });
    const entry = page
      .locator('.jp-PluginList-entry')
      .filter({ hasText: '代码解释器' });
    await expect(entry).toHaveCount(1);
    await entry.click();
    const form = page.locator('.jp-SettingsPanel');
    await expect(form.locator('.jp-SettingsHeader-title')).toContainText(
      '代码解释器'
    );
    await expect(form).toContainText('审批模式');
    await expect(form).toContainText('生成的代码何时运行');
    await expect(form).toContainText('代码策略');
    await expect(form).not.toContainText('Approval mode');
  });
});
