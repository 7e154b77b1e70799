/**
 * Models without reliable native tool calls: an endpoint with the text tool protocol, and the
 * default `auto` endpoint whose model ignores the tool, both get a step cell, its outputs back as
 * a user message, and an answer; the chat and the notebook look as with native calls.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { APIRequestContext } from '@playwright/test';
import { ISimulatorRequest, sendPrompt, simulatorRequests } from './helpers';
import { approve, finalAnswer, notebookAndPanel } from './interpreter-helpers';
import { useScenario } from './scenario';

test.describe.configure({ timeout: 120_000 });
test.use({ kernels: null });

const PLUGIN = 'jupyterlab-code-interpreter:plugin';
const SIMULATOR_V1 = `http://127.0.0.1:${process.env.SIMULATOR_PORT || 8765}/v1`;

/**
 * Save the user's settings on the server (the gateway reads them from there).
 */
async function saveSettings(
  request: APIRequestContext,
  settings: Record<string, unknown>
): Promise<void> {
  const response = await request.put(`/lab/api/settings/${PLUGIN}`, {
    data: { raw: JSON.stringify(settings) }
  });
  expect(response.status()).toBe(204);
}

/**
 * The tools a recorded request offered.
 */
function toolsOf(sent: ISimulatorRequest): { function: { name: string } }[] {
  return (sent.body as { tools?: { function: { name: string } }[] } | null)
    ?.tools as { function: { name: string } }[];
}

/**
 * The metadata of the notebook's step cells.
 */
async function stepMetadata(
  page: IJupyterLabPageFixture
): Promise<Record<string, unknown>[]> {
  return page.evaluate(() => {
    const widget = window.jupyterapp.shell.currentWidget as unknown as {
      content: {
        model: {
          cells: {
            length: number;
            get(i: number): { getMetadata(key: string): unknown };
          };
        };
      };
    };
    const cells = widget.content.model.cells;
    const found: Record<string, unknown>[] = [];
    for (let i = 0; i < cells.length; i++) {
      const metadata = cells.get(i).getMetadata('code_interpreter');
      if (metadata) {
        found.push(metadata as Record<string, unknown>);
      }
    }
    return found;
  });
}

/**
 * What the chat shows of the turn, checked the same way for both protocols.
 */
async function expectOneStepAndAnswer(
  page: IJupyterLabPageFixture,
  panel: ReturnType<IJupyterLabPageFixture['locator']>,
  answer: string,
  output: string
): Promise<void> {
  await expect(await finalAnswer(panel)).toContainText(answer);
  const card = panel.locator('.jp-CodeInterpreter-step[data-step="1"]');
  await expect(card).toHaveAttribute('data-status', 'done');
  const cells = page.locator('.jp-CodeInterpreter-stepCell');
  await expect(cells).toHaveCount(1);
  await expect(cells.first().locator('.jp-OutputArea-output')).toContainText(
    output
  );
  expect(await stepMetadata(page)).toEqual([
    expect.objectContaining({ step: 1, status: 'done' })
  ]);
  // The chat never shows the fence or the code as text.
  const texts = await panel
    .locator('.jp-CodeInterpreter-message[data-role="assistant"]')
    .allInnerTexts();
  expect(texts.join('\n')).not.toContain('```');
}

