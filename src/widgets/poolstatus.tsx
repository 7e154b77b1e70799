/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { poolStatusView } from '../llm/poolstatus';
import type { IGatewayStatus } from '../tokens';

/**
 * The pool's health at a glance: one row per endpoint (state, requests in
 * flight, median latency, 429s, 5xx, tokens) and the invalid entries.
 *
 * #### Notes
 * Rendering only; the numbers come from `poolStatusView`. The panel fetches
 * the status and passes it in; `onRefresh` asks it to fetch again.
 */
export function PoolStatus(props: PoolStatus.IProps): JSX.Element {
  const { status, trans } = props;
  const view = poolStatusView(status, (msgid, ...args) =>
    trans.__(msgid, ...args)
  );
  return (
    <div className="jp-CodeInterpreter-poolStatus">
      <div className="jp-CodeInterpreter-poolStatusHeader">
        <span className="jp-CodeInterpreter-poolStatusSummary">
          {view.summary}
        </span>
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-reject jp-CodeInterpreter-poolStatusRefresh"
          aria-label={trans.__('Refresh the endpoint status')}
          onClick={props.onRefresh}
        >
          {trans.__('Refresh')}
        </button>
      </div>
      {view.rows.length > 0 && (
        <table className="jp-CodeInterpreter-poolStatusTable">
          <thead>
            <tr>
              <th scope="col">{trans.__('Endpoint')}</th>
              <th scope="col">{trans.__('State')}</th>
              <th scope="col">{trans.__('In flight')}</th>
              <th scope="col">{trans.__('Latency p50')}</th>
              <th scope="col">{trans.__('429s')}</th>
              <th scope="col">{trans.__('5xx')}</th>
              <th scope="col">{trans.__('Tokens in / out')}</th>
            </tr>
          </thead>
          <tbody>
            {view.rows.map(row => (
              <tr
                key={row.name}
                className="jp-CodeInterpreter-endpointRow"
                data-endpoint={row.name}
                data-state={row.state}
                title={row.lastError || undefined}
              >
                <th scope="row">
                  {row.name}
                  {row.host && (
                    <span className="jp-CodeInterpreter-endpointHost">
                      {row.host}
                    </span>
                  )}
                </th>
                <td className="jp-CodeInterpreter-endpointState">
                  {row.stateLabel}
                </td>
                <td>{row.inFlight}</td>
                <td>{row.latency}</td>
                <td>{row.errors429}</td>
                <td>{row.errors5xx}</td>
                <td>{row.tokens}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {view.notes.length > 0 && (
        <ul
          className="jp-CodeInterpreter-poolNotes"
          aria-label={trans.__('Ignored settings')}
        >
          {view.notes.map((note, index) => (
            <li key={index} className="jp-CodeInterpreter-poolNote">
              {note}
            </li>
          ))}
        </ul>
      )}
      {view.errors.length > 0 && (
        <ul
          className="jp-CodeInterpreter-configErrors"
          aria-label={trans.__('Invalid endpoints')}
        >
          {view.errors.map((error, index) => (
            <li
              key={`${error.endpoint}-${error.field}-${index}`}
              className="jp-CodeInterpreter-configError"
              data-endpoint={error.endpoint}
            >
              {error.text}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * A namespace for `PoolStatus` statics.
 */
export namespace PoolStatus {
  /**
   * The properties of the pool status view.
   */
  export interface IProps {
    /**
     * The status reply, `null` while it is being fetched.
     */
    status: IGatewayStatus | null;

    /**
     * Fetch the status again.
     */
    onRefresh(): void;

    /**
     * The extension's translations.
     */
    trans: TranslationBundle;
  }
}
