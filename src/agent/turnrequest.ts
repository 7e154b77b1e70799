/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { IChatRequest, IWireMessage } from '../llm/wire';
import type { IAgentSettings } from './settings';
import { toTextRequest } from './textprotocolmessages';
import { FINAL_REQUEST_NOTE, RUN_PYTHON_TOOL } from './toolresults';
import type { Turn } from './turn';

/**
 * The request a turn sends next, in its tool protocol.
 *
 * #### Notes
 * The messages are the same for both protocols (system prompt, history, the
 * turn's own messages, and at the step limit a note asking for the answer);
 * the text protocol converts them at send time, the native one offers the
 * tool (none to small talk; at the step limit, offered but not to be used).
 */
export function turnRequest(
  turn: Turn,
  settings: Pick<IAgentSettings, 'modelAlias' | 'temperature'>,
  finalRequest: boolean
): IChatRequest {
  const text = turn.protocol === 'text';
  const messages: IWireMessage[] = [
    { role: 'system', content: text ? turn.systemText : turn.system },
    ...turn.request.history,
    ...turn.messages,
    ...(finalRequest
      ? [{ role: 'user' as const, content: FINAL_REQUEST_NOTE }]
      : [])
  ];
  const chat: IChatRequest = {
    model: settings.modelAlias,
    temperature: settings.temperature,
    messages
  };
  if (text) {
    // The turn's outputs restate its prompt (after the system message and
    // the history, whose bytes stay as they were).
    return toTextRequest(chat, {
      prompt: turn.request.prompt,
      turnStart: 1 + turn.request.history.length
    });
  }
  if (!turn.smallTalk) {
    chat.tools = [RUN_PYTHON_TOOL];
    if (finalRequest) {
      chat.tool_choice = 'none';
    }
  }
  return chat;
}
