/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

/// <reference types="node" />
import { readFileSync } from 'fs';
import { join } from 'path';

import { APIError } from 'openai';

import { CODE_MESSAGES, describeError } from '../llm/errors';
import { GATEWAY_ERROR_CODES } from '../llm/gatewayCodes';

/**
 * The codes of `CODES` in the gateway's errors.py, in their order.
 */
function serverCodes(): string[] {
  const source = readFileSync(
    join(
      __dirname,
      '..',
      '..',
      'jupyterlab_code_interpreter',
      'gateway',
      'errors.py'
    ),
    'utf8'
  );
  const table = /^CODES = \{\n([\s\S]*?)^\}/m.exec(source);
  expect(table).not.toBeNull();
  return [...table![1].matchAll(/^ {4}"(\w+)":/gm)].map(match => match[1]);
}

describe('the gateway error codes', () => {
  it('are the server list (run scripts/error_codes.py)', () => {
    expect(serverCodes().length).toBeGreaterThan(10);
    expect([...GATEWAY_ERROR_CODES]).toEqual(serverCodes());
  });

  it('each have a translated user message, and nothing else has', () => {
    expect(Object.keys(CODE_MESSAGES).sort()).toEqual(
      [...GATEWAY_ERROR_CODES].sort()
    );
    const marked = (text: string) => `«${text}»`;
    for (const code of GATEWAY_ERROR_CODES) {
      const message = CODE_MESSAGES[code](marked);
      expect(message).toMatch(/^«.{20,}»$/);
    }
  });

  it.each([...GATEWAY_ERROR_CODES])(
    '%s without a message in its body is described by its own text',
    code => {
      const body = { error: { type: 'server_error', code } };
      const error = APIError.generate(500, body, undefined, new Headers());
      expect(describeError(error).message).toBe(
        CODE_MESSAGES[code]((text: string) => text)
      );
    }
  );

  it('keep the wait a rate limit asks for', () => {
    const headers = new Headers({ 'retry-after': '7' });
    expect(
      CODE_MESSAGES.rate_limit_exceeded((text: string) => text, headers)
    ).toMatch(/%1 seconds/);
    const error = APIError.generate(
      429,
      { error: { type: 'requests', code: 'rate_limit_exceeded' } },
      undefined,
      headers
    );
    expect(describeError(error).message).toBe(
      'The model endpoint is busy. Wait 7 seconds and try again.'
    );
  });

  it('are still described by the message the gateway wrote', () => {
    const message = 'The model endpoint x could not be reached (refused).';
    const body = { error: { message, code: 'upstream_unreachable' } };
    const error = APIError.generate(502, body, undefined, new Headers());
    expect(describeError(error)).toEqual({ kind: 'unavailable', message });
  });
});
