/**
 * The nudge (issue 15): an answer that states a number no step computed is set aside as a
 * folded draft with a note, the model is asked once to compute it, runs a step and answers
 * with the computed value; with the setting off the first answer stands.
 */
import { expect, galata, test } from '@jupyterlab/galata';
import { sendPrompt, simulatorRequests } from './helpers';
import { finalAnswer, notebookAndPanel } from './interpreter-helpers';
import { useScenario } from './scenario';

test.describe.configure({ timeout: 120_000 });

const QUESTION = 'What is the mean of units in sales.csv?';
const NOTE =
  'Draft set aside: asked the model to compute the numbers it stated without running code';

/** The text of a recorded request's last message. */
function lastText(body: { messages?: { content?: unknown }[] } | null): string {
  const content = body?.messages?.at(-1)?.content;
  return typeof content === 'string' ? content : JSON.stringify(content);
}

test.describe('with the nudge (default)', () => {
  test.use({
    kernels: null,
    mockSettings: {
      ...galata.DEFAULT_SETTINGS,
      'jupyterlab-code-interpreter:plugin': { approvalMode: 'auto' }
    }
  });

  test('an uncomputed number becomes a run: a draft with a note, a step, the computed answer', async ({
    page,
    request
  }) => {
    await useScenario(request, 'interpreter/nudge');
    const panel = await notebookAndPanel(page, 'nudge.ipynb');
    await sendPrompt(panel, QUESTION);

    await expect(await finalAnswer(panel)).toContainText('The mean is 42.33.');
    const card = panel.locator('.jp-CodeInterpreter-step[data-step="1"]');
    await expect(card).toHaveAttribute('data-status', 'done');
    await expect(
      page.locator('.jp-CodeInterpreter-stepCell .jp-OutputArea-output')
    ).toContainText('mean of units: 42.33');

    // The first answer is a folded draft under the note, not the answer.
    const draft = panel.locator(
      '.jp-CodeInterpreter-message[data-draft="uncomputed"]'
    );
    await expect(draft).toHaveCount(1);
    await expect(draft.locator('summary')).toHaveText(NOTE);
    await expect(draft.locator('details')).not.toHaveAttribute('open', /.*/);
    await expect(draft.getByText('The mean is 42.5.')).toBeHidden();
    await draft.locator('summary').click();
    await expect(draft.getByText('The mean is 42.5.')).toBeVisible();
    // The answers in order: the draft, the step's prose, the computed answer.
    const answers = panel.locator(
      '.jp-CodeInterpreter-message[data-role="assistant"]'
    );
    await expect(answers.first()).toHaveAttribute('data-draft', 'uncomputed');
    await expect(answers.last()).not.toHaveAttribute('data-draft', /.*/);

    const requests = await simulatorRequests(request);
    expect(requests).toHaveLength(3);
    const [first, second] = requests.map(
      sent => sent.body as { messages: { role: string; content: unknown }[] }
    );
    // The second request is the first and the nudge; the draft is left out.
    expect(second.messages.slice(0, -1)).toEqual(first.messages);
    expect(JSON.stringify(second.messages)).not.toContain('42.5');
    expect(second.messages.at(-1)?.role).toBe('user');
    expect(lastText(second)).toContain(
      'No code has run yet, so you cannot know these numbers'
    );
    expect(lastText(second)).toContain('run_python');
    expect(lastText(second)).toContain('reads sales.csv');
    expect(lastText(requests[2].body)).toContain('mean of units: 42.33');
  });
});

test.describe('with the nudge off', () => {
  test.use({
    kernels: null,
    mockSettings: {
      ...galata.DEFAULT_SETTINGS,
      'jupyterlab-code-interpreter:plugin': {
        approvalMode: 'auto',
        checkUncomputedNumbers: false
      }
    }
  });

  test('the uncomputed answer stands, with no note and one request', async ({
    page,
    request
  }) => {
    await useScenario(request, 'interpreter/nudge');
    const panel = await notebookAndPanel(page, 'nudge-off.ipynb');
    await sendPrompt(panel, QUESTION);

    await expect(await finalAnswer(panel)).toContainText('The mean is 42.5.');
    await expect(
      panel.locator('.jp-CodeInterpreter-message[data-draft]')
    ).toHaveCount(0);
    await expect(panel).not.toContainText(NOTE);
    await expect(panel.locator('.jp-CodeInterpreter-step')).toHaveCount(0);
    expect(await simulatorRequests(request)).toHaveLength(1);
  });
});
