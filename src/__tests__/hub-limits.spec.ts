/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { APIError } from 'openai';

import { describeError } from '../llm/errors';

/**
 * The hub service's refusals (docs/hub-service.md, "Quotas") as the panel
 * describes them: the limit and its reset time, in the service's words.
 */
describe('the hub service limits', () => {
  it('show which quota is used up and when it resets', () => {
    const message =
      'Your quota of 1000 tokens per day is used up; it resets at 2026-11-30 00:00:00 UTC.';
    const body = {
      error: {
        message,
        type: 'insufficient_quota',
        code: 'user_quota_exceeded',
        limit: 'tokens_per_day',
        resets_at: '2026-11-30T00:00:00Z'
      }
    };
    const error = APIError.generate(403, body, undefined, new Headers());
    expect(describeError(error)).toEqual({ kind: 'forbidden', message });
  });

  it('show a rate limit with its wait as a rate limit', () => {
    const message =
      'You reached your limit of 20 requests per minute; try again in 30 s (it resets at 2026-11-29 14:01:00 UTC).';
    const body = {
      error: {
        message,
        type: 'requests',
        code: 'user_rate_limited',
        limit: 'requests_per_minute'
      }
    };
    const headers = new Headers({ 'retry-after': '30' });
    const error = APIError.generate(429, body, undefined, headers);
    expect(describeError(error)).toEqual({ kind: 'rate_limit', message });
  });

  it('say the service cannot count usage while its state store is down', () => {
    const message =
      'The Code Interpreter hub service cannot reach the store where it counts usage (Redis at 10.0.0.5:6379/0). It refuses requests until the store is back, because it could not count their usage. Try again in a minute; if it persists, ask an administrator to check Redis at 10.0.0.5:6379/0.';
    const code = 'hub_state_unavailable';
    const headers = new Headers({ 'retry-after': '3' });
    const body = { error: { message, type: 'server_error', code } };
    const error = APIError.generate(503, body, undefined, headers);
    expect(describeError(error)).toEqual({ kind: 'unavailable', message });
    // A proxy in between dropped the message: the panel says it in its own words.
    const bare = { error: { type: 'server_error', code } };
    const described = describeError(
      APIError.generate(503, bare, undefined, headers)
    );
    expect(described.kind).toBe('unavailable');
    expect(described.message).toMatch(
      /cannot reach the store where it counts usage.*refuses requests until the store is back.*administrator/
    );
  });
});
