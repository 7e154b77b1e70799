/**
 * The nudge with the real small model (benchmarks/README.md, "The nudge"): the product's loop
 * with Qwen2.5-Coder-1.5B (llama.cpp, `make local-model`, the text tool protocol) on the data
 * questions of benchmarks/data_questions.py, each question asked twice in one run: with
 * `checkUncomputedNumbers` off, then on. Reports the share of final answers that state numbers
 * no step computed (numbers in the answer, no step ran), before and after, and the right answers.
 * Requests go through benchmarks/model_recorder.py (timings and tokens). `auto` approval.
 *
 *   cd ui-tests && npx playwright test --config playwright.bench.config.js nudge
 *
 * Environment: NUDGE_QUESTIONS (ids, comma-separated; default all), NUDGE_MODES (`off,on`),
 * NUDGE_PROTOCOL (`text`; `native` for the model's own tool calls, `auto`), NUDGE_MAX_STEPS (6), NUDGE_QUESTION_MINUTES (15: then Stop), NUDGE_BENCH_PORT (8197; the
 * recorder takes the next).
 * Results: benchmarks/results/nudge-<time>.json and .md.
 */
import {
  expect,
  galata,
  IJupyterLabPageFixture,
  test
} from '@jupyterlab/galata';
import type { APIRequestContext, Locator } from '@playwright/test';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { extractNumbers } from '../../src/grounding/numbers';
import { notebookAndPanel } from '../tests/interpreter-helpers';
import {
  gradeAnswer,
  IDataQuestion,
  IStarted,
  localEndpoint,
  localModelMissing,
  REPO,
  startRecordedModel,
  useEndpoint,
  writeDataQuestions
} from '../tests/localmodel';

const PLUGIN = 'jupyterlab-code-interpreter:plugin';
const MODEL_PORT = Number(process.env.NUDGE_BENCH_PORT || 8197);
const RECORDER = `http://127.0.0.1:${MODEL_PORT + 1}`;
const MAX_STEPS = Number(process.env.NUDGE_MAX_STEPS || 6);
const ONLY = process.env.NUDGE_QUESTIONS?.split(',');
const MODES = (process.env.NUDGE_MODES || 'off,on')
  .split(',')
  .filter((mode): mode is 'off' | 'on' => mode === 'off' || mode === 'on');
/** The most a question may take before it is stopped. */
const QUESTION_MS = Number(process.env.NUDGE_QUESTION_MINUTES || 15) * 60_000;
/** The tool protocol the endpoint uses: `text` (the small-model default), `native`, where the
 * small model most often answers without a call, the case the nudge is for, or `auto` (the
 * setting's default). */
const PROTOCOL: 'text' | 'native' | 'auto' =
  process.env.NUDGE_PROTOCOL === 'native' ||
  process.env.NUDGE_PROTOCOL === 'auto'
    ? process.env.NUDGE_PROTOCOL
    : 'text';

test.use({
  kernels: null,
  mockSettings: {
    ...galata.DEFAULT_SETTINGS,
    [PLUGIN]: {
      approvalMode: 'auto',
      temperature: 0,
      maxStepsPerTurn: MAX_STEPS
    }
  }
});

/** One question asked in one mode. */
interface IAsked {
  mode: 'off' | 'on';
  id: string;
  grade: string;
  expected: string;
  /** The final answer (not a draft). */
  answer: string;
  /** The answer the nudge set aside, if it nudged. */
  draft: string | null;
  draftGrade: string | null;
  /** Steps that ran (done or failed). */
  runs: number;
  /** The final answer states a number. */
  statesNumbers: boolean;
  /** It states a number and no step ran in the turn. */
  uncomputed: boolean;
  finished: boolean;
  seconds: number;
  requests: Record<string, unknown>[];
}

