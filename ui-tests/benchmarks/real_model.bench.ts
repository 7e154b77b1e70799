/**
 * The real-model benchmark (benchmarks/README.md, "Real model"): the product's loop with
 * Qwen2.5-Coder-1.5B (llama.cpp, `make local-model`) on the data questions of
 * benchmarks/data_questions.py, then, in the same run, the simplest possible loop
 * (benchmarks/simple_loop.py) on the same questions with the same model server and settings.
 * Both reach the server through benchmarks/model_recorder.py, which times every request
 * (first token, total) and keeps its token counts. `auto` approval: no clicks.
 *
 *   cd ui-tests && npm run bench:real-model      # 30-60 min on 2 cores
 *
 * `npm run bench` (the quick benchmarks) skips it: it runs only with REAL_MODEL_BENCH=1, which
 * that script sets.
 * Environment: REAL_MODEL_QUESTIONS (ids, comma-separated; default all), REAL_MODEL_LOOPS
 * (default `product,native,simple`; `native` only measures the prompt of the native tool
 * protocol), REAL_MODEL_MAX_STEPS (6), REAL_MODEL_BENCH_PORT (8187; the recorder takes the next).
 * Results: benchmarks/results/real-model-<time>.json and .md.
 */
import { expect, galata, test } from '@jupyterlab/galata';
import type { APIRequestContext, Locator } from '@playwright/test';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
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

const MODEL_PORT = Number(process.env.REAL_MODEL_BENCH_PORT || 8187);
const RECORDER = `http://127.0.0.1:${MODEL_PORT + 1}`;
const MAX_STEPS = Number(process.env.REAL_MODEL_MAX_STEPS || 6);
const LOOPS = (process.env.REAL_MODEL_LOOPS || 'product,native,simple').split(
  ','
);
const ONLY = process.env.REAL_MODEL_QUESTIONS?.split(',');
/** The most a question may take in the product before it is stopped. */
const QUESTION_MS = 15 * 60_000;
const python = process.env.CODE_INTERPRETER_PYTHON || 'python';

test.use({
  kernels: null,
  mockSettings: {
    ...galata.DEFAULT_SETTINGS,
    'jupyterlab-code-interpreter:plugin': {
      approvalMode: 'auto',
      temperature: 0,
      maxStepsPerTurn: MAX_STEPS
    }
  }
});

/** One request as the recorder saw it. */
interface IRecord {
  tag: string;
  ttft_s: number | null;
  total_s: number | null;
  prompt_tokens?: number;
  prompt_processed?: number;
  completion_tokens?: number;
}

async function recorder(
  request: APIRequestContext,
  tag?: string
): Promise<IRecord[]> {
  if (tag !== undefined) {
    await request.put(`${RECORDER}/_recorder/tag`, { data: { tag } });
    return [];
  }
  return (await (
    await request.get(`${RECORDER}/_recorder/requests`)
  ).json()) as IRecord[];
}

