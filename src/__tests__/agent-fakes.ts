/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type * as nbformat from '@jupyterlab/nbformat';

import type { AgentEvent } from '../agent/events';
import { Agent } from '../agent/loop';
import { DEFAULT_AGENT_SETTINGS, IAgentSettings } from '../agent/settings';
import type {
  ICheckResult,
  IExecutionHost,
  IKernelState,
  IStepRequest,
  IStepResult,
  StepStatusCallback
} from '../agent/tokens';
import type {
  IChatClient,
  IChatRequest,
  IStreamChunk,
  IWireMessage
} from '../tokens';

/**
 * An agent with the default settings but `settings`.
 */
export function agent(
  client: IChatClient,
  host: IExecutionHost,
  settings: Partial<IAgentSettings> = {}
): Agent {
  return new Agent({
    client,
    host,
    settings: { ...DEFAULT_AGENT_SETTINGS, ...settings }
  });
}

/**
 * Run one turn of `prompt`; its result and every event.
 */
export async function run(
  a: Agent,
  prompt: string,
  options: { history?: IWireMessage[]; signal?: AbortSignal } = {}
) {
  const events: AgentEvent[] = [];
  const result = await a.runTurn(
    {
      conversationId: 'conv',
      turnId: 'turn-1',
      history: options.history ?? [],
      prompt
    },
    options.signal ?? new AbortController().signal,
    event => events.push(event)
  );
  return { result, events };
}

/**
 * A text reply, in pieces.
 */
export function text(...pieces: string[]): IStreamChunk[] {
  return [
    ...pieces.map(content => ({
      choices: [{ index: 0, delta: { content } }]
    })),
    { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
    { choices: [], usage: { prompt_tokens: 10, completion_tokens: 5 } }
  ];
}

/**
 * A `run_python` call whose arguments arrive in fragments of `size`.
 */
export function callPython(
  code: string,
  options: { id?: string; size?: number; index?: number; name?: string } = {}
): IStreamChunk[] {
  const args = JSON.stringify({ code });
  return rawCall(args, options);
}

/**
 * A tool call with raw (maybe invalid) arguments, in fragments.
 */
export function rawCall(
  args: string,
  options: { id?: string; size?: number; index?: number; name?: string } = {}
): IStreamChunk[] {
  const size = options.size ?? 7;
  const index = options.index ?? 0;
  const chunks: IStreamChunk[] = [
    {
      choices: [
        {
          index: 0,
          delta: {
            role: 'assistant',
            tool_calls: [
              {
                index,
                id: options.id ?? `call_${index}`,
                type: 'function',
                function: { name: options.name ?? 'run_python', arguments: '' }
              }
            ]
          }
        }
      ]
    }
  ];
  for (let at = 0; at < args.length; at += size) {
    chunks.push({
      choices: [
        {
          index: 0,
          delta: {
            tool_calls: [
              { index, function: { arguments: args.slice(at, at + size) } }
            ]
          }
        }
      ]
    });
  }
  return chunks;
}

/**
 * The end of a reply that called tools.
 */
export const TOOL_END: IStreamChunk[] = [
  { choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] }
];

/**
 * A client answering each request with the next scripted reply.
 */
export class ScriptedClient implements IChatClient {
  constructor(...replies: IStreamChunk[][]) {
    this.replies = replies;
  }

  /** The replies, in order; tests may push more. */
  replies: IStreamChunk[][];

  requests: IChatRequest[] = [];

  /** Called before each chunk: lets a test press Stop mid-stream. */
  onChunk: (request: number, chunk: number) => void = () => undefined;

  async *streamChat(
    request: IChatRequest,
    signal: AbortSignal
  ): AsyncIterable<IStreamChunk> {
    const number = this.requests.length;
    // A deep copy: the test compares what was sent, not later mutations.
    this.requests.push(JSON.parse(JSON.stringify(request)));
    const reply = this.replies[number];
    if (!reply) {
      throw new Error(`No scripted reply for request ${number + 1}`);
    }
    for (let index = 0; index < reply.length; index++) {
      this.onChunk(number, index);
      await Promise.resolve();
      if (signal.aborted) {
        return;
      }
      yield reply[index];
    }
  }
}

/**
 * A stream output.
 */
export function stdout(text: string): nbformat.IStream {
  return { output_type: 'stream', name: 'stdout', text };
}

/**
 * An error output.
 */
export function errorOutput(ename: string, evalue: string): nbformat.IError {
  return { output_type: 'error', ename, evalue, traceback: [`${ename}: x`] };
}

/**
 * What the fake host does with one step.
 */
export type StepScript =
  | Partial<IStepResult>
  | ((
      request: IStepRequest,
      signal: AbortSignal,
      onStatus: StepStatusCallback
    ) => Promise<IStepResult>);

/**
 * A host with scripted checks and runs.
 */
export class FakeHost implements IExecutionHost {
  constructor(...steps: StepScript[]) {
    this._steps = steps;
  }

  checks: string[] = [];
  runs: IStepRequest[] = [];
  /** Checks by code; default: no syntax error, no findings. */
  checkResults = new Map<string, ICheckResult>();
  state: IKernelState = {
    variables: [{ name: 'df', type: 'DataFrame', shape: '(4, 2)' }],
    packages: { pandas: '2.2.3', matplotlib: '3.9.2' },
    cwd: '/home/user/work',
    files: ['sales.csv']
  };

  async check(code: string): Promise<ICheckResult> {
    this.checks.push(code);
    return this.checkResults.get(code) ?? { syntaxError: null, findings: [] };
  }

  async kernelState(): Promise<IKernelState> {
    return this.state;
  }

  async runStep(
    request: IStepRequest,
    signal: AbortSignal,
    onStatus: StepStatusCallback
  ): Promise<IStepResult> {
    this.runs.push(request);
    const script = this._steps[this.runs.length - 1] ?? {};
    if (typeof script === 'function') {
      return script(request, signal, onStatus);
    }
    onStatus('running');
    return {
      outcome: 'ok',
      code: request.code,
      edited: false,
      outputs: [],
      executionCount: this.runs.length,
      cellId: `cell-${request.step}`,
      ...script
    };
  }

  private _steps: StepScript[];
}
