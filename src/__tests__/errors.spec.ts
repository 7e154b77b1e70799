/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError
} from 'openai';

import { describeError, isAbort, StreamEventError } from '../llm/errors';

function apiError(
  status: number,
  body: object | undefined,
  headers: Record<string, string> = {}
): APIError {
  return APIError.generate(status, body, undefined, new Headers(headers));
}

describe('describeError', () => {
  it('shows the gateway message of a 401 as is', () => {
    const message =
      "The gateway's key for the endpoint azure was rejected (HTTP 401). An administrator must check the environment variable AZURE_OPENAI_API_KEY on the server.";
    const error = apiError(401, {
      error: {
        message,
        type: 'authentication_error',
        code: 'upstream_auth_failed'
      }
    });
    expect(describeError(error)).toEqual({ kind: 'auth', message });
  });

  it('shows a key source refused in the settings with the field and the setting that allows it', () => {
    const message =
      "The model endpoint configuration is invalid: the setting endpoints[0] ('innocent').apiKeyFile is refused: the server's file /run/secrets/key is a server secret, and a setting cannot send the server's secrets to an endpoint it names. Store your own key (PUT code-interpreter/keys/<name>) and name it in apiKeyName, or ask an administrator to allow this with c.CodeInterpreter.allow_user_key_sources = True.";
    const error = apiError(503, {
      error: { message, type: 'server_error', code: 'endpoint_config_invalid' }
    });
    expect(describeError(error)).toEqual({ kind: 'not_configured', message });
  });

  it("says a setting's endpoint was sent without a key when it wanted one", () => {
    const message =
      "The endpoint 'local' (127.0.0.1, model m) refused the request (HTTP 401): it was sent without a key, because the endpoint names none (endpoints from your settings never get the server's keys). Store your key (PUT code-interpreter/keys/<name>) and set apiKeyName on this endpoint in the Code Interpreter settings.";
    const error = apiError(401, {
      error: {
        message,
        type: 'authentication_error',
        code: 'upstream_auth_failed'
      }
    });
    expect(describeError(error)).toEqual({ kind: 'auth', message });
  });

  it('adds what to do to a context-length error from the endpoint', () => {
    const message =
      "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.";
    const error = apiError(400, {
      error: {
        message,
        type: 'invalid_request_error',
        code: 'context_length_exceeded'
      }
    });
    const described = describeError(error);
    expect(described.kind).toBe('bad_request');
    expect(described.message).toContain(message);
    expect(described.message).toContain('Start a new chat');
    expect(described.message).toContain('History budget');
  });

  it('explains a 401 without a body', () => {
    const description = describeError(apiError(401, undefined));
    expect(description.kind).toBe('auth');
    expect(description.message).toMatch(/credentials/);
  });

  it('shows the gateway message of a 429, or the Retry-After wait', () => {
    expect(
      describeError(
        apiError(429, { error: { message: 'Slow down: retry in 3 s.' } })
      )
    ).toEqual({ kind: 'rate_limit', message: 'Slow down: retry in 3 s.' });
    expect(
      describeError(apiError(429, undefined, { 'retry-after': '2.5' })).message
    ).toBe('The model endpoint is busy. Wait 3 seconds and try again.');
  });

  it('classifies a missing endpoint (503) and keeps its guidance', () => {
    const message =
      'No model endpoint is configured for the Code Interpreter gateway. Set it up in one of three ways: …';
    const description = describeError(
      apiError(503, {
        error: {
          message,
          type: 'server_error',
          code: 'no_endpoint_configured'
        }
      })
    );
    expect(description).toEqual({ kind: 'not_configured', message });
  });

  it('explains a 503 without a body', () => {
    const description = describeError(apiError(503, undefined));
    expect(description.kind).toBe('unavailable');
    expect(description.message).toMatch(/HTTP 503/);
  });

  it('explains a 404 without a gateway body as a missing extension', () => {
    const description = describeError(apiError(404, undefined));
    expect(description.kind).toBe('not_found');
    expect(description.message).toMatch(/server extension/);
  });

  it('explains connection errors and timeouts', () => {
    const connection = describeError(
      new APIConnectionError({ message: undefined })
    );
    expect(connection.kind).toBe('connection');
    expect(connection.message).toMatch(/Could not reach the Jupyter server/);
    expect(describeError(new APIConnectionTimeoutError()).kind).toBe('timeout');
  });

  it('recognises aborts from the SDK and from fetch', () => {
    expect(describeError(new APIUserAbortError()).kind).toBe('aborted');
    const domAbort = new Error('The operation was aborted.');
    domAbort.name = 'AbortError';
    expect(isAbort(domAbort)).toBe(true);
    expect(isAbort(new Error('boom'))).toBe(false);
  });

  it('shows error events received inside a stream', () => {
    const message =
      'The model endpoint x stopped in the middle of its answer (reset).';
    // The openai SDK throws such events as an APIError without a status.
    const fromSdk = new APIError(
      undefined,
      { message, type: 'server_error', code: 'upstream_stream_interrupted' },
      undefined,
      new Headers()
    );
    expect(describeError(fromSdk)).toEqual({ kind: 'server', message });
    expect(
      describeError(new StreamEventError({ message, type: 'server_error' }))
    ).toEqual({ kind: 'server', message });
  });

  it('describes anything else with its message', () => {
    expect(describeError(new Error('boom'))).toEqual({
      kind: 'unknown',
      message: 'The request failed: boom'
    });
  });

  it('translates the default texts', () => {
    const trans = (msgid: string) => `«${msgid}»`;
    expect(describeError(apiError(401, undefined), trans).message).toMatch(
      /^«.*»$/
    );
  });
});
