/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { type TranslateFn, untranslated } from '../translate';
import type { EndpointState, IEndpointStatus, IGatewayStatus } from './wire';

/**
 * One endpoint of the pool as the status view shows it.
 */
export interface IEndpointRow {
  /**
   * The endpoint's name in the pool (the row's `data-endpoint`).
   */
  name: string;

  /**
   * Its state (the row's `data-state`).
   */
  state: EndpointState;

  /**
   * The state in words.
   */
  stateLabel: string;

  /**
   * The host it reaches, empty for an invalid entry.
   */
  host: string;

  /**
   * Requests in flight.
   */
  inFlight: number;

  /**
   * The median latency, e.g. `412 ms`; `–` before any answer.
   */
  latency: string;

  /**
   * Answers that were 429 (rate limited).
   */
  errors429: number;

  /**
   * Answers that were 5xx, timeouts or cut streams.
   */
  errors5xx: number;

  /**
   * Prompt and completion tokens reported, e.g. `20311 / 8120`.
   */
  tokens: string;

  /**
   * What went wrong last, empty when nothing did.
   */
  lastError: string;
}

/**
 * One invalid endpoint entry, named with the field that is wrong.
 */
export interface IConfigErrorRow {
  endpoint: string;
  field: string;
  message: string;

  /**
   * The sentence to show: endpoint, field and message.
   */
  text: string;
}

/**
 * What the pool status view shows.
 */
export interface IPoolStatusView {
  /**
   * One row per endpoint, in the server's order.
   */
  rows: IEndpointRow[];

  /**
   * The invalid entries.
   */
  errors: IConfigErrorRow[];

  /**
   * One line above the table, e.g. `2 of 3 endpoints healthy`.
   */
  summary: string;

  /**
   * Configuration the server ignored on purpose, each a sentence written by
   * the server (e.g. the user's endpoint settings, turned off by an
   * administrator).
   */
  notes: string[];
}

/**
 * Turn the status reply into the pool status view.
 *
 * #### Notes
 * Servers that predate the pool send neither `endpoints` nor
 * `config_errors` (nor `notes`): the view is then empty, with a summary
 * saying so.
 * Counters the reply lacks count as zero rather than breaking the view.
 *
 * @param status - the status reply, or `null` while it is being fetched.
 * @param trans - translates the texts.
 */
export function poolStatusView(
  status: IGatewayStatus | null,
  trans: TranslateFn = untranslated
): IPoolStatusView {
  if (status === null) {
    return {
      rows: [],
      errors: [],
      summary: trans('Checking the endpoints…'),
      notes: []
    };
  }
  const rows = (status.endpoints ?? []).map(e => Private.row(e, trans));
  const errors = (status.config_errors ?? []).map(error => ({
    endpoint: error.endpoint,
    field: error.field,
    message: error.message,
    text: error.field
      ? trans('%1, field %2: %3', error.endpoint, error.field, error.message)
      : trans('%1: %2', error.endpoint, error.message)
  }));
  let summary: string;
  if (rows.length === 0) {
    summary = trans('No endpoint is configured.');
  } else {
    const healthy = rows.filter(row => row.state === 'healthy').length;
    summary = trans('%1 of %2 endpoints healthy', healthy, rows.length);
  }
  const notes = (status.notes ?? []).filter(note => note.trim() !== '');
  return { rows, errors, summary, notes };
}

/**
 * The state of an endpoint in words.
 */
export function endpointStateLabel(
  state: EndpointState,
  trans: TranslateFn = untranslated
): string {
  switch (state) {
    case 'healthy':
      return trans('healthy');
    case 'cooling':
      return trans('cooling down (rate limited)');
    case 'open':
      return trans('paused after failures');
    case 'half_open':
      return trans('being probed');
    case 'invalid':
      return trans('invalid configuration');
  }
}

/**
 * Private helpers.
 */
namespace Private {
  const STATES: ReadonlySet<string> = new Set([
    'healthy',
    'cooling',
    'open',
    'half_open',
    'invalid'
  ]);

  /**
   * One endpoint's row.
   */
  export function row(
    endpoint: IEndpointStatus,
    trans: TranslateFn
  ): IEndpointRow {
    const state: EndpointState = STATES.has(endpoint.state)
      ? endpoint.state
      : 'invalid';
    const p50 = endpoint.latency_ms_p50;
    return {
      name: endpoint.name,
      state,
      stateLabel: endpointStateLabel(state, trans),
      host: endpoint.host ?? '',
      inFlight: count(endpoint.in_flight),
      latency:
        typeof p50 === 'number' && Number.isFinite(p50)
          ? trans('%1 ms', Math.round(p50))
          : '–',
      errors429: count(endpoint.errors_429),
      errors5xx: count(endpoint.errors_5xx),
      tokens: `${count(endpoint.tokens_prompt)} / ${count(endpoint.tokens_completion)}`,
      lastError: endpoint.last_error ?? ''
    };
  }

  function count(value: unknown): number {
    return typeof value === 'number' && Number.isFinite(value) ? value : 0;
  }
}