/** Send a question and wait until the turn is over (or stop it after QUESTION_MS). */
async function ask(panel: Locator, text: string): Promise<boolean> {
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

/** The step cells of the visible notebook: source and output text, cut short. */
async function cells(
  page: import('@jupyterlab/galata').IJupyterLabPageFixture
): Promise<{ source: string; output: string }[]> {
  const found = page.locator('.jp-NotebookPanel:visible .jp-CodeCell');
  const result = [];
  for (let i = 0; i < (await found.count()); i++) {
    const cell = found.nth(i);
    result.push({
      source: (await cell.locator('.jp-InputArea-editor').innerText()).slice(
        0,
        600
      ),
      output: (await cell.locator('.jp-OutputArea').innerText()).slice(0, 600)
    });
  }
  return result;
}

test('real model: the product loop against the simplest loop', async ({
  page,
  request,
  tmpPath
}) => {
  const missing = process.env.REAL_MODEL_BENCH
    ? localModelMissing()
    : 'it takes 30-60 min: run it with npm run bench:real-model';
  if (missing) {
    process.stdout.write(`\nreal_model.bench skipped: ${missing}\n`);
  }
  test.skip(missing !== null, `reason: ${missing}`);
  test.setTimeout(240 * 60_000);

  const out = test.info().outputDir;
  fs.mkdirSync(out, { recursive: true });
  const local = fs.mkdtempSync(path.join(os.tmpdir(), 'real-model-bench-'));
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

  const started: IStarted[] = [];
  const results: Record<string, unknown>[] = [];
  const native: IRecord[] = [];
  const stamp = new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-');
  const resultsFile = path.join(
    REPO,
    'benchmarks',
    'results',
    `real-model-${stamp}`
  );
  const save = () => {
    fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
    fs.writeFileSync(
      `${resultsFile}.json`,
      JSON.stringify(
        {
          settings: {
            model: 'qwen2.5-coder-1.5b (Q4_K_M, llama.cpp, 2 threads, -c 8192)',
            max_steps: MAX_STEPS,
            temperature: 0,
            questions
          },
          results,
          native
        },
        null,
        1
      )
    );
  };
  try {
    started.push(...(await startRecordedModel(MODEL_PORT, out)));

    if (LOOPS.includes('product')) {
      await useEndpoint(request, localEndpoint(`${RECORDER}/v1`, 'text'));
      for (const question of questions) {
        results.push(await product(page, request, question, 'product'));
        save();
      }
    }
    if (LOOPS.includes('native') && questions.length) {
      // The native protocol's prompt: the first request of a question, then Stop.
      await useEndpoint(request, localEndpoint(`${RECORDER}/v1`, 'native'));
      const question = questions[0];
      await recorder(request, `native/${question.id}`);
      const panel = await notebookAndPanel(page, `native-${question.id}.ipynb`);
      const input = panel.locator('textarea.jp-CodeInterpreter-input');
      await input.fill(question.question);
      await input.press('Enter');
      await expect
        .poll(
          async () =>
            (await recorder(request)).filter(
              r => r.tag === `native/${question.id}` && r.total_s !== null
            ).length,
          { timeout: QUESTION_MS }
        )
        .toBeGreaterThan(0);
      // Stop the rest of the turn (if it is still going): only the prompt is measured.
      const stop = panel.locator('.jp-CodeInterpreter-stop');
      if (await stop.count()) {
        await stop.click({ timeout: 10_000 }).catch(() => undefined);
      }
      await expect(stop).toHaveCount(0, { timeout: 120_000 });
      native.push(
        ...(await recorder(request)).filter(r => r.tag.startsWith('native/'))
      );
      await page.notebook.close(true);
      save();
    }
    if (LOOPS.includes('simple')) {
      const simpleOut = path.join(out, 'simple.json');
      await promisify(execFile)(
        python,
        [
          path.join(REPO, 'benchmarks', 'simple_loop.py'),
          '--base-url',
          `${RECORDER}/v1`,
          '--recorder',
          RECORDER,
          '--data',
          fs.mkdtempSync(path.join(os.tmpdir(), 'real-model-simple-')),
          '--max-steps',
          String(MAX_STEPS),
          '--out',
          simpleOut,
          ...(ONLY ? ['--only', ...ONLY] : [])
        ],
        { timeout: 180 * 60_000, maxBuffer: 16 * 1024 * 1024 }
      );
      const simple = JSON.parse(fs.readFileSync(simpleOut, 'utf-8'));
      for (const result of simple.results) {
        delete result.transcript;
        results.push(result);
      }
      save();
    }
  } finally {
    await useEndpoint(request, null);
    for (const child of started.reverse()) {
      await child.stop();
    }
    save();
  }
  const { stdout } = await promisify(execFile)(python, [
    path.join(REPO, 'benchmarks', 'data_questions.py'),
    'report',
    `${resultsFile}.json`
  ]);
  const nativePrompt = native[0]?.prompt_tokens;
  const textPrompt = (
    results.find(r => r.loop === 'product') as
      { requests?: IRecord[] } | undefined
  )?.requests?.[0]?.prompt_tokens;
  const report = [
    `Real model, ${questions.length} questions, max ${MAX_STEPS} steps, temperature 0`,
    '',
    stdout.trim(),
    '',
    `First request's prompt tokens, same question: text protocol ${textPrompt ?? '-'}, native ${nativePrompt ?? '-'}`
  ].join('\n');
  fs.writeFileSync(`${resultsFile}.md`, `${report}\n`);
  process.stdout.write(`\n${report}\n`);
});

/** One question through the product's loop. */
async function product(
  page: import('@jupyterlab/galata').IJupyterLabPageFixture,
  request: APIRequestContext,
  question: IDataQuestion,
  loop: string
): Promise<Record<string, unknown>> {
  const tag = `${loop}/${question.id}`;
  await recorder(request, tag);
  const began = Date.now();
  const panel = await notebookAndPanel(page, `${question.id}.ipynb`);
  let finished = false;
  let answer = '';
  let error = '';
  try {
    finished = await ask(panel, question.question);
    answer = (
      await panel
        .locator(
          '.jp-CodeInterpreter-message[data-role="assistant"] .jp-CodeInterpreter-messageBody'
        )
        .last()
        .innerText()
    ).trim();
  } catch (e) {
    error = String(e).slice(0, 300);
  }
  const steps = await panel
    .locator('.jp-CodeInterpreter-step')
    .evaluateAll(cards => cards.map(card => card.getAttribute('data-status')));
  const errors = await panel
    .locator('.jp-CodeInterpreter-message[data-role="error"]')
    .allInnerTexts();
  const result = {
    loop,
    id: question.id,
    grade: gradeAnswer(question, answer),
    expected: question.expected,
    answer: answer.slice(-600),
    runs: steps.filter(s => s === 'done' || s === 'failed').length,
    steps,
    finished,
    error: error || errors.join(' | ').slice(0, 300),
    seconds: Math.round((Date.now() - began) / 100) / 10,
    cells: await cells(page),
    requests: (await recorder(request)).filter(r => r.tag === tag)
  };
  process.stdout.write(
    `${tag}: ${result.grade} (${result.runs} runs, ${result.seconds} s; expected ${question.expected})\n`
  );
  await page.notebook.close(true);
  await page.kernel.shutdownAll();
  return result;
}
