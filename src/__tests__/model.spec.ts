/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { APIError, APIUserAbortError } from 'openai';

import { ChatModel } from '../conversation/model';
import {
  chatSettingsFrom,
  DEFAULT_CHAT_SETTINGS
} from '../conversation/settings';
import type {
  ChatStatus,
  IChatClient,
  IChatRequest,
  IStreamChunk
} from '../tokens';
import {
  callPython,
  errorOutput,
  FakeHost,
  ScriptedClient as FakeScriptedClient,
  stdout,
  text as fakeText,
  TOOL_END
} from './agent-fakes';

function delta(content: string): IStreamChunk {
  return { choices: [{ index: 0, delta: { content } }] };
}

/**
 * One scripted reply: chunks, then an optional failure.
 */
interface IReply {
  chunks: IStreamChunk[];
  failure?: unknown;
}

/**
 * A client that answers each request with the next scripted reply; the last
 * reply repeats.
 */
class ScriptedClient implements IChatClient {
  constructor(...replies: IReply[]) {
    this._replies = replies;
  }

  requests: IChatRequest[] = [];

  async *streamChat(request: IChatRequest): AsyncIterable<IStreamChunk> {
    const reply =
      this._replies[Math.min(this.requests.length, this._replies.length - 1)];
    this.requests.push(request);
    for (const chunk of reply.chunks) {
      await Promise.resolve();
      yield chunk;
    }
    if (reply.failure !== undefined) {
      throw reply.failure;
    }
  }

  private _replies: IReply[];
}

/**
 * A client that streams one chunk, then waits until aborted, ending the way
 * the openai SDK does: silently, or with `APIUserAbortError`.
 */
class HangingClient implements IChatClient {
  constructor(private _throwOnAbort: boolean) {
    this.firstChunkSent = new Promise<void>(resolve => {
      this._resolveFirst = resolve;
    });
  }

  readonly firstChunkSent: Promise<void>;

  async *streamChat(
    request: IChatRequest,
    signal: AbortSignal
  ): AsyncIterable<IStreamChunk> {
    yield delta('Partial answer');
    this._resolveFirst();
    await new Promise<void>(resolve =>
      signal.addEventListener('abort', () => resolve(), { once: true })
    );
    if (this._throwOnAbort) {
      throw new APIUserAbortError();
    }
  }

  private _resolveFirst!: () => void;
}

describe('ChatModel', () => {
  it('streams an answer: waiting, streaming, then done', async () => {
    const client = new ScriptedClient({
      chunks: [
        { choices: [{ delta: { role: 'assistant', content: '' } }] },
        delta('Hello'),
        delta(', world'),
        { choices: [{ delta: {}, finish_reason: 'stop' }] },
        { choices: [], usage: { total_tokens: 3 } }
      ]
    });
    const model = new ChatModel({
      client,
      settings: { modelAlias: 'fast', temperature: 0 }
    });
    const statuses: ChatStatus[] = [];
    model.changed.connect(() => {
      if (statuses[statuses.length - 1] !== model.status) {
        statuses.push(model.status);
      }
    });

    await model.send('  Say hello  ');

    expect(statuses).toEqual(['waiting', 'streaming', 'idle']);
    expect(model.messages.map(m => [m.role, m.content, m.status])).toEqual([
      ['user', 'Say hello', undefined],
      ['assistant', 'Hello, world', 'done']
    ]);
    expect(client.requests[0]).toEqual({
      model: 'fast',
      temperature: 0,
      messages: [{ role: 'user', content: 'Say hello' }]
    });
  });

  it('sends the earlier conversation, without errors, as history', async () => {
    const client = new ScriptedClient({ chunks: [delta('Two')] });
    const model = new ChatModel({ client });
    await model.send('One');
    await model.send('Again');
    expect(client.requests[1].messages).toEqual([
      { role: 'user', content: 'One' },
      { role: 'assistant', content: 'Two' },
      { role: 'user', content: 'Again' }
    ]);
  });

  it('ignores blank prompts and prompts sent while streaming', async () => {
    const client = new HangingClient(false);
    const model = new ChatModel({ client });
    await model.send('   ');
    expect(model.messages).toHaveLength(0);
    const first = model.send('First');
    await client.firstChunkSent;
    await model.send('Second');
    expect(model.messages.filter(m => m.role === 'user')).toHaveLength(1);
    model.stop();
    await first;
  });

  it.each([
    ['ends silently', false],
    ['throws APIUserAbortError', true]
  ])(
    'keeps the partial answer, marked stopped, when the stream %s',
    async (_label, throwOnAbort) => {
      const client = new HangingClient(throwOnAbort);
      const model = new ChatModel({ client });
      const sending = model.send('Tell me a long story');
      await client.firstChunkSent;
      expect(model.status).toBe('streaming');
      model.stop();
      await sending;
      expect(model.status).toBe('idle');
      expect(model.messages.map(m => [m.role, m.content, m.status])).toEqual([
        ['user', 'Tell me a long story', undefined],
        ['assistant', 'Partial answer', 'stopped']
      ]);
    }
  );

  it('appends an error and keeps earlier messages when a request fails', async () => {
    const message =
      'No model endpoint is configured for the Code Interpreter gateway.';
    const client = new ScriptedClient(
      { chunks: [delta('Fine')] },
      {
        chunks: [],
        failure: APIError.generate(
          503,
          { error: { message, code: 'no_endpoint_configured' } },
          undefined,
          new Headers()
        )
      }
    );
    const model = new ChatModel({ client });
    await model.send('First');
    await model.send('Second');

    expect(model.status).toBe('idle');
    expect(model.messages.map(m => [m.role, m.content, m.status])).toEqual([
      ['user', 'First', undefined],
      ['assistant', 'Fine', 'done'],
      ['user', 'Second', undefined],
      ['error', message, undefined]
    ]);
    expect(model.messages[3].errorKind).toBe('not_configured');
  });

  it('marks a partial answer as error when an error event arrives mid-stream', async () => {
    const message = 'The model endpoint stopped in the middle of its answer.';
    const client = new ScriptedClient({
      chunks: [
        delta('Half'),
        { error: { message, type: 'server_error' } },
        delta('never shown')
      ]
    });
    const model = new ChatModel({ client });
    await model.send('Question');
    expect(model.messages.map(m => [m.role, m.content, m.status])).toEqual([
      ['user', 'Question', undefined],
      ['assistant', 'Half', 'error'],
      ['error', message, undefined]
    ]);
  });

  it('notes an answer cut off by the length limit', async () => {
    const client = new ScriptedClient({
      chunks: [
        delta('Long'),
        { choices: [{ delta: {}, finish_reason: 'length' }] }
      ]
    });
    const model = new ChatModel({ client });
    await model.send('Question');
    expect(model.messages[1].note).toMatch(/maximum length/);
  });

  it('clears the conversation, stopping a streaming answer', async () => {
    const client = new HangingClient(false);
    const model = new ChatModel({ client });
    const sending = model.send('Question');
    await client.firstChunkSent;
    model.clear();
    await sending;
    expect(model.messages).toHaveLength(0);
    expect(model.status).toBe('idle');
  });
});

