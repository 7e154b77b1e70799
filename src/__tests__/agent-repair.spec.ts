/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

/**
 * A runtime error and its repair as the loop and the chat see them: the
 * model is told its next step replaces the failed cell, only a call written
 * after the failure may replace it, and the chat folds the attempts and
 * marks a failed step no later step repaired.
 */

import type { AgentEvent } from '../agent/events';
import type { IFailedAttempt } from '../agent/tokens';
import { REPLACEMENT_NOTE, replacementNote } from '../agent/toolresults';
import {
  applyAgentEvent,
  EMPTY_CONVERSATION,
  finishTurn,
  startTurn
} from '../conversation/turnview';
import type { IWireMessage } from '../tokens';
import { untranslated } from '../translate';
import {
  agent,
  callPython,
  errorOutput,
  FakeHost,
  run,
  ScriptedClient,
  stdout,
  text,
  TOOL_END
} from './agent-fakes';

function toolMessages(messages: IWireMessage[]): string[] {
  return messages.filter(m => m.role === 'tool').map(m => m.content as string);
}

const ATTEMPT: IFailedAttempt = {
  step: 1,
  outcome: 'error',
  source: "df = load()\ndf['price ']",
  ename: 'KeyError',
  evalue: "'price '"
};

describe('the loop after a runtime error', () => {
  it('tells the model its next step replaces the failed cell, and not after a step that ran', async () => {
    const client = new ScriptedClient(
      [...callPython("df = load()\ndf['price ']"), ...TOOL_END],
      [...callPython("df = load()\ndf['price']"), ...TOOL_END],
      text('The price is 5.')
    );
    const host = new FakeHost(
      { outcome: 'error', outputs: [errorOutput('KeyError', "'price '")] },
      { outputs: [stdout('5\n')], attempts: [ATTEMPT] }
    );
    const { result, events } = await run(agent(client, host), 'price?');
    expect(result.status).toBe('done');
    const [failed, repaired] = toolMessages(client.requests[2].messages);
    expect(failed).toContain("KeyError: 'price '");
    expect(failed.endsWith(`\n${REPLACEMENT_NOTE}`)).toBe(true);
    expect(repaired).not.toContain(REPLACEMENT_NOTE);
    // The repair was written after the failure: it may take the cell.
    expect(host.runs.map(r => r.mayReplaceFailed)).toEqual([true, true]);
    const finished = events.filter(
      (e): e is Extract<AgentEvent, { type: 'step-finished' }> =>
        e.type === 'step-finished'
    );
    expect(finished[0].attempts).toBeUndefined();
    expect(finished[1].attempts).toEqual([ATTEMPT]);
  });

  it('tells the chat which attempts a repair replaced as soon as it takes the cell', async () => {
    const client = new ScriptedClient(
      [...callPython('fixed()'), ...TOOL_END],
      text('Done.')
    );
    const host = new FakeHost(async (request, _signal, onStatus) => {
      onStatus('proposed', [ATTEMPT]);
      onStatus('running', [ATTEMPT]);
      return {
        outcome: 'ok',
        code: request.code,
        edited: false,
        outputs: [],
        executionCount: 2,
        cellId: 'cell-1',
        attempts: [ATTEMPT]
      };
    });
    const { events } = await run(agent(client, host), 'go');
    // In ask mode the loop says `proposed` first; the host, once it holds the cell.
    const statuses = events.filter(e => e.type === 'step-status').slice(-2);
    expect(statuses).toEqual([
      { type: 'step-status', step: 1, status: 'proposed', attempts: [ATTEMPT] },
      { type: 'step-status', step: 1, status: 'running', attempts: [ATTEMPT] }
    ]);
    let state = startTurn(EMPTY_CONVERSATION, 'go');
    for (const event of events.slice(0, events.indexOf(statuses[0]) + 1)) {
      state = applyAgentEvent(state, event);
    }
    const card = state.messages.find(m => m.step)?.step;
    expect(card).toMatchObject({ status: 'proposed', attempts: [ATTEMPT] });
  });

  it('lets only the first call of a reply replace a failed step', async () => {
    const client = new ScriptedClient(
      [
        ...callPython('1 / 0', { index: 0 }),
        ...callPython('print(2)', { index: 1 }),
        ...TOOL_END
      ],
      text('Done.')
    );
    const host = new FakeHost({
      outcome: 'error',
      outputs: [errorOutput('ZeroDivisionError', 'division by zero')]
    });
    await run(agent(client, host), 'go');
    expect(host.runs.map(r => r.mayReplaceFailed)).toEqual([true, false]);
  });

  it('writes the note only for a step that ran in a cell and failed', () => {
    const base = {
      code: 'x',
      edited: false,
      outputs: [],
      executionCount: 1,
      cellId: 'c1'
    };
    for (const outcome of ['error', 'timeout', 'kernel_died'] as const) {
      expect(replacementNote({ ...base, outcome })).toBe(REPLACEMENT_NOTE);
    }
    for (const outcome of ['ok', 'skipped', 'stopped'] as const) {
      expect(replacementNote({ ...base, outcome })).toBeNull();
    }
    expect(replacementNote({ ...base, outcome: 'error', cellId: '' })).toBe(
      null
    );
  });
});

describe('the chat’s steps after a runtime error', () => {
  function created(step: number): AgentEvent {
    return {
      type: 'step-created',
      step,
      toolCallId: `call_${step}`,
      code: 'x',
      status: 'checking'
    };
  }
  function finished(
    step: number,
    status: 'failed' | 'done' | 'skipped',
    attempts?: IFailedAttempt[]
  ): AgentEvent {
    return {
      type: 'step-finished',
      step,
      status,
      outcome:
        status === 'failed' ? 'error' : status === 'done' ? 'ok' : 'skipped',
      code: 'x',
      edited: false,
      summary: '',
      cellId: status === 'skipped' ? '' : 'cell-1',
      ...(attempts ? { attempts } : {})
    };
  }
  function steps(events: AgentEvent[], gaveUp = false) {
    let state = startTurn(EMPTY_CONVERSATION, 'price?');
    for (const event of events) {
      state = applyAgentEvent(state, event);
    }
    state = finishTurn(
      state,
      gaveUp
        ? { status: 'gave_up', reason: 'Stopped', finishReason: null }
        : { status: 'done', finishReason: 'stop' },
      untranslated
    );
    return state.messages.filter(m => m.step).map(m => m.step!);
  }

  it('shows the attempts on the repair and which step replaced the failed one', () => {
    const [first, second] = steps([
      created(1),
      finished(1, 'failed'),
      created(2),
      finished(2, 'done', [ATTEMPT])
    ]);
    expect(first).toMatchObject({ status: 'failed', replacedBy: 2 });
    expect(first.unrepaired).toBeUndefined();
    expect(second.attempts).toEqual([ATTEMPT]);
  });

  it('marks a failed step unrepaired when the turn ends without a repair in its cell', () => {
    const [first, second] = steps(
      [created(1), finished(1, 'failed'), created(2), finished(2, 'skipped')],
      true
    );
    expect(first).toMatchObject({ status: 'failed', unrepaired: true });
    expect(second.unrepaired).toBeUndefined();
    const [only] = steps([created(1), finished(1, 'failed')], true);
    expect(only.unrepaired).toBe(true);
  });
});
