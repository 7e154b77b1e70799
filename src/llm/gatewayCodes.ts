/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

// Generated from CODES in jupyterlab_code_interpreter/gateway/errors.py by
// scripts/error_codes.py: edit the Python table.

/**
 * Every `code` an error body of the gateway carries.
 */
export const GATEWAY_ERROR_CODES = [
  // No endpoint is configured (or only the user's, turned off).
  'no_endpoint_configured',
  // The endpoint configuration is invalid.
  'endpoint_config_invalid',
  // The endpoint's key source is empty or unreadable.
  'api_key_missing',
  // No endpoint serves the model alias asked for.
  'model_not_found',
  // The request body is not a JSON object.
  'invalid_json',
  // The request body is larger than the gateway accepts.
  'request_too_large',
  // The endpoint refused the request's key, or its lack of one.
  'upstream_auth_failed',
  // The endpoint could not be reached.
  'upstream_unreachable',
  // The endpoint did not answer in time.
  'upstream_timeout',
  // The endpoint stopped in the middle of its answer.
  'upstream_stream_interrupted',
  // The endpoint's answer is not valid JSON.
  'upstream_malformed_response',
  // Every deployment serving the alias is rate-limited or unavailable.
  'rate_limit_exceeded',
  // A key could not be stored.
  'invalid_key_request',
  // A name in the URL is not valid.
  'invalid_name',
  // The hub service refused: the user's rate limit (per minute, streams).
  'user_rate_limited',
  // The hub service refused: the user's daily or monthly token quota.
  'user_quota_exceeded',
  // The hub service got no valid JupyterHub token with its access scope.
  'hub_auth_failed',
  // The hub service cannot reach the store where it counts usage.
  'hub_state_unavailable'
] as const;

/**
 * A `code` of the gateway's error bodies.
 */
export type GatewayErrorCode = (typeof GATEWAY_ERROR_CODES)[number];
