/**
 * The sidebar chat against a real JupyterLab whose gateway points at our LLM simulator.
 */
import { expect, test } from '@jupyterlab/galata';
import { useScenario } from './scenario';
import {
  chatWithoutNotebook,
  SIMULATOR_URL,
  openPanel,
  sendPrompt,
  simulatorRequests
} from './helpers';

test.describe('Code Interpreter chat', () => {
  test.beforeEach(async ({ request }) => {
    // Other suites leave their own scenario in the shared simulator.
    await useScenario(request, 'default');
  });

  test('the keyboard shortcut opens the panel, which says an endpoint is configured', async ({
    page
  }) => {
    await page.keyboard.press('Control+Shift+Semicolon');
    const panel = page.locator('#jp-code-interpreter-panel');
    await expect(panel).toBeVisible();
    await expect(
      panel.locator('.jp-CodeInterpreter-emptyState')
    ).toHaveAttribute('data-configured', 'true');
  });

  test('a prompt streams back the simulator answer as rendered markdown', async ({
    page,
    request
  }) => {
    const panel = await openPanel(page);
    await sendPrompt(panel, 'Please summarise what you can do');
    await chatWithoutNotebook(page);

    const user = panel.locator('.jp-CodeInterpreter-message[data-role="user"]');
    await expect(user).toHaveText(/Please summarise what you can do/);

    const answer = panel.locator(
      '.jp-CodeInterpreter-message[data-role="assistant"]'
    );
    await expect(answer).toHaveAttribute('data-status', 'done');
    const body = answer.locator('.jp-CodeInterpreter-messageBody');
    await expect(body.locator('strong')).toHaveText('summary');
    await expect(body.locator('ol > li')).toHaveCount(3);
    await expect(body.locator('pre')).toContainText('pd.read_csv');

    // The browser reached the model only through our gateway, which called the simulator once,
    // streaming, with the configured model and the server's key.
    const received = await simulatorRequests(request);
    expect(received).toHaveLength(1);
    expect(received[0].path).toBe('/v1/chat/completions');
    expect(received[0].body?.stream).toBe(true);
    expect(received[0].body?.model).toBe('sim-model');
    expect(received[0].headers['authorization']).toBe('Bearer sim-key');
    const lastMessage = received[0].body?.messages?.at(-1);
    expect(lastMessage?.content).toContain('Please summarise what you can do');

    // The key never reaches the page.
    expect(await page.content()).not.toContain('sim-key');
  });

  test('Enter sends, Shift+Enter adds a new line', async ({ page }) => {
    const panel = await openPanel(page);
    const input = panel.locator('textarea.jp-CodeInterpreter-input');
    await input.fill('first line');
    await input.press('Shift+Enter');
    await input.pressSequentially('second line');
    await expect(input).toHaveValue('first line\nsecond line');
    await input.press('Enter');
    await chatWithoutNotebook(page);
    await expect(
      panel.locator('.jp-CodeInterpreter-message[data-role="user"]')
    ).toHaveText(/first line\s*second line/);
    await expect(input).toHaveValue('');
  });

  test('Stop cancels the stream and keeps what had arrived', async ({
    page
  }) => {
    const panel = await openPanel(page);
    await sendPrompt(panel, 'Tell me slowly a story');
    await chatWithoutNotebook(page);

    const answer = panel.locator(
      '.jp-CodeInterpreter-message[data-role="assistant"]'
    );
    await expect(answer).toHaveAttribute('data-status', 'streaming');
    await expect(
      answer.locator('.jp-CodeInterpreter-messageBody')
    ).toContainText('notebook');
    await panel.locator('.jp-CodeInterpreter-stop').click();

    await expect(answer).toHaveAttribute('data-status', 'stopped');
    const partial = await answer
      .locator('.jp-CodeInterpreter-messageBody')
      .innerText();
    expect(partial).toContain('Once upon a time');
    expect(partial).not.toContain('something to interrupt');
    // Nothing more arrives after Stop.
    await page.waitForTimeout(1500);
    expect(
      await answer.locator('.jp-CodeInterpreter-messageBody').innerText()
    ).toBe(partial);
    await expect(panel.locator('.jp-CodeInterpreter-stop')).toBeHidden();
    await expect(
      panel.locator('textarea.jp-CodeInterpreter-input')
    ).toBeEnabled();
  });

  test('an upstream failure is shown in place and the conversation stays', async ({
    page,
    request
  }) => {
    const panel = await openPanel(page);
    await sendPrompt(panel, 'Please summarise what you can do');
    await chatWithoutNotebook(page);
    await expect(
      panel.locator('.jp-CodeInterpreter-message[data-role="assistant"]')
    ).toHaveAttribute('data-status', 'done');

    // The upstream now rejects the server's key.
    const scenario = { api_key: 'another-key', default: { content: 'unused' } };
    await request.put(`${SIMULATOR_URL}/_simulator/scenario`, {
      data: scenario
    });
    try {
      await sendPrompt(panel, 'And again?');
      const error = panel.locator(
        '.jp-CodeInterpreter-message[data-role="error"]'
      );
      await expect(error).toBeVisible();
      await expect(error).toContainText(/rejected|key/i);
      expect(await error.innerText()).not.toContain('sim-key');
      // Earlier messages are still there.
      await expect(
        panel.locator('.jp-CodeInterpreter-message[data-role="user"]')
      ).toHaveCount(2);
      await expect(
        panel
          .locator('.jp-CodeInterpreter-message[data-role="assistant"]')
          .first()
      ).toContainText('summary');
    } finally {
      await useScenario(request, 'default');
    }
  });

  test('the endpoints view shows the gateway endpoint and its health', async ({
    page
  }) => {
    const panel = await openPanel(page);
    // One answer first: the view reflects the last request, whatever earlier tests did.
    await sendPrompt(panel, 'Please summarise what you can do');
    await chatWithoutNotebook(page);
    await expect(
      panel.locator('.jp-CodeInterpreter-message[data-role="assistant"]')
    ).toHaveAttribute('data-status', 'done');
    await panel.locator('.jp-CodeInterpreter-endpointsToggle').click();
    const row = panel.locator('.jp-CodeInterpreter-endpointRow');
    await expect(row).toHaveCount(1);
    await expect(row).toHaveAttribute('data-state', 'healthy');
    await expect(row).toContainText('127.0.0.1');
    // Health is all it shows: no key.
    expect(await panel.innerText()).not.toContain('sim-key');
  });
});
