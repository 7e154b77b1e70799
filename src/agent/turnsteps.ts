/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { IStreamState } from '../llm/stream';
import type { IWireToolCall } from '../llm/wire';
import { markTiming, TimingMarks } from '../marks';
import {
  IUncomputedCheck,
  namedData,
  nudgeMessage,
  nudgeReason,
  NudgeReason,
  ungroundedNumbers
} from './nudge';
import { parseTextReply } from './textprotocol';
import { textCall } from './textprotocolmessages';
import type { Turn } from './turn';

/**
 * Whether an answer about to end the turn states numbers no step computed,
 * answers about unread data, or, after steps, states numbers none of their
 * outputs holds (agent/nudge.ts); if so, the model is asked, once, to run
 * code first (or to answer from the outputs), and the turn goes on.
 *
 * #### Notes
 * The answer is set aside: the chat keeps it as a draft, the model's next
 * request leaves it out (small models shown their answer repeat it), so
 * the request is the turn's messages so far plus the nudge, with the same
 * prefix for the prompt cache.
 *
 * @param turn - the turn; the nudge is appended to its messages.
 * @param answer - the reply about to be the answer.
 * @param finalRequest - whether the step limit is reached.
 * @param enabled - the `checkUncomputedNumbers` setting.
 * @returns why the answer was set aside, or `null` when it stands.
 */
export function nudgeTurn(
  turn: Turn,
  answer: string,
  finalRequest: boolean,
  enabled: boolean
): NudgeReason | null {
  const check: IUncomputedCheck = {
    enabled,
    prompt: turn.request.prompt,
    answer,
    history: turn.request.history,
    state: turn.state,
    smallTalk: turn.smallTalk,
    calls: turn.madeCalls,
    turnMessages: turn.messages,
    protocol: turn.protocol,
    nudged: turn.nudged,
    finalRequest
  };
  const reason = nudgeReason(check);
  if (reason) {
    turn.nudged = true;
    turn.messages.push({
      role: 'user',
      content: nudgeMessage(
        turn.protocol,
        namedData(turn.request.prompt, turn.state),
        reason,
        reason === 'ungrounded' ? ungroundedNumbers(check) : []
      )
    });
  }
  return reason;
}

/**
 * Whether a reply's python block (or a `run_python` call written as text,
 * agent/textcalls.ts) is a step: with the text protocol, and with `auto`
 * until the model made a native call (a model that makes them shows code
 * in an answer to show it, not to run it). Never for small talk or the
 * answer at the step limit.
 *
 * #### Notes
 * Never with `native`, even for a call written as text: the user chose it
 * for an endpoint that makes real calls, so text is an answer there, and
 * it streams to the chat unfiltered (no held lines); `auto`, the default,
 * is the setting for a model that writes its calls as text.
 *
 * @param turn - the turn.
 * @param finalRequest - whether the step limit is reached.
 */
export function readsBlocks(turn: Turn, finalRequest: boolean): boolean {
  if (turn.smallTalk || finalRequest) {
    return false;
  }
  return (
    turn.protocol === 'text' || (turn.protocol === 'auto' && !turn.nativeCalls)
  );
}

/**
 * The step a reply without native calls writes as a python block (or as a
 * call in text): its call, and the prose before it as the reply's text.
 * `null` when the reply has native calls or no step; with `auto`, a step
 * switches the rest of the turn to the text protocol.
 *
 * @param turn - the turn; its protocol becomes `text` on a block.
 * @param reply - the streamed reply.
 * @param turnId - the turn's id, for the call's id.
 */
export function textStep(
  turn: Turn,
  reply: IStreamState,
  turnId: string
): { calls: IWireToolCall[]; content: string } | null {
  if (reply.toolCalls.length) {
    return null;
  }
  const step = parseTextReply(reply.content);
  if (!step) {
    return null;
  }
  markTiming(TimingMarks.toolCallComplete);
  turn.protocol = 'text';
  return {
    calls: [textCall(`call_${turnId}_${turn.steps + 1}`, step.code)],
    content: step.prose
  };
}