test('real model: uncomputed numbers with the nudge off and on', async ({
  page,
  request,
  tmpPath
}) => {
  const missing = localModelMissing();
  if (missing) {
    process.stdout.write(`\nnudge.bench skipped: ${missing}\n`);
  }
  test.skip(missing !== null, `reason: ${missing}`);
  test.setTimeout(240 * 60_000);

  const out = test.info().outputDir;
  fs.mkdirSync(out, { recursive: true });
  const local = fs.mkdtempSync(path.join(os.tmpdir(), 'nudge-bench-'));
  const questions = writeDataQuestions(local).filter(
    q => !ONLY || ONLY.includes(q.id)
  );
  for (const file of new Set(questions.map(q => q.file))) {
    await page.contents.uploadContent(
      fs.readFileSync(path.join(local, file), 'utf-8'),
      'text',
      `${tmpPath}/${file}`
    );
  }

  const stamp = new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-');
  const resultsFile = path.join(
    REPO,
    'benchmarks',
    'results',
    `nudge-${stamp}`
  );
  const results: IAsked[] = [];
  const save = () => {
    fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
    fs.writeFileSync(
      `${resultsFile}.json`,
      JSON.stringify(
        {
          settings: {
            model: 'qwen2.5-coder-1.5b (Q4_K_M, llama.cpp, 2 threads, -c 8192)',
            tool_protocol: PROTOCOL,
            max_steps: MAX_STEPS,
            temperature: 0,
            questions
          },
          results
        },
        null,
        1
      )
    );
  };
  const started: IStarted[] = [];
  try {
    started.push(...(await startRecordedModel(MODEL_PORT, out)));
    await useEndpoint(request, localEndpoint(`${RECORDER}/v1`, PROTOCOL));
    // Off and on for each question in turn: an interrupted run still pairs them.
    for (const question of questions) {
      for (const mode of MODES) {
        await setNudge(page, mode === 'on');
        results.push(await ask(page, request, question, mode));
        save();
      }
    }
  } finally {
    await useEndpoint(request, null);
    for (const child of started.reverse()) {
      await child.stop();
    }
    save();
  }
  const report = summary(results, questions.length);
  fs.writeFileSync(`${resultsFile}.md`, `${report}\n`);
  process.stdout.write(`\n${report}\n`);
});

/** Turn the nudge on or off in the page's settings (Galata's mock keeps them). */
async function setNudge(
  page: IJupyterLabPageFixture,
  on: boolean
): Promise<void> {
  const value = await page.evaluate(
    async ({ plugin, on }) => {
      const registry = await window.galata.getPlugin(
        '@jupyterlab/apputils-extension:settings'
      );
      await registry!.set(plugin, 'checkUncomputedNumbers', on);
      return (await registry!.get(plugin, 'checkUncomputedNumbers')).composite;
    },
    { plugin: PLUGIN, on }
  );
  expect(value).toBe(on);
}

