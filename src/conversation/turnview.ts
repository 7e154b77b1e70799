/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { AgentEvent } from '../agent/events';
import type { IErrorDescription } from '../llm/errors';
import { truncationNote } from '../llm/stream';
import type {
  ChatStatus,
  IChatMessage,
  IAttachment,
  IChatStep,
  IQuotedCell,
  ITokenUsage,
  IWireMessage,
  TranslateFn
} from '../tokens';
import { addUsage, withError } from './messages';

/**
 * Where the turn under way stands in the conversation's messages.
 */
export interface ITurnCursor {
  /** The id of the turn's user message. */
  readonly userId: string;
  /** The assistant message text streams into, if any. */
  readonly assistantId: string | null;
  /** The model's reply (`segment` of `text` events) that message shows. */
  readonly segment: number;
  /** The message id of each step, by step number. */
  readonly steps: Readonly<Record<number, string>>;
}

/**
 * A conversation as the panel shows it.
 *
 * #### Notes
 * Plain data, replaced (never changed) by the functions of this module, so
 * that a view can compare two states by identity.
 */
export interface IConversationState {
  /** The conversation, oldest first. */
  readonly messages: ReadonlyArray<IChatMessage>;
  /** Whether a request is out, and whether tokens are arriving. */
  readonly status: ChatStatus;
  /** The last warning for the user, or `null`. */
  readonly warning: string | null;
  /** The tokens used so far. */
  readonly usage: Readonly<Required<ITokenUsage>>;
  /** The number of the last message id given out (`message-<counter>`). */
  readonly counter: number;
  /** The turn under way, or `null`. */
  readonly turn: ITurnCursor | null;
}

/**
 * How a turn ended, as far as the conversation keeps it.
 */
export interface ITurnEnding {
  /**
   * `done`: answered; `stopped`: the user pressed Stop; `gave_up`: a limit
   * ended it and `reason` says which.
   */
  status: 'done' | 'stopped' | 'gave_up';
  /** Why the turn gave up, in the user's language. */
  reason?: string;
  /** The finish reason of the last reply (`length`, `content_filter`…). */
  finishReason: string | null;
  /**
   * The turn as sent, kept on its user message so that later requests
   * resend it; absent: the history reads the messages' texts.
   */
  wire?: IWireMessage[];
}

/**
 * A conversation without messages.
 */
export const EMPTY_CONVERSATION: IConversationState = Object.freeze({
  messages: Object.freeze([]),
  status: 'idle',
  warning: null,
  usage: Object.freeze({
    prompt_tokens: 0,
    completion_tokens: 0,
    total_tokens: 0
  }),
  counter: 0,
  turn: null
});

/**
 * Start a turn: the user's message, the status `waiting`, no warning.
 *
 * @param state - the conversation before the turn.
 * @param display - the user's message as the chat shows it.
 * @param answering - whether an (empty, streaming) answer shows at once,
 *   for a reply without tools; a turn's answers appear with their text.
 * @param format - `markdown` when a command wrote `display`.
 * @param quotedCell - the cell whose outputs a command's prompt quotes.
 */
export function startTurn(
  state: IConversationState,
  display: string,
  answering = false,
  format?: 'markdown',
  quotedCell?: IQuotedCell,
  attachments?: IAttachment[]
): IConversationState {
  const user = appended(state, {
    role: 'user',
    content: display,
    ...(format ? { format } : {}),
    ...(quotedCell ? { quotedCell } : {}),
    ...(attachments?.length ? { attachments } : {})
  });
  const answer = answering
    ? appended(user.state, {
        role: 'assistant',
        content: '',
        status: 'streaming'
      })
    : null;
  const next = answer?.state ?? user.state;
  return {
    ...next,
    status: 'waiting',
    warning: null,
    turn: {
      userId: user.id,
      assistantId: answer?.id ?? null,
      segment: 0,
      steps: {}
    }
  };
}

/**
 * Fold one agent event into the conversation.
 *
 * #### Notes
 * Text of a new reply (`segment`) starts a new assistant message, closing
 * the one before; a step closes it too. Text and step events need a turn
 * under way and are ignored without one (the chat was cleared meanwhile).
 */
