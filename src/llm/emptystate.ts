/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import {
  TranslatableError,
  type TranslateFn,
  untranslated
} from '../translate';
import type {
  IEndpointConfigError,
  IEndpointStatus,
  IGatewayStatus,
  ToolProtocol
} from './wire';

/**
 * What the empty conversation shows.
 */
export interface IEmptyStateView {
  /**
   * Whether a model endpoint is configured; `null` while still checking.
   */
  configured: boolean | null;

  /**
   * The heading.
   */
  title: string;

  /**
   * What the user can do now.
   */
  guidance: string;

  /**
   * Whether to offer a button that opens the settings editor.
   */
  offerSettings: boolean;
}

/**
 * The outcome of asking the server for its status.
 *
 * `null` while the request is out.
 */
export type StatusResult =
  { status: IGatewayStatus } | { error: string } | null;

/**
 * Validate the JSON reply of `GET <base>/code-interpreter/status`.
 *
 * @throws `Error` when the reply does not have the expected shape.
 */
export function parseGatewayStatus(data: unknown): IGatewayStatus {
  if (typeof data !== 'object' || data === null) {
    throw new TranslatableError('The status reply is not a JSON object.');
  }
  const record = data as Record<string, unknown>;
  if (typeof record.configured !== 'boolean') {
    throw new TranslatableError(
      'The status reply has no boolean "configured".'
    );
  }
  const source = record.source;
  const kind = record.kind;
  return {
    configured: record.configured,
    source:
      source === 'server_config' ||
      source === 'user_settings' ||
      source === 'environment'
        ? source
        : null,
    kind: kind === 'azure' || kind === 'openai' ? kind : null,
    models: Array.isArray(record.models)
      ? record.models.filter((m): m is string => typeof m === 'string')
      : [],
    message: typeof record.message === 'string' ? record.message : '',
    tool_protocols: Private.toolProtocols(record.tool_protocols),
    // The pool's view reads these; a row without a name or an error without
    // a message is dropped, other fields are checked where they are shown.
    endpoints: Array.isArray(record.endpoints)
      ? record.endpoints.filter(
          (e): e is IEndpointStatus =>
            typeof e === 'object' && e !== null && typeof e.name === 'string'
        )
      : undefined,
    config_errors: Array.isArray(record.config_errors)
      ? record.config_errors.filter(
          (e): e is IEndpointConfigError =>
            typeof e === 'object' &&
            e !== null &&
            typeof e.endpoint === 'string' &&
            typeof e.message === 'string'
        )
      : undefined,
    notes: Array.isArray(record.notes)
      ? record.notes.filter((n): n is string => typeof n === 'string')
      : undefined
  };
}

/**
 * Turn the server's status into what the empty conversation shows.
 *
 * #### Notes
 * When no endpoint is configured the server's own guidance is shown, since
 * it knows which configuration sources exist; sending stays possible and
 * answers with the same guidance as an error.
 *
 * @param result - the status, an error text, or `null` while checking.
 * @param trans - translates the texts.
 */
export function emptyStateView(
  result: StatusResult,
  trans: TranslateFn = untranslated
): IEmptyStateView {
  if (result === null) {
    return {
      configured: null,
      title: trans('Code Interpreter'),
      guidance: trans('Checking the model endpoint…'),
      offerSettings: false
    };
  }
  if ('error' in result) {
    return {
      configured: false,
      title: trans('The Code Interpreter server extension did not answer'),
      guidance: trans(
        'Could not ask the server whether a model endpoint is configured (%1). Check that the jupyterlab_code_interpreter server extension is installed and enabled, then restart the server.',
        result.error
      ),
      offerSettings: false
    };
  }
  const { status } = result;
  if (!status.configured) {
    return {
      configured: false,
      title: trans('No model endpoint is configured'),
      guidance:
        status.message ||
        trans(
          'Set AZURE_OPENAI_ENDPOINT or OPENAI_BASE_URL on the server, or the Model endpoint in the Code Interpreter settings.'
        ),
      offerSettings: true
    };
  }
  return {
    configured: true,
    title: trans('Ask a question about your data'),
    // The server's message, when there is one, is what the user must know
    // although the endpoint works (an endpoint left out, settings ignored).
    guidance: [
      trans('Ask a question in any language; the answer streams here.'),
      Private.describeEndpoint(status, trans),
      status.message
    ]
      .filter(Boolean)
      .join(' '),
    offerSettings: false
  };
}

/**
 * Private helpers.
 */
namespace Private {
  /**
   * One sentence saying which endpoint the gateway uses.
   */
  export function describeEndpoint(
    status: IGatewayStatus,
    trans: TranslateFn
  ): string {
    const kind =
      status.kind === 'azure'
        ? trans('Azure OpenAI')
        : status.kind === 'openai'
          ? trans('OpenAI-compatible')
          : trans('configured');
    const source =
      status.source === 'server_config'
        ? trans('set up by your administrator')
        : status.source === 'user_settings'
          ? trans('from your settings')
          : status.source === 'environment'
            ? trans('from the server environment')
            : null;
    return source
      ? trans('The model is reached through the %1 endpoint %2.', kind, source)
      : trans('The model is reached through the %1 endpoint.', kind);
  }

  /**
   * The protocol per alias, without entries that are not one of the three.
   */
  export function toolProtocols(
    value: unknown
  ): Record<string, ToolProtocol> | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return undefined;
    }
    const protocols: Record<string, ToolProtocol> = {};
    for (const [alias, protocol] of Object.entries(value)) {
      if (protocol === 'native' || protocol === 'text' || protocol === 'auto') {
        protocols[alias] = protocol;
      }
    }
    return protocols;
  }
}
