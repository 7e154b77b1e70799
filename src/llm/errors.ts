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

import type { TranslateFn } from '../translate';
import type { IWireError } from './wire';
import { failureMessage, untranslated } from '../translate';
import { GATEWAY_ERROR_CODES, type GatewayErrorCode } from './gatewayCodes';
import {
  busy,
  CODE_MESSAGES,
  credentialsRejected,
  notConfigured
} from './codemessages';

export { CODE_MESSAGES } from './codemessages';

/**
 * An error event (`{"error": {...}}`) received inside a stream.
 */
export class StreamEventError extends Error {
  /**
   * Create an error from the event's error body.
   */
  constructor(readonly body: IWireError) {
    super(body.message ?? 'The stream reported an error.');
    this.name = 'StreamEventError';
  }
}

/**
 * What kind of failure an error is, for styling and follow-up actions.
 */
export type ErrorKind =
  | 'aborted'
  | 'connection'
  | 'timeout'
  | 'not_configured'
  | 'auth'
  | 'forbidden'
  | 'not_found'
  | 'rate_limit'
  | 'unavailable'
  | 'bad_request'
  | 'server'
  | 'unknown';

/**
 * An error, described for the user.
 */
export interface IErrorDescription {
  /**
   * The kind of failure.
   */
  kind: ErrorKind;

  /**
   * Text the user can act on.
   */
  message: string;
}

/**
 * Describe a failed chat request in words the user can act on.
 *
 * #### Notes
 * The gateway writes each error message to say what to do, so its message is
 * shown as is whenever there is one; the defaults below only cover errors
 * that never reached the gateway (no server, no extension, dropped
 * connection) or carried no body.
 *
 * @param error - whatever the openai SDK or the stream threw.
 * @param trans - translates the default texts.
 */
export function describeError(
  error: unknown,
  trans: TranslateFn = untranslated
): IErrorDescription {
  if (isAbort(error)) {
    return { kind: 'aborted', message: trans('Stopped.') };
  }
  if (error instanceof APIConnectionTimeoutError) {
    return {
      kind: 'timeout',
      message: trans(
        'The Jupyter server did not answer in time. Try again; if it keeps happening, the model endpoint is overloaded.'
      )
    };
  }
  if (error instanceof APIConnectionError) {
    return {
      kind: 'connection',
      message: trans(
        'Could not reach the Jupyter server. Check that it is still running and that you are still logged in, then try again.'
      )
    };
  }
  if (error instanceof StreamEventError) {
    return Private.fromBody(undefined, error.body, undefined, trans);
  }
  if (error instanceof APIError) {
    return Private.fromBody(
      error.status,
      (error.error ?? undefined) as IWireError | undefined,
      error.headers,
      trans
    );
  }
  return {
    kind: 'unknown',
    message: trans('The request failed: %1', failureMessage(error, trans))
  };
}

/**
 * Whether an error means the user stopped the request.
 */
export function isAbort(error: unknown): boolean {
  return (
    error instanceof APIUserAbortError ||
    (error instanceof Error && error.name === 'AbortError')
  );
}

/**
 * Private helpers.
 */
namespace Private {
  /**
   * Gateway error codes that mean the endpoint is not (correctly) configured.
   */
  export const configurationCodes: ReadonlySet<string> =
    new Set<GatewayErrorCode>([
      'no_endpoint_configured',
      'endpoint_config_invalid',
      'api_key_missing'
    ]);

  /**
   * The message of a gateway code, or `null` for any other code.
   */
  export function codeMessage(
    code: string | number | undefined,
    headers: Headers | undefined,
    trans: TranslateFn
  ): string | null {
    const known = (GATEWAY_ERROR_CODES as readonly unknown[]).includes(code);
    return known
      ? CODE_MESSAGES[code as GatewayErrorCode](trans, headers)
      : null;
  }

  /**
   * Describe an OpenAI-shaped error body, preferring the server's message.
   */
  export function fromBody(
    status: number | undefined,
    body: IWireError | undefined,
    headers: Headers | undefined,
    trans: TranslateFn
  ): IErrorDescription {
    const serverMessage =
      typeof body?.message === 'string' && body.message.trim()
        ? body.message.trim()
        : null;
    const code = body?.code === null ? undefined : body?.code;
    const kind = classify(status, code, body?.type ?? undefined);
    const message =
      serverMessage ??
      codeMessage(code, headers, trans) ??
      defaultMessage(kind, status, headers, trans);
    if (code === 'context_length_exceeded') {
      // The endpoint says the request is too long, not what the user can do.
      return {
        kind,
        message: `${message} ${trans(
          'Start a new chat (the notebook keeps your work), or lower "History budget" in the Code Interpreter settings.'
        )}`
      };
    }
    return { kind, message };
  }

  /**
   * The kind of an error, from its HTTP status and the gateway's code/type.
   */
  export function classify(
    status: number | undefined,
    code: string | number | undefined,
    type: string | undefined
  ): ErrorKind {
    if (typeof code === 'string' && Private.configurationCodes.has(code)) {
      return 'not_configured';
    }
    if (status === 401 || type === 'authentication_error') {
      return 'auth';
    }
    if (status === 403 || type === 'permission_error') {
      return 'forbidden';
    }
    if (status === 404) {
      return 'not_found';
    }
    if (
      status === 429 ||
      code === 'rate_limit_exceeded' ||
      type === 'rate_limit_error'
    ) {
      return 'rate_limit';
    }
    if (status === 502 || status === 503 || status === 504) {
      return 'unavailable';
    }
    if (status === 400 || status === 422 || type === 'invalid_request_error') {
      return 'bad_request';
    }
    return 'server';
  }

  /**
   * The text shown when the error carried no message of its own.
   */
  export function defaultMessage(
    kind: ErrorKind,
    status: number | undefined,
    headers: Headers | undefined,
    trans: TranslateFn
  ): string {
    switch (kind) {
      case 'not_configured':
        return notConfigured(trans);
      case 'auth':
        return credentialsRejected(trans);
      case 'forbidden':
        return trans(
          'The Jupyter server refused the request. Reload the page to renew your session, then try again.'
        );
      case 'not_found':
        return trans(
          'The Code Interpreter gateway was not found on this server. Check that the jupyterlab_code_interpreter server extension is installed and enabled, then restart the server.'
        );
      case 'rate_limit':
        return busy(headers, trans);
      case 'unavailable':
        return trans(
          'The model endpoint is unavailable right now (HTTP %1). Try again in a minute.',
          status ?? '?'
        );
      case 'bad_request':
        return trans(
          'The gateway rejected the request (HTTP %1).',
          status ?? '?'
        );
      default:
        return status === undefined
          ? trans('The answer stopped because of a server error. Try again.')
          : trans('The server failed (HTTP %1). Try again.', status);
    }
  }
}
