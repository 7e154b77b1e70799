/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { TranslateFn } from '../translate';
import type { GatewayErrorCode } from './gatewayCodes';

/**
 * What the user reads for each of the gateway's error codes when the error
 * body carries no message of its own.
 *
 * #### Notes
 * The gateway writes a message into every error body, and that message is
 * shown; these stand in when a body lost it on the way (a proxy in between).
 * One per code of the gateway's list (gatewayCodes.ts): the type and a test
 * hold the two together.
 */
export const CODE_MESSAGES: {
  readonly [code in GatewayErrorCode]: (
    trans: TranslateFn,
    headers?: Headers
  ) => string;
} = {
  no_endpoint_configured: trans => notConfigured(trans),
  endpoint_config_invalid: trans =>
    trans(
      'The model endpoint configuration is invalid. Check the Model endpoint in the Code Interpreter settings, or ask your administrator to check the server configuration.'
    ),
  api_key_missing: trans =>
    trans(
      'The model endpoint needs a key the server does not have. Ask your administrator to set it up, or store your own key and name it in the Code Interpreter settings.'
    ),
  model_not_found: trans =>
    trans(
      'The gateway serves no model of that name. Check the model alias in the Code Interpreter settings.'
    ),
  invalid_json: trans =>
    trans('The gateway could not read the request. Try again.'),
  request_too_large: trans =>
    trans(
      'The request is larger than the gateway accepts. Start a new chat or attach less data.'
    ),
  upstream_auth_failed: trans => credentialsRejected(trans),
  upstream_unreachable: trans =>
    trans(
      'The model endpoint could not be reached. Check that it is running and that the Jupyter server can reach it.'
    ),
  upstream_timeout: trans =>
    trans(
      'The model endpoint did not answer in time. Try again; if it keeps happening, it is overloaded.'
    ),
  upstream_stream_interrupted: trans =>
    trans(
      'The model endpoint stopped in the middle of its answer. Send the message again.'
    ),
  upstream_malformed_response: trans =>
    trans(
      'The model endpoint sent an answer that is not valid JSON. Try again.'
    ),
  rate_limit_exceeded: (trans, headers) => busy(headers, trans),
  invalid_key_request: trans =>
    trans(
      'The key could not be stored. A key is one line of at most 8192 characters.'
    ),
  invalid_name: trans =>
    trans(
      'That name is not valid: use letters, digits, ".", "_" or "-", up to 64 characters.'
    ),
  user_rate_limited: (trans, headers) => busy(headers, trans),
  user_quota_exceeded: trans =>
    trans(
      'The hub service refused the request: your token quota is used up. Wait until it resets, or ask your administrator.'
    ),
  hub_auth_failed: trans => credentialsRejected(trans),
  hub_state_unavailable: trans =>
    trans(
      'The hub service cannot reach the store where it counts usage, so it refuses requests until the store is back. Try again in a minute; if it persists, ask your administrator to check the hub service state store (Redis or SQLite).'
    )
};

/**
 * No endpoint to call.
 */
export function notConfigured(trans: TranslateFn): string {
  return trans(
    'No model endpoint is configured. Set AZURE_OPENAI_ENDPOINT or OPENAI_BASE_URL on the server, or the Model endpoint in the Code Interpreter settings.'
  );
}

/**
 * The endpoint refused the key.
 */
export function credentialsRejected(trans: TranslateFn): string {
  return trans(
    'The model endpoint rejected the credentials. Ask your administrator to check the key configured on the server.'
  );
}

/**
 * Rate-limited, with the wait the `Retry-After` header asks for.
 */
export function busy(headers: Headers | undefined, trans: TranslateFn): string {
  const seconds = retryAfterSeconds(headers);
  return seconds === null
    ? trans('The model endpoint is busy. Wait a moment and try again.')
    : trans(
        'The model endpoint is busy. Wait %1 seconds and try again.',
        seconds
      );
}

/**
 * The whole seconds of a `Retry-After` header, or `null`.
 */
export function retryAfterSeconds(headers: Headers | undefined): number | null {
  const value = headers?.get('retry-after');
  if (!value) {
    return null;
  }
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds) : null;
}
