/**
 * The panel follows JupyterLab's theme: its colours come from the --jp-* variables.
 */
import { expect, galata, test } from '@jupyterlab/galata';
import type { Page } from '@playwright/test';
import { openPanel } from './helpers';

/** The panel's background and text colours as the browser computed them. */
async function panelColours(page: Page): Promise<{ bg: number; fg: number }> {
  const panel = await openPanel(page);
  const [bg, fg] = await panel.evaluate(node => {
    const style = getComputedStyle(node);
    return [style.backgroundColor, style.color];
  });
  return { bg: luminance(bg), fg: luminance(fg) };
}

/** Relative luminance (0 black … 1 white) of an `rgb(…)` colour. */
function luminance(colour: string): number {
  const [r, g, b] = (colour.match(/\d+(\.\d+)?/g) ?? ['0', '0', '0'])
    .slice(0, 3)
    .map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}

test.describe('light theme', () => {
  test('the panel is light with dark text', async ({ page }) => {
    const { bg, fg } = await panelColours(page);
    expect(bg).toBeGreaterThan(0.8);
    expect(fg).toBeLessThan(0.5);
  });
});

test.describe('dark theme', () => {
  test.use({
    mockSettings: {
      ...galata.DEFAULT_SETTINGS,
      '@jupyterlab/apputils-extension:themes': { theme: 'JupyterLab Dark' }
    }
  });

  test('the panel is dark with light text', async ({ page }) => {
    await expect(page.locator('body')).toHaveAttribute(
      'data-jp-theme-light',
      'false'
    );
    const { bg, fg } = await panelColours(page);
    expect(bg).toBeLessThan(0.3);
    expect(fg).toBeGreaterThan(0.5);
  });
});
