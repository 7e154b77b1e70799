/**
 * Shared steps of the chat ui-tests: opening the panel, sending a prompt, driving the simulator.
 */
import { expect } from '@playwright/test';
import type { APIRequestContext, Locator, Page } from '@playwright/test';

export const SIMULATOR_URL = `http://127.0.0.1:${process.env.SIMULATOR_PORT || 8765}`;

/** The JupyterLab with no model endpoint configured. */
export const BARE_LAB_URL = `http://localhost:${process.env.BARE_LAB_PORT || 8889}`;

/** Open the Code Interpreter panel through its palette command and return it. */
export async function openPanel(page: Page): Promise<Locator> {
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('code-interpreter:open-panel');
  });
  const panel = page.locator('#jp-code-interpreter-panel');
  await panel.waitFor({ state: 'visible' });
  return panel;
}

/** Type a prompt in the panel's input and send it with Enter. */
export async function sendPrompt(panel: Locator, text: string): Promise<void> {
  const input = panel.locator('textarea.jp-CodeInterpreter-input');
  await input.fill(text);
  await input.press('Enter');
}

/**
 * Answer the "Create a notebook?" question that the first prompt asks when no
 * notebook is open: these tests chat without one.
 */
export async function chatWithoutNotebook(page: Page): Promise<void> {
  const dialog = page.locator('.jp-Dialog');
  await dialog.waitFor();
  await expect(dialog).toContainText('Create a notebook?');
  await dialog.getByRole('button', { name: 'Chat without a notebook' }).click();
  await dialog.waitFor({ state: 'detached' });
}

/** The requests the simulator received, oldest first. */
export async function simulatorRequests(
  request: APIRequestContext
): Promise<ISimulatorRequest[]> {
  const response = await request.get(`${SIMULATOR_URL}/_simulator/requests`);
  return (await response.json()) as ISimulatorRequest[];
}

/** Forget the simulator's recorded requests so a test sees only its own. */
export async function clearSimulatorRequests(
  request: APIRequestContext
): Promise<void> {
  await request.delete(`${SIMULATOR_URL}/_simulator/requests`);
}

/** One request as the simulator recorded it. */
export interface ISimulatorRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: {
    model?: string;
    stream?: boolean;
    max_tokens?: number;
    messages?: { role: string; content: unknown }[];
  } | null;
}
