/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import {
  applyChunk,
  applyToolCallDeltas,
  EMPTY_STREAM,
  truncationNote
} from '../llm/stream';
import type { IStreamChunk } from '../tokens';

function fold(chunks: IStreamChunk[]) {
  return chunks.reduce(applyChunk, EMPTY_STREAM);
}

describe('applyChunk', () => {
  it('concatenates content deltas of the first choice', () => {
    const state = fold([
      { choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] },
      { choices: [{ index: 0, delta: { content: 'Hel' } }] },
      { choices: [{ index: 0, delta: { content: 'lo 你好' } }] }
    ]);
    expect(state.content).toBe('Hello 你好');
    expect(state.finishReason).toBeNull();
  });

  it('records the finish reason and the usage chunk with empty choices', () => {
    const state = fold([
      { choices: [{ delta: { content: 'Hi' } }] },
      { choices: [{ delta: {}, finish_reason: 'stop' }] },
      {
        choices: [],
        usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 }
      }
    ]);
    expect(state.content).toBe('Hi');
    expect(state.finishReason).toBe('stop');
    expect(state.usage).toEqual({
      prompt_tokens: 5,
      completion_tokens: 1,
      total_tokens: 6
    });
  });

  it('ignores null deltas and null content', () => {
    const state = fold([
      { choices: [{ delta: null }] },
      { choices: [{ delta: { content: null } }] },
      { choices: [{ delta: { content: 'x' } }] }
    ]);
    expect(state.content).toBe('x');
  });

  it('returns the same state when a chunk changes nothing', () => {
    const state = fold([{ choices: [{ delta: { content: 'a' } }] }]);
    expect(applyChunk(state, { choices: [{ delta: {} }] })).toBe(state);
  });

  it('records an error event inside the stream and keeps the text', () => {
    const state = fold([
      { choices: [{ delta: { content: 'partial' } }] },
      {
        error: {
          message: 'The model endpoint stopped in the middle of its answer.',
          type: 'server_error',
          code: 'upstream_stream_interrupted'
        }
      }
    ]);
    expect(state.content).toBe('partial');
    expect(state.error?.code).toBe('upstream_stream_interrupted');
  });
});

describe('truncationNote', () => {
  it('explains length and content filter stops only', () => {
    expect(truncationNote('length')).toMatch(/maximum length/);
    expect(truncationNote('content_filter')).toMatch(/content filter/);
    expect(truncationNote('stop')).toBeNull();
    expect(truncationNote(null)).toBeNull();
  });
});

describe('applyToolCallDeltas', () => {
  it('accumulates calls by index across chunks', () => {
    let calls = applyToolCallDeltas(
      [],
      [
        {
          index: 0,
          id: 'a',
          type: 'function',
          function: { name: 'run_python', arguments: '' }
        }
      ]
    );
    calls = applyToolCallDeltas(calls, [
      { index: 0, function: { arguments: '{"co' } },
      { index: 1, id: 'b', function: { name: 'run_python', arguments: '{' } }
    ]);
    calls = applyToolCallDeltas(calls, [
      { index: 0, function: { arguments: 'de": "1"}' } },
      { index: 1, function: { arguments: '}' } }
    ]);
    expect(calls).toEqual([
      {
        id: 'a',
        type: 'function',
        function: { name: 'run_python', arguments: '{"code": "1"}' }
      },
      {
        id: 'b',
        type: 'function',
        function: { name: 'run_python', arguments: '{}' }
      }
    ]);
  });

  it('ignores a repeated id and name', () => {
    const first = applyToolCallDeltas(
      [],
      [{ index: 0, id: 'a', function: { name: 'run_python' } }]
    );
    const again = applyToolCallDeltas(first, [
      { index: 0, id: 'a', function: { name: 'run_python', arguments: '{}' } }
    ]);
    expect(again[0].id).toBe('a');
    expect(again[0].function).toEqual({ name: 'run_python', arguments: '{}' });
  });

  it('is folded in by applyChunk', () => {
    const state = applyChunk(EMPTY_STREAM, {
      choices: [
        {
          delta: {
            tool_calls: [{ index: 0, id: 'x', function: { name: 'f' } }]
          }
        }
      ]
    });
    expect(state.toolCalls).toHaveLength(1);
    expect(EMPTY_STREAM.toolCalls).toEqual([]);
  });
});
