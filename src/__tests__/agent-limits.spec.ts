/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { IStepResult } from '../agent/tokens';
import type { IWireMessage } from '../tokens';
import {
  agent,
  callPython,
  errorOutput,
  FakeHost,
  run,
  ScriptedClient,
  text,
  TOOL_END
} from './agent-fakes';

function toolMessages(messages: IWireMessage[]): string[] {
  return messages.filter(m => m.role === 'tool').map(m => m.content as string);
}

describe('Agent: limits and Stop', () => {
  it('gives up honestly when the repair budget is spent', async () => {
    const failing = [...callPython('1/0'), ...TOOL_END];
    const client = new ScriptedClient(failing, failing, failing);
    const error = {
      outcome: 'error' as const,
      outputs: [errorOutput('ZeroDivisionError', 'division by zero')]
    };
    const host = new FakeHost(error, error, error);
    const { result } = await run(
      agent(client, host, { repairBudget: 2 }),
      'divide'
    );
    expect(result.status).toBe('gave_up');
    expect(result.reason).toBe(
      'Stopped after 3 failed attempts: ZeroDivisionError: division by zero'
    );
    expect(client.requests).toHaveLength(3);
    expect(result.messages[result.messages.length - 1]).toEqual({
      role: 'assistant',
      content: result.reason
    });
  });

  it('says it gave up in the user’s language', async () => {
    const client = new ScriptedClient([...callPython('1/0'), ...TOOL_END]);
    const host = new FakeHost({
      outcome: 'error',
      outputs: [errorOutput('ZeroDivisionError', 'division by zero')]
    });
    const { result } = await run(
      agent(client, host, { repairBudget: 0 }),
      '请计算这个数据'
    );
    expect(result.reason).toBe(
      '尝试 1 次均失败，已停止：ZeroDivisionError: division by zero'
    );
  });

  it('stops at the step limit and asks for an answer without tools', async () => {
    const client = new ScriptedClient(
      [...callPython('a = 1'), ...TOOL_END],
      [...callPython('b = 2'), ...TOOL_END],
      text('a is 1 and b is 2.')
    );
    const host = new FakeHost();
    const { result } = await run(
      agent(client, host, { maxStepsPerTurn: 2 }),
      'compute'
    );
    expect(host.runs).toHaveLength(2);
    expect(client.requests[2].tool_choice).toBe('none');
    expect(client.requests[2].tools).toEqual(client.requests[0].tools);
    expect(result.status).toBe('gave_up');
    expect(result.reason).toBe(
      'Stopped after reaching the limit of 2 steps for one request.'
    );
    expect(result.messages[result.messages.length - 1]).toEqual({
      role: 'assistant',
      content: 'a is 1 and b is 2.'
    });
  });

  it('refuses calls beyond the step limit', async () => {
    const client = new ScriptedClient([
      ...callPython('a = 1', { index: 0, id: 'c0' }),
      ...callPython('b = 2', { index: 1, id: 'c1' }),
      ...TOOL_END
    ]);
    const host = new FakeHost();
    const { result } = await run(
      agent(client, host, { maxStepsPerTurn: 1 }),
      'compute'
    );
    expect(host.runs.map(r => r.code)).toEqual(['a = 1']);
    expect(result.status).toBe('gave_up');
    expect(toolMessages(result.messages)[1]).toContain('limit of 1 steps');
  });

  it('stops mid-stream', async () => {
    const client = new ScriptedClient(text('one ', 'two ', 'three'));
    const controller = new AbortController();
    client.onChunk = (_, chunk) => {
      if (chunk === 2) {
        controller.abort();
      }
    };
    const { result, events } = await run(
      agent(client, new FakeHost()),
      'count',
      {
        signal: controller.signal
      }
    );
    expect(result.status).toBe('stopped');
    expect(events.filter(e => e.type === 'text')).toHaveLength(2);
    expect(result.messages[1]).toEqual({
      role: 'assistant',
      content: 'one two '
    });
  });

  it('stops mid-step', async () => {
    const client = new ScriptedClient([
      ...callPython('while True: pass'),
      ...TOOL_END
    ]);
    const controller = new AbortController();
    const host = new FakeHost(async (request, signal, onStatus) => {
      onStatus('running');
      controller.abort();
      expect(signal.aborted).toBe(true);
      return {
        outcome: 'stopped',
        code: request.code,
        edited: false,
        outputs: [],
        executionCount: 1,
        cellId: 'c'
      } as IStepResult;
    });
    const { result, events } = await run(agent(client, host), 'loop', {
      signal: controller.signal
    });
    expect(result.status).toBe('stopped');
    expect(client.requests).toHaveLength(1);
    expect(events.find(e => e.type === 'step-finished')).toMatchObject({
      status: 'stopped'
    });
    expect(toolMessages(result.messages)).toEqual([
      'The user stopped the run.'
    ]);
  });
});