/** Ask one question in a new notebook and read how the turn ended. */
async function ask(
  page: IJupyterLabPageFixture,
  request: APIRequestContext,
  question: IDataQuestion,
  mode: 'off' | 'on'
): Promise<IAsked> {
  const tag = `nudge-${mode}/${question.id}`;
  await request.put(`${RECORDER}/_recorder/tag`, { data: { tag } });
  const began = Date.now();
  const panel = await notebookAndPanel(page, `${question.id}-${mode}.ipynb`);
  const finished = await untilDone(panel, question.question);
  const assistant = '.jp-CodeInterpreter-message[data-role="assistant"]';
  const final = panel.locator(`${assistant}:not([data-draft])`).last();
  const answer = (await final.count())
    ? (
        await final.locator('.jp-CodeInterpreter-messageBody').innerText()
      ).trim()
    : '';
  // Folded, so its text is hidden: textContent, not innerText.
  const drafts = panel.locator(`${assistant}[data-draft]`);
  const draft = (await drafts.count())
    ? ((
        await drafts
          .first()
          .locator('.jp-CodeInterpreter-messageBody')
          .textContent()
      )?.trim() ?? '')
    : null;
  const steps = await panel
    .locator('.jp-CodeInterpreter-step')
    .evaluateAll(cards => cards.map(card => card.getAttribute('data-status')));
  const runs = steps.filter(s => s === 'done' || s === 'failed').length;
  const statesNumbers = extractNumbers(answer).length > 0;
  const records = (await (
    await request.get(`${RECORDER}/_recorder/requests`)
  ).json()) as Record<string, unknown>[];
  const result: IAsked = {
    mode,
    id: question.id,
    grade: gradeAnswer(question, answer),
    expected: question.expected,
    answer: answer.slice(-600),
    draft: draft === null ? null : draft.slice(-600),
    draftGrade: draft === null ? null : gradeAnswer(question, draft),
    runs,
    statesNumbers,
    uncomputed: statesNumbers && runs === 0,
    finished,
    seconds: Math.round((Date.now() - began) / 100) / 10,
    requests: records.filter(r => r.tag === tag)
  };
  process.stdout.write(
    `${tag}: ${result.grade}, ${runs} runs, ` +
      `${result.uncomputed ? 'uncomputed' : 'not uncomputed'}` +
      `${draft === null ? '' : `, nudged (draft ${result.draftGrade})`}, ` +
      `${result.seconds} s; expected ${question.expected}\n`
  );
  await page.notebook.close(true);
  await page.kernel.shutdownAll();
  return result;
}

/** Send a question and wait until the turn is over (or stop it after QUESTION_MS). */
async function untilDone(panel: Locator, text: string): Promise<boolean> {
  const input = panel.locator('textarea.jp-CodeInterpreter-input');
  await input.fill(text);
  await input.press('Enter');
  const stop = panel.locator('.jp-CodeInterpreter-stop');
  await expect(stop).toHaveCount(1);
  try {
    await expect(stop).toHaveCount(0, { timeout: QUESTION_MS });
    return true;
  } catch {
    await stop.click();
    await expect(stop).toHaveCount(0, { timeout: 60_000 });
    return false;
  }
}

/** The run's table: per mode the uncomputed share and the grades, then per question. */
function summary(results: IAsked[], planned: number): string {
  const lines = [
    `Nudge with the real model: ${planned} questions planned, max ${MAX_STEPS} steps, ` +
      `temperature 0, ${PROTOCOL} tool protocol`,
    '',
    '| nudge | answers | uncomputed numbers | right | value only | wrong | nudged | code runs | s / question |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |'
  ];
  for (const mode of ['off', 'on'] as const) {
    const rows = results.filter(r => r.mode === mode);
    const count = (grade: string) => rows.filter(r => r.grade === grade).length;
    const uncomputed = rows.filter(r => r.uncomputed).length;
    const seconds = rows.reduce((sum, r) => sum + r.seconds, 0);
    lines.push(
      `| ${mode} | ${rows.length} | ${uncomputed}/${rows.length} | ${count('right')} | ` +
        `${count('value_only')} | ${count('wrong')} | ` +
        `${rows.filter(r => r.draft !== null).length} | ` +
        `${rows.reduce((sum, r) => sum + r.runs, 0)} | ` +
        `${rows.length ? Math.round(seconds / rows.length) : '-'} |`
    );
  }
  lines.push(
    '',
    '| question | expected | off | on | on: the set-aside draft |',
    '| --- | --- | --- | --- | --- |'
  );
  for (const id of [...new Set(results.map(r => r.id))]) {
    const cell = (mode: 'off' | 'on') => {
      const row = results.find(r => r.id === id && r.mode === mode);
      return row
        ? `${row.grade}, ${row.runs} runs${row.uncomputed ? ', uncomputed' : ''}`
        : '-';
    };
    const on = results.find(r => r.id === id && r.mode === 'on');
    lines.push(
      `| ${id} | ${on?.expected ?? '-'} | ${cell('off')} | ${cell('on')} | ` +
        `${on?.draft === null || !on ? '-' : on.draftGrade} |`
    );
  }
  return lines.join('\n');
}
