/**
 * The real local model (`make local-model`) for the real-model ui-test and benchmark: whether
 * it is there, starting its server on a port of the test's own, pointing the gateway at it,
 * and the data questions of benchmarks/data_questions.py.
 */
import { expect } from '@playwright/test';
import type { APIRequestContext } from '@playwright/test';
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** The repository's root. */
export const REPO = path.resolve(__dirname, '..', '..');

const MODEL_DIR =
  process.env.CODE_INTERPRETER_MODEL_DIR || path.join(REPO, '.local-model');

/** The alias the script serves the model under. */
export const LOCAL_MODEL_ALIAS = 'qwen2.5-coder-1.5b';

const PLUGIN = 'jupyterlab-code-interpreter:plugin';
const python = process.env.CODE_INTERPRETER_PYTHON || 'python';

/**
 * Why the real model cannot be used here, or null when its weights and server are built.
 */
export function localModelMissing(): string | null {
  const model = path.join(MODEL_DIR, 'qwen2.5-coder-1.5b-instruct-q4_k_m.gguf');
  const server = path.join(MODEL_DIR, 'bin', 'llama-server');
  const missing = [model, server].filter(file => !fs.existsSync(file));
  return missing.length
    ? `the real local model is not built (missing ${missing.join(', ')}): run make local-model`
    : null;
}

/** A process this test started, and how to end it. */
export interface IStarted {
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Start `scripts/local-model.sh serve` on `port` (it never builds: the caller checked
 * `localModelMissing`) and wait until the model is loaded; its log goes to `log`.
 */
export async function startLocalModel(
  port: number,
  log: string
): Promise<IStarted> {
  const started = startProcess(
    'bash',
    [path.join(REPO, 'scripts', 'local-model.sh'), 'serve'],
    { LOCAL_MODEL_PORT: String(port) },
    log
  );
  await waitFor(`http://127.0.0.1:${port}/health`, started, 180_000);
  return started;
}

/**
 * Start the local model on `port` and `benchmarks/model_recorder.py` in front of it on
 * `port + 1` (it records each request's timings, tokens and messages into
 * `<out>/messages.jsonl`); both logs go to `out`. Returns the two, model first.
 */
export async function startRecordedModel(
  port: number,
  out: string
): Promise<IStarted[]> {
  const model = await startLocalModel(port, path.join(out, 'llama-server.log'));
  const recording = startProcess(
    python,
    [
      path.join(REPO, 'benchmarks', 'model_recorder.py'),
      '--port',
      String(port + 1),
      '--upstream',
      `http://127.0.0.1:${port}`,
      '--messages',
      path.join(out, 'messages.jsonl')
    ],
    {},
    path.join(out, 'recorder.log')
  );
  try {
    await waitForServer(
      `http://127.0.0.1:${port + 1}/_recorder/requests`,
      recording
    );
  } catch (error) {
    await recording.stop();
    await model.stop();
    throw error;
  }
  return [model, recording];
}

/**
 * Start a process with its output in `log`; `stop` ends it (and waits until it has).
 */
export function startProcess(
  command: string,
  args: string[],
  env: Record<string, string>,
  log: string
): IStarted {
  fs.mkdirSync(path.dirname(log), { recursive: true });
  const out = fs.openSync(log, 'a');
  const child = spawn(command, args, {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', out, out]
  });
  fs.closeSync(out);
  const exited = new Promise<void>(resolve =>
    child.once('exit', () => resolve())
  );
  return {
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    }
  };
}

/** Poll `url` until it answers 200, failing early if `started` exits. */
async function waitFor(
  url: string,
  started: IStarted,
  timeout: number
): Promise<void> {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (started.process.exitCode !== null) {
      throw new Error(
        `${url}: the process exited (${started.process.exitCode})`
      );
    }
    try {
      if ((await fetch(url)).ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise(resolve => setTimeout(resolve, 500));
  }
  throw new Error(`${url} did not answer within ${timeout / 1000} s`);
}

/**
 * Wait for a server that `startProcess` started (e.g. the benchmark's recorder).
 */
export async function waitForServer(
  url: string,
  started: IStarted,
  timeout = 30_000
): Promise<void> {
  await waitFor(url, started, timeout);
}

/**
 * Point the gateway at `baseUrl` through the user's settings on the server (the page's own
 * settings are Galata's mock), with the text tool protocol and a first-byte timeout that fits
 * a CPU model.
 */
export async function useEndpoint(
  request: APIRequestContext,
  endpoint: Record<string, unknown> | null
): Promise<void> {
  const raw = endpoint ? JSON.stringify({ endpoint }) : '{}';
  const response = await request.put(`/lab/api/settings/${PLUGIN}`, {
    data: { raw }
  });
  expect(response.status()).toBe(204);
}

/** The endpoint setting for the local model at `baseUrl`. */
export function localEndpoint(
  baseUrl: string,
  toolProtocol: 'text' | 'native' | 'auto' = 'text'
): Record<string, unknown> {
  return {
    kind: 'openai',
    baseUrl,
    model: LOCAL_MODEL_ALIAS,
    firstByteTimeout: 300,
    toolProtocol
  };
}

/** One question of benchmarks/data_questions.py. */
export interface IDataQuestion {
  id: string;
  file: string;
  question: string;
  expected: string;
  kind: 'number' | 'word';
  decimals: number;
}

/**
 * Write the questions' CSV files into `folder` (a local folder) and return the questions.
 */
export function writeDataQuestions(folder: string): IDataQuestion[] {
  const out = execFileSync(
    python,
    [path.join(REPO, 'benchmarks', 'data_questions.py'), 'write', folder],
    { encoding: 'utf-8' }
  );
  return JSON.parse(out) as IDataQuestion[];
}

/** `right`, `value_only` or `wrong`: data_questions.py's grade of an answer. */
export function gradeAnswer(question: IDataQuestion, answer: string): string {
  return execFileSync(
    python,
    [
      path.join(REPO, 'benchmarks', 'data_questions.py'),
      'grade',
      JSON.stringify(question)
    ],
    { encoding: 'utf-8', input: answer }
  ).trim();
}