describe('chatSettingsFrom', () => {
  it('reads modelAlias and temperature, ignoring the rest', () => {
    expect(
      chatSettingsFrom({
        modelAlias: 'gpt',
        temperature: 1,
        endpoint: { kind: 'openai' }
      })
    ).toEqual({ modelAlias: 'gpt', temperature: 1 });
  });

  it('falls back to the defaults on invalid values', () => {
    expect(chatSettingsFrom({ modelAlias: ' ', temperature: 'hot' })).toEqual(
      DEFAULT_CHAT_SETTINGS
    );
  });
});

describe('ChatModel.stop', () => {
  it('ignores chunks that arrive after Stop', async () => {
    let stop: () => void = () => undefined;
    const client: IChatClient = {
      async *streamChat(): AsyncIterable<IStreamChunk> {
        yield delta('Once upon a time');
        stop();
        yield delta(' something to interrupt');
      }
    };
    const model = new ChatModel({ client });
    stop = () => model.stop();
    await model.send('Story');
    expect(model.messages[1]).toMatchObject({
      content: 'Once upon a time',
      status: 'stopped'
    });
  });
});

describe('ChatModel with an execution host', () => {
  it('runs a turn through the agent: texts and steps in order', async () => {
    const client = new FakeScriptedClient(
      [...fakeText('Let me look. '), ...callPython('print(4)'), ...TOOL_END],
      fakeText('There are 4 rows.')
    );
    const model = new ChatModel({ client });
    model.host = new FakeHost({ outputs: [stdout('4\n')] });
    const statuses = new Set<ChatStatus>();
    model.changed.connect(() => statuses.add(model.status));
    await model.send('how many rows?');

    expect(model.messages.map(m => [m.role, m.status])).toEqual([
      ['user', undefined],
      ['assistant', 'done'],
      ['step', undefined],
      ['assistant', 'done']
    ]);
    expect(model.messages[2].step).toEqual({
      number: 1,
      toolCallId: 'call_0',
      code: 'print(4)',
      status: 'done',
      edited: false,
      cellId: 'cell-1',
      summary: 'Ran without error. Outputs:\n4'
    });
    expect(model.messages[3].content).toBe('There are 4 rows.');
    expect(statuses.has('running')).toBe(true);
    expect(model.status).toBe('idle');
    expect(model.usage.prompt_tokens).toBe(20);

    // The next turn sends the first one as it was: tool call and result.
    client.replies.push(fakeText('ok'));
    await model.send('thanks, and the mean?');
    const history = client.requests[2].messages.map(m => m.role);
    expect(history).toEqual([
      'system',
      'user',
      'assistant',
      'tool',
      'assistant',
      'user'
    ]);
  });

  it('adds an honest assistant message when it gives up', async () => {
    const failing = [...callPython('1/0'), ...TOOL_END];
    const client = new FakeScriptedClient(failing);
    const model = new ChatModel({
      client,
      agentSettings: { repairBudget: 0 }
    });
    model.host = new FakeHost({
      outcome: 'error',
      outputs: [errorOutput('ZeroDivisionError', 'division by zero')]
    });
    await model.send('divide by zero');
    const last = model.messages[model.messages.length - 1];
    expect(last).toMatchObject({
      role: 'assistant',
      status: 'done',
      content:
        'Stopped after 1 failed attempts: ZeroDivisionError: division by zero'
    });
    expect(model.messages[1].step?.status).toBe('failed');
  });

  it('stops a running step and marks the turn stopped', async () => {
    const { model, running } = modelWithEndlessStep();
    const sent = model.send('loop forever');
    await running;
    expect(model.status).toBe('running');
    expect(model.messages[1].step?.status).toBe('running');
    model.stop();
    await sent;
    expect(
      model.messages.map(m => [m.role, m.status ?? m.step?.status])
    ).toEqual([
      ['user', undefined],
      ['step', 'stopped'],
      ['assistant', 'stopped']
    ]);
    expect(model.status).toBe('idle');
  });

  it("clears the conversation mid-turn and drops the turn's late events", async () => {
    const { model, running } = modelWithEndlessStep();
    const sent = model.send('loop forever');
    await running;
    model.clear();
    await sent;
    expect(model.messages).toEqual([]);
    expect(model.status).toBe('idle');
  });

  it('shows the warning of an invalid prompt override', async () => {
    const model = new ChatModel({
      client: new FakeScriptedClient(fakeText('hello')),
      agentSettings: { prompts: { system: '{{nope}}' } }
    });
    model.host = new FakeHost();
    await model.send('hi');
    expect(model.warning).toContain('{{nope}}');
  });
});

