/**
 * The turn loop's own overhead per step, in a real browser (benchmarks/loop_overhead.md):
 * (a) from the end of a run_python call's stream to the kernel execute request, and
 * (b) from the kernel going idle to the next model request; then the tokens sent per step
 * when steps print large outputs. `auto` approval, so no human wait is measured.
 *
 * Run with `npm run bench` (ui-tests/playwright.bench.config.js).
 */
import {
  expect,
  galata,
  IJupyterLabPageFixture,
  test
} from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import { openPanel, sendPrompt, simulatorRequests } from '../tests/helpers';
import { useScenario } from '../tests/scenario';

/** The overhead goal per measured interval, in milliseconds. */
const GOAL_MS = 30;

test.use({
  kernels: null,
  mockSettings: {
    ...galata.DEFAULT_SETTINGS,
    'jupyterlab-code-interpreter:plugin': {
      approvalMode: 'auto',
      maxStepsPerTurn: 25
    }
  }
});

interface IMark {
  name: string;
  startTime: number;
}

/** Open a new notebook with a ready kernel, then the panel. */
async function notebookAndPanel(
  page: IJupyterLabPageFixture
): Promise<Locator> {
  await page.notebook.createNew('bench.ipynb');
  await expect(
    page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]')
  ).toHaveCount(1, { timeout: 60_000 });
  return openPanel(page);
}

/** Run one prompt's turn to its answer and return the marks it left. */
async function runTurn(
  page: IJupyterLabPageFixture,
  panel: Locator,
  prompt: string,
  answer: string
): Promise<IMark[]> {
  await page.evaluate(() => performance.clearMarks());
  await sendPrompt(panel, prompt);
  const last = panel
    .locator('.jp-CodeInterpreter-message[data-role="assistant"]')
    .last();
  await expect(last).toContainText(answer, { timeout: 240_000 });
  await expect(last).toHaveAttribute('data-status', 'done');
  return page.evaluate(() =>
    performance
      .getEntriesByType('mark')
      .filter(mark => mark.name.startsWith('code-interpreter:'))
      .map(mark => ({ name: mark.name, startTime: mark.startTime }))
  );
}

/** Durations from each `from` mark to the first `to` mark after it (before the next `from`). */
function intervals(marks: IMark[], from: string, to: string): number[] {
  const result: number[] = [];
  let start: number | null = null;
  for (const mark of marks) {
    if (mark.name === `code-interpreter:${from}`) {
      start = mark.startTime;
    } else if (mark.name === `code-interpreter:${to}` && start !== null) {
      result.push(mark.startTime - start);
      start = null;
    }
  }
  return result;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(
    sorted.length - 1,
    Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)
  );
  return sorted[index];
}

function row(label: string, values: number[]): string {
  const p50 = percentile(values, 50);
  const p95 = percentile(values, 95);
  return `| ${label} | ${values.length} | ${p50.toFixed(1)} | ${p95.toFixed(1)} | ${Math.max(...values).toFixed(1)} | ${(p50 / GOAL_MS).toFixed(2)} | ${(p95 / GOAL_MS).toFixed(2)} |`;
}

/** The simulator's token estimate of a request: 1 per 4 characters, plus 3 per message. */
function promptTokens(body: { messages?: unknown[] } | null): number {
  const messages = body?.messages ?? [];
  return Math.ceil(JSON.stringify(messages).length / 4) + 3 * messages.length;
}

test('loop overhead per step: 20 tiny steps, then 5 steps with 200 KB outputs', async ({
  page,
  request
}) => {
  test.setTimeout(300_000);
  await useScenario(request, 'interpreter/bench');
  const panel = await notebookAndPanel(page);

  const marks = await runTurn(page, panel, 'Count to twenty', 'Done: 20 steps');
  const toExecute = intervals(marks, 'tool-call-complete', 'execute-request');
  const toRequest = intervals(marks, 'kernel-idle', 'model-request');
  expect(toExecute).toHaveLength(20);
  expect(toRequest).toHaveLength(20);

  {
    const gaps = new Map<string, number[]>();
    for (let i = 1; i < marks.length; i++) {
      const key = `${marks[i - 1].name.replace('code-interpreter:', '')} → ${marks[i].name.replace('code-interpreter:', '')}`;
      const list = gaps.get(key) ?? [];
      list.push(marks[i].startTime - marks[i - 1].startTime);
      gaps.set(key, list);
    }
    const lines = Array.from(gaps.entries()).map(
      ([key, values]) =>
        `${key}: n ${values.length} p50 ${percentile(values, 50).toFixed(1)} p95 ${percentile(values, 95).toFixed(1)}`
    );
    process.stdout.write(`\nBreakdown\n${lines.join('\n')}\n`);
  }
  await request.delete(
    `http://127.0.0.1:${process.env.SIMULATOR_PORT || 8765}/_simulator/requests`
  );
  await runTurn(page, panel, 'Now print big outputs', 'Done: 5 big steps');
  const requests = (await simulatorRequests(request)).filter(r =>
    r.path.endsWith('/chat/completions')
  );
  const tokens = requests.map(r => promptTokens(r.body));
  const perStep = tokens.slice(1).map((t, i) => t - tokens[i]);

  const report = [
    `Loop overhead per step (ms; goal ${GOAL_MS} ms)`,
    '',
    '| interval | n | p50 | p95 | max | p50 / goal | p95 / goal |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    row('(a) tool call complete → execute request', toExecute),
    row('(b) kernel idle → next model request', toRequest),
    '',
    `Tokens sent per request with 200 KB outputs (estimate, 4 chars/token): ${tokens.join(', ')}`,
    `Growth per step: ${perStep.join(', ')} (p50 ${percentile(perStep, 50)})`
  ].join('\n');
  await test.info().attach('loop-overhead', {
    body: report,
    contentType: 'text/markdown'
  });
  process.stdout.write(`\n${report}\n`);
});
