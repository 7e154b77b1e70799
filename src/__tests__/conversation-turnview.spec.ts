/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { AgentEvent } from '../agent/events';
import {
  applyAgentEvent,
  EMPTY_CONVERSATION,
  failTurn,
  finishTurn,
  IConversationState,
  startTurn
} from '../conversation/turnview';
import { untranslated } from '../translate';

/**
 * The state after starting a turn and folding `events` into it.
 */
function fold(
  events: AgentEvent[],
  answering = false,
  from: IConversationState = EMPTY_CONVERSATION
): IConversationState {
  return events.reduce(
    applyAgentEvent,
    startTurn(from, 'how many rows?', answering)
  );
}

/**
 * The messages as [role, content, status or step status].
 */
function shown(state: IConversationState) {
  return state.messages.map(m => [
    m.role,
    m.content,
    m.status ?? m.step?.status
  ]);
}

const STEP: AgentEvent = {
  type: 'step-created',
  step: 1,
  toolCallId: 'call_1',
  code: 'print(4)',
  status: 'checking'
};

describe('startTurn', () => {
  it('adds the user message, waits, and clears the warning', () => {
    const state = startTurn({ ...EMPTY_CONVERSATION, warning: 'old' }, 'hello');
    expect(shown(state)).toEqual([['user', 'hello', undefined]]);
    expect(state.status).toBe('waiting');
    expect(state.warning).toBeNull();
    expect(state.turn).toEqual({
      userId: 'message-1',
      assistantId: null,
      segment: 0,
      steps: {}
    });
  });

  it('shows an empty streaming answer at once for a reply without tools', () => {
    const state = startTurn(EMPTY_CONVERSATION, 'hello', true);
    expect(shown(state)).toEqual([
      ['user', 'hello', undefined],
      ['assistant', '', 'streaming']
    ]);
    expect(state.turn?.assistantId).toBe('message-2');
  });
});

describe('applyAgentEvent', () => {
  it('streams text into one answer per reply, closing it at a step', () => {
    const state = fold([
      { type: 'text', segment: 0, delta: 'Let me ' },
      { type: 'text', segment: 0, delta: 'look.' },
      STEP,
      { type: 'step-status', step: 1, status: 'running' },
      {
        type: 'step-finished',
        step: 1,
        status: 'done',
        outcome: 'ok',
        code: 'print(4)',
        edited: false,
        cellId: 'cell-1',
        summary: 'Ran without error. Outputs:\n4'
      },
      { type: 'text', segment: 1, delta: 'There are 4.' }
    ]);
    expect(shown(state)).toEqual([
      ['user', 'how many rows?', undefined],
      ['assistant', 'Let me look.', 'done'],
      ['step', '', 'done'],
      ['assistant', 'There are 4.', 'streaming']
    ]);
    expect(state.messages[2].step).toEqual({
      number: 1,
      toolCallId: 'call_1',
      code: 'print(4)',
      status: 'done',
      edited: false,
      cellId: 'cell-1',
      summary: 'Ran without error. Outputs:\n4'
    });
    expect(state.status).toBe('streaming');
  });

  it('says what works: streaming text, running a step, waiting after it', () => {
    const texting = fold([{ type: 'text', segment: 0, delta: 'a' }]);
    expect(texting.status).toBe('streaming');
    const running = applyAgentEvent(texting, STEP);
    expect(running.status).toBe('running');
    const waiting = applyAgentEvent(running, {
      type: 'step-finished',
      step: 1,
      status: 'failed',
      outcome: 'error',
      code: 'print(4)',
      edited: false,
      summary: 'Error'
    });
    expect(waiting.status).toBe('waiting');
  });

  it('keeps the approval reason of a step that waits for the user', () => {
    const state = fold([
      STEP,
      {
        type: 'step-status',
        step: 1,
        status: 'proposed',
        approvalReason: 'installs a package'
      }
    ]);
    expect(state.messages[1].step).toMatchObject({
      status: 'proposed',
      approvalReason: 'installs a package'
    });
  });

  it('adds up usage and shows warnings', () => {
    const state = fold([
      { type: 'usage', usage: { prompt_tokens: 10, completion_tokens: 5 } },
      { type: 'usage', usage: { prompt_tokens: 1, total_tokens: 4 } },
      { type: 'warning', message: 'bad override' }
    ]);
    expect(state.usage).toEqual({
      prompt_tokens: 11,
      completion_tokens: 5,
      total_tokens: 19
    });
    expect(state.warning).toBe('bad override');
  });

  it('ignores text and steps without a turn under way, and changes nothing it was given', () => {
    const idle = { ...EMPTY_CONVERSATION };
    expect(
      applyAgentEvent(idle, { type: 'text', segment: 0, delta: 'late' })
    ).toBe(idle);
    expect(applyAgentEvent(idle, STEP)).toBe(idle);
    const before = fold([{ type: 'text', segment: 0, delta: 'a' }]);
    const copy = JSON.parse(JSON.stringify(before));
    applyAgentEvent(before, { type: 'text', segment: 0, delta: 'b' });
    expect(before).toEqual(copy);
  });
});