export function applyAgentEvent(
  state: IConversationState,
  event: AgentEvent
): IConversationState {
  const turn = state.turn;
  switch (event.type) {
    case 'usage':
      return { ...state, usage: addUsage(state.usage, event.usage) };
    case 'warning':
      return { ...state, warning: event.message };
  }
  if (!turn) {
    return state;
  }
  switch (event.type) {
    case 'text':
      return withStatus(Private.text(state, turn, event), 'streaming');
    case 'nudge':
      return withStatus(
        Private.setAside(state, turn, event.segment, event.reason),
        'waiting'
      );
    case 'step-created': {
      const closed = Private.closeAnswer(state, turn);
      const step: IChatStep = {
        number: event.step,
        toolCallId: event.toolCallId,
        code: event.code,
        status: event.status
      };
      const added = appended(closed, { role: 'step', content: '', step });
      return withStatus(
        {
          ...added.state,
          turn: {
            ...closed.turn,
            steps: { ...turn.steps, [event.step]: added.id }
          }
        },
        'running'
      );
    }
    case 'step-status':
      return Private.patchStep(state, turn, event.step, {
        status: event.status,
        ...(event.approvalReason
          ? { approvalReason: event.approvalReason }
          : {}),
        ...(event.attempts?.length ? { attempts: event.attempts } : {})
      });
    case 'step-finished': {
      const finished = Private.patchStep(state, turn, event.step, {
        status: event.status,
        code: event.code,
        edited: event.edited,
        summary: event.summary,
        ...(event.cellId ? { cellId: event.cellId } : {}),
        ...(event.attempts?.length ? { attempts: event.attempts } : {}),
        ...(event.files?.length ? { files: event.files } : {}),
        ...(event.repeatOf !== undefined ? { repeatOf: event.repeatOf } : {})
      });
      // The failed step whose cell this step took (the last attempt).
      const repaired = event.attempts?.at(-1)?.step;
      return withStatus(
        repaired === undefined
          ? finished
          : Private.patchStep(finished, turn, repaired, {
              replacedBy: event.step
            }),
        'waiting'
      );
    }
  }
}

/**
 * End the turn: steps still under way stop, the answer is marked (with a
 * note when cut short, or the reason a limit ended the turn), and the wire
 * transcript is kept on the user's message.
 *
 * @param ending - how the turn ended; `null` when stopped by an abort.
 * @param trans - translates the notes.
 */
export function finishTurn(
  state: IConversationState,
  ending: ITurnEnding | null,
  trans: TranslateFn
): IConversationState {
  const turn = state.turn;
  if (!turn) {
    return state;
  }
  const status = ending?.status ?? 'stopped';
  const id = turn.assistantId;
  const settled = Private.stopSteps(state, turn);
  // The answer that streamed keeps its text; without one, an answer shows
  // how the turn ended.
  const end = (
    patch: Partial<IChatMessage>,
    content = ''
  ): IConversationState =>
    id
      ? patched(settled, id, patch)
      : appended(settled, { role: 'assistant', content, ...patch }).state;
  let next: IConversationState;
  if (status === 'stopped') {
    next = end({ status: 'stopped' });
  } else if (ending?.reason && status === 'gave_up') {
    next = id
      ? patched(settled, id, { status: 'done', note: ending.reason })
      : end({ status: 'done' }, ending.reason);
  } else {
    const note =
      truncationNote(ending?.finishReason ?? null, trans) ?? undefined;
    next = end({ status: 'done', note });
  }
  if (ending?.wire) {
    next = patched(next, turn.userId, { wire: ending.wire });
  }
  return { ...next, turn: null };
}

/**
 * End the turn with a failed request: steps still under way stop, a partial
 * answer stays (marked as an error), an empty one goes, and an error message
 * says what happened.
 */
export function failTurn(
  state: IConversationState,
  description: IErrorDescription
): IConversationState {
  const turn = state.turn;
  if (!turn) {
    return state;
  }
  const settled = Private.stopSteps(state, turn);
  const counter = settled.counter + 1;
  const messages = withError(
    settled.messages,
    turn.assistantId,
    description,
    messageId(counter)
  );
  return messages === settled.messages
    ? { ...settled, turn: null }
    : { ...settled, messages, counter, turn: null };
}

/**
 * The state with another status (the same state when it has that status).
 */