describe('ChatModel persistence', () => {
  it('round-trips through JSON', async () => {
    const client = new FakeScriptedClient(
      [...callPython('print(1)'), ...TOOL_END],
      fakeText('One.')
    );
    const model = new ChatModel({ client });
    model.host = new FakeHost({ outputs: [stdout('1\n')] });
    await model.send('print one');
    const json = JSON.parse(JSON.stringify(model.toJSON()));

    const restored = new ChatModel({ client });
    restored.fromJSON(json);
    expect(restored.messages).toEqual(model.messages);
    expect(restored.conversationId).toBe(model.conversationId);
    expect(restored.messages[0].wire?.map(m => m.role)).toEqual([
      'user',
      'assistant',
      'tool',
      'assistant'
    ]);
  });

  it('restores a turn interrupted mid-way as stopped', () => {
    const model = new ChatModel({ client: new FakeScriptedClient() });
    model.fromJSON({
      version: 1,
      conversationId: 'c-1',
      messages: [
        { id: 'message-7', role: 'user', content: 'plot' },
        {
          id: 'message-8',
          role: 'step',
          content: '',
          step: {
            number: 1,
            toolCallId: 't',
            code: 'plot()',
            status: 'running'
          }
        },
        {
          id: 'message-9',
          role: 'assistant',
          content: 'Part',
          status: 'streaming'
        },
        { id: 42, role: 'user', content: 'malformed' },
        { id: 'x', role: 'system', content: 'unknown role' }
      ]
    });
    expect(model.conversationId).toBe('c-1');
    expect(model.messages).toHaveLength(3);
    expect(model.messages[1].step?.status).toBe('stopped');
    expect(model.messages[2]).toMatchObject({
      status: 'stopped',
      note: 'Interrupted: the page was closed before the turn ended.'
    });
  });

  it('restores nothing from garbage and keeps new ids unique', async () => {
    const model = new ChatModel({
      client: new FakeScriptedClient(fakeText('a'))
    });
    model.fromJSON('garbage');
    expect(model.messages).toEqual([]);
    model.fromJSON({
      messages: [{ id: 'message-5', role: 'user', content: 'x' }]
    });
    await model.send('next');
    const ids = model.messages.map(m => m.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

/**
 * A chat whose first step runs until Stop; `running` resolves once it runs.
 */
function modelWithEndlessStep(): {
  model: ChatModel;
  running: Promise<void>;
} {
  const client = new FakeScriptedClient([
    ...callPython('while True: pass'),
    ...TOOL_END
  ]);
  const model = new ChatModel({ client });
  let started!: () => void;
  const running = new Promise<void>(resolve => (started = resolve));
  model.host = new FakeHost(
    (request, signal, onStatus) =>
      new Promise(resolve => {
        onStatus('running');
        started();
        signal.addEventListener('abort', () =>
          resolve({
            outcome: 'stopped',
            code: request.code,
            edited: false,
            outputs: [],
            executionCount: null,
            cellId: 'c1'
          })
        );
      })
  );
  return { model, running };
}
