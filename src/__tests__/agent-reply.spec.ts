/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { AgentEvent } from '../agent/events';
import { Agent } from '../agent/loop';
import { DEFAULT_AGENT_SETTINGS } from '../agent/settings';
import { StreamEventError } from '../llm/errors';
import { ScriptedClient, text } from './agent-fakes';

/**
 * An agent without a host, as a plain chat or a cell command uses it.
 */
function replier(client: ScriptedClient): Agent {
  return new Agent({
    client,
    settings: { ...DEFAULT_AGENT_SETTINGS, modelAlias: 'chat', temperature: 0 }
  });
}

describe('Agent.reply', () => {
  it('asks with the history and the prompt only: no system prompt, no tools', async () => {
    const client = new ScriptedClient(text('Hel', 'lo'));
    const events: AgentEvent[] = [];
    const result = await replier(client).reply(
      {
        history: [
          { role: 'user', content: 'One' },
          { role: 'assistant', content: 'Two' }
        ],
        prompt: 'Again'
      },
      new AbortController().signal,
      event => events.push(event)
    );

    expect(client.requests).toEqual([
      {
        model: 'chat',
        temperature: 0,
        messages: [
          { role: 'user', content: 'One' },
          { role: 'assistant', content: 'Two' },
          { role: 'user', content: 'Again' }
        ]
      }
    ]);
    expect(events).toEqual([
      { type: 'text', segment: 0, delta: 'Hel' },
      { type: 'text', segment: 0, delta: 'lo' },
      { type: 'usage', usage: { prompt_tokens: 10, completion_tokens: 5 } }
    ]);
    expect(result).toEqual({
      status: 'done',
      content: 'Hello',
      finishReason: 'stop',
      messages: [
        { role: 'user', content: 'Again' },
        { role: 'assistant', content: 'Hello' }
      ]
    });
  });

  it('uses the model alias of the request when it names one', async () => {
    const client = new ScriptedClient(text('ok'));
    await replier(client).reply(
      { history: [], prompt: 'Explain', model: 'explainer' },
      new AbortController().signal
    );
    expect(client.requests[0].model).toBe('explainer');
  });

  it('ends stopped with the partial answer when Stop is pressed', async () => {
    const client = new ScriptedClient(text('Once', ' upon', ' a time'));
    const controller = new AbortController();
    client.onChunk = (_request, chunk) => {
      if (chunk === 2) {
        controller.abort();
      }
    };
    const result = await replier(client).reply(
      { history: [], prompt: 'Story' },
      controller.signal
    );
    expect(result.status).toBe('stopped');
    expect(result.content).toBe('Once upon');
  });

  it('rejects on an error event inside the stream', async () => {
    const client = new ScriptedClient([
      { choices: [{ index: 0, delta: { content: 'Half' } }] },
      { error: { message: 'The endpoint stopped.', type: 'server_error' } }
    ]);
    await expect(
      replier(client).reply(
        { history: [], prompt: 'Question' },
        new AbortController().signal
      )
    ).rejects.toBeInstanceOf(StreamEventError);
  });
});

describe('Agent.runTurn', () => {
  it('needs a host to run steps in', async () => {
    const client = new ScriptedClient(text('never asked'));
    await expect(
      replier(client).runTurn(
        { conversationId: 'c', turnId: 't', history: [], prompt: 'plot it' },
        new AbortController().signal
      )
    ).rejects.toThrow('needs a notebook');
    expect(client.requests).toHaveLength(0);
  });
});