test.describe('text tool protocol', () => {
  test.beforeEach(async ({ request }) => {
    const stored = await request.put('/code-interpreter/keys/local', {
      data: { key: 'sim-key' }
    });
    expect(stored.status()).toBe(204);
    await saveSettings(request, {
      endpoints: [
        {
          name: 'local',
          baseUrl: SIMULATOR_V1,
          model: 'sim-model',
          models: ['default'],
          apiKeyName: 'local',
          toolProtocol: 'text'
        }
      ]
    });
  });

  test.afterEach(async ({ request }) => {
    await saveSettings(request, {});
    await request.delete('/code-interpreter/keys/local');
  });

  test('a prose reply with a python block becomes a step; its output goes back as a user message', async ({
    page,
    request
  }) => {
    await useScenario(request, 'interpreter/textprotocol');
    const panel = await notebookAndPanel(page, 'text.ipynb');
    await sendPrompt(panel, 'What is the average of 3, 5 and 10?');
    await approve(panel, 1);
    await expectOneStepAndAnswer(page, panel, '6.0', '6.0');
    const prose = panel
      .locator('.jp-CodeInterpreter-message[data-role="assistant"]')
      .first();
    await expect(prose).toContainText('I will compute it in the notebook.');
    await expect(panel).not.toContainText('probably 7');

    const requests = await simulatorRequests(request);
    expect(requests).toHaveLength(2);
    for (const sent of requests) {
      expect(toolsOf(sent)).toBeUndefined();
    }
    const messages = requests[1].body?.messages ?? [];
    expect(messages[0].content).toContain(
      'one fenced ```python block and stop'
    );
    expect(messages.at(-2)).toEqual({
      role: 'assistant',
      content:
        'I will compute it in the notebook.\n\n```python\nvalues = [3, 5, 10]\nprint(sum(values) / len(values))\n```'
    });
    const output = messages.at(-1);
    expect(output?.role).toBe('user');
    expect(String(output?.content)).toMatch(
      /^Output of your code:\n```\nRan without error/
    );
    expect(String(output?.content)).toContain('6.0');
    // The output restates the request, after the output (the prefix stays).
    expect(String(output?.content)).toMatch(
      /\nThe request: What is the average of 3, 5 and 10\?\nIf this output answers it \(computed from all the rows, not read off a preview\), reply with the answer in the format the request asks for, and no code block; otherwise send the next python block\.$/
    );
    // A reply is capped, and the context lists only the data packages.
    for (const sent of requests) {
      expect(sent.body?.max_tokens).toBe(700);
    }
    expect(String(messages[1].content)).toContain('Installed data packages: ');
    expect(String(messages[1].content)).not.toContain('Installed packages: ');
    // The system prompt is the same bytes in both requests (the prompt cache reuses it).
    expect(requests[0].body?.messages?.[0]).toEqual(messages[0]);
  });
});

test('an auto endpoint whose model writes a python block instead of a call runs it and goes on in text', async ({
  page,
  request
}) => {
  await useScenario(request, 'interpreter/autotext');
  const panel = await notebookAndPanel(page, 'auto.ipynb');
  await sendPrompt(panel, 'What is the median of 4, 1, 7, 5 and 9?');
  await approve(panel, 1);
  await expectOneStepAndAnswer(page, panel, 'median is 5', '5');

  const requests = await simulatorRequests(request);
  expect(requests).toHaveLength(2);
  expect(toolsOf(requests[0])?.[0]?.function.name).toBe('run_python');
  // The turn's next request is in the text form.
  expect(toolsOf(requests[1])).toBeUndefined();
  const output = requests[1].body?.messages?.at(-1);
  expect(output?.role).toBe('user');
  expect(String(output?.content)).toContain('Output of your code:');
});

test('an auto endpoint whose model writes the run_python call as text runs it and goes on in text', async ({
  page,
  request
}) => {
  await useScenario(request, 'interpreter/autotextcall');
  const panel = await notebookAndPanel(page, 'autocall.ipynb');
  await sendPrompt(panel, 'What is the product of 3, 4 and 7?');
  await approve(panel, 1);
  await expectOneStepAndAnswer(page, panel, 'product is 84', '84');
  await expect(
    page.locator('.jp-CodeInterpreter-stepCell .jp-InputArea')
  ).toContainText('print(math.prod([3, 4, 7]))');
  const prose = panel
    .locator('.jp-CodeInterpreter-message[data-role="assistant"]')
    .first();
  await expect(prose).toContainText('You can achieve this:');
  // The call never shows as text.
  await expect(panel).not.toContainText('run_python');
  await expect(panel).not.toContainText('"""');

  const requests = await simulatorRequests(request);
  expect(requests).toHaveLength(2);
  expect(toolsOf(requests[1])).toBeUndefined();
  expect(requests[1].body?.messages?.at(-2)).toEqual({
    role: 'assistant',
    content:
      'You can achieve this:\n\n```python\nimport math\nprint(math.prod([3, 4, 7]))\n```'
  });
});