export function withStatus(
  state: IConversationState,
  status: ChatStatus
): IConversationState {
  return state.status === status ? state : { ...state, status };
}

/**
 * The state with a message added at the end, and its id.
 */
export function appended(
  state: IConversationState,
  message: Omit<IChatMessage, 'id'>
): { state: IConversationState; id: string } {
  const counter = state.counter + 1;
  const id = messageId(counter);
  return {
    state: {
      ...state,
      counter,
      messages: [...state.messages, { id, ...message }]
    },
    id
  };
}

/**
 * The state with one message changed (the same state when `id` is gone).
 */
export function patched(
  state: IConversationState,
  id: string,
  patch: Partial<IChatMessage>
): IConversationState {
  const index = state.messages.findIndex(m => m.id === id);
  if (index < 0) {
    return state;
  }
  const messages = state.messages.slice();
  messages[index] = { ...messages[index], ...patch };
  return { ...state, messages };
}

/**
 * The id of the message numbered `counter`.
 */
function messageId(counter: number): string {
  return `message-${counter}`;
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * Step statuses of a step still under way.
   */
  const OPEN_STEP_STATUSES = new Set(['checking', 'proposed', 'running']);

  /**
   * Add a piece of text: to the open answer of the same reply, or as a new
   * answer.
   */
  export function text(
    state: IConversationState,
    turn: ITurnCursor,
    event: { segment: number; delta: string }
  ): IConversationState {
    if (turn.assistantId && turn.segment === event.segment) {
      const message = state.messages.find(m => m.id === turn.assistantId);
      return patched(state, turn.assistantId, {
        content: (message?.content ?? '') + event.delta
      });
    }
    const closed = closeAnswer(state, turn);
    const added = appended(closed, {
      role: 'assistant',
      content: event.delta,
      status: 'streaming'
    });
    return {
      ...added.state,
      turn: { ...turn, assistantId: added.id, segment: event.segment }
    };
  }

  /**
   * Mark the open answer done; text after it starts a new one.
   */
  export function closeAnswer(
    state: IConversationState,
    turn: ITurnCursor
  ): IConversationState & { turn: ITurnCursor } {
    if (!turn.assistantId) {
      return { ...state, turn };
    }
    return {
      ...patched(state, turn.assistantId, { status: 'done' }),
      turn: { ...turn, assistantId: null }
    };
  }

  /**
   * Fold the answer of reply `segment` as a draft: the loop asked the model
   * to run code first (`reason`), so it is not the turn's answer.
   */
  export function setAside(
    state: IConversationState,
    turn: ITurnCursor,
    segment: number,
    reason: NonNullable<IChatMessage['draft']>
  ): IConversationState {
    if (!turn.assistantId || turn.segment !== segment) {
      // Nothing of it showed; the note still must.
      return appended(state, {
        role: 'assistant',
        content: '',
        status: 'done',
        draft: reason
      }).state;
    }
    const closed = closeAnswer(state, turn);
    return patched(closed, turn.assistantId, { draft: reason });
  }

  /**
   * Change the step numbered `number`.
   */
  export function patchStep(
    state: IConversationState,
    turn: ITurnCursor,
    number: number,
    patch: Partial<IChatStep>
  ): IConversationState {
    const id = turn.steps[number];
    const step = id ? state.messages.find(m => m.id === id)?.step : undefined;
    return id && step
      ? patched(state, id, { step: { ...step, ...patch } })
      : state;
  }

  /**
   * Mark the turn's steps still under way as stopped, and its failed steps
   * that no later step took the place of as unrepaired.
   */
  export function stopSteps(
    state: IConversationState,
    turn: ITurnCursor
  ): IConversationState {
    let next = state;
    for (const number of Object.keys(turn.steps).map(Number)) {
      const step = next.messages.find(m => m.id === turn.steps[number])?.step;
      if (step && OPEN_STEP_STATUSES.has(step.status)) {
        next = patchStep(next, turn, number, { status: 'stopped' });
      } else if (
        step?.status === 'failed' &&
        step.cellId &&
        step.replacedBy === undefined
      ) {
        // The turn is over and no later step took this failed step's cell.
        next = patchStep(next, turn, number, { unrepaired: true });
      }
    }
    return next;
  }
}