describe('finishTurn', () => {
  it('marks the answer done with a note when cut short, and keeps the wire', () => {
    const wire = [{ role: 'user' as const, content: 'how many rows?' }];
    const state = finishTurn(
      fold([{ type: 'text', segment: 0, delta: 'Long' }]),
      { status: 'done', finishReason: 'length', wire },
      untranslated
    );
    expect(state.messages[1]).toMatchObject({
      status: 'done',
      note: 'The answer was cut off because it reached the maximum length.'
    });
    expect(state.messages[0].wire).toEqual(wire);
    expect(state.turn).toBeNull();
  });

  it('stops steps under way and adds a stopped answer when none streamed', () => {
    const state = finishTurn(fold([STEP]), null, untranslated);
    expect(shown(state)).toEqual([
      ['user', 'how many rows?', undefined],
      ['step', '', 'stopped'],
      ['assistant', '', 'stopped']
    ]);
  });

  it('says why a limit ended the turn: as the answer, or as its note', () => {
    const reason = 'Stopped after 1 failed attempts: ZeroDivisionError';
    const ending = { status: 'gave_up' as const, finishReason: null, reason };
    const alone = finishTurn(fold([]), ending, untranslated);
    expect(alone.messages[1]).toMatchObject({
      role: 'assistant',
      content: reason,
      status: 'done'
    });
    const answered = finishTurn(
      fold([{ type: 'text', segment: 0, delta: 'Here is what I found.' }]),
      ending,
      untranslated
    );
    expect(answered.messages[1]).toMatchObject({
      content: 'Here is what I found.',
      status: 'done',
      note: reason
    });
  });

  it('ends the answer shown at once of a stopped reply', () => {
    const state = finishTurn(
      fold([{ type: 'text', segment: 0, delta: 'Partial' }], true),
      { status: 'stopped', finishReason: null },
      untranslated
    );
    expect(shown(state)).toEqual([
      ['user', 'how many rows?', undefined],
      ['assistant', 'Partial', 'stopped']
    ]);
  });
});

describe('failTurn', () => {
  const failure = { kind: 'connection' as const, message: 'No connection.' };

  it('keeps a partial answer as an error and adds the error message', () => {
    const state = failTurn(
      fold([{ type: 'text', segment: 0, delta: 'Half' }, STEP]),
      failure
    );
    expect(shown(state)).toEqual([
      ['user', 'how many rows?', undefined],
      ['assistant', 'Half', 'done'],
      ['step', '', 'stopped'],
      ['error', 'No connection.', undefined]
    ]);
    expect(state.messages[3].errorKind).toBe('connection');
    expect(state.turn).toBeNull();
  });

  it('drops the empty answer of a reply that failed before any text', () => {
    const state = failTurn(fold([], true), failure);
    expect(shown(state)).toEqual([
      ['user', 'how many rows?', undefined],
      ['error', 'No connection.', undefined]
    ]);
    const ids = state.messages.map(m => m.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
