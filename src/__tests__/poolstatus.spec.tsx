/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { nullTranslator } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

import { endpointStateLabel, poolStatusView } from '../llm/poolstatus';
import type { IEndpointStatus, IGatewayStatus } from '../tokens';
import { PoolStatus } from '../widgets/poolstatus';

const trans = nullTranslator.load('jupyterlab_code_interpreter');

function endpoint(fields: Partial<IEndpointStatus>): IEndpointStatus {
  return {
    name: 'east',
    kind: 'azure',
    host: 'east.openai.azure.com',
    tier: 0,
    models: ['default'],
    state: 'healthy',
    in_flight: 0,
    latency_ms_p50: null,
    requests: 0,
    errors_429: 0,
    errors_5xx: 0,
    tokens_prompt: 0,
    tokens_completion: 0,
    ...fields
  };
}

const STATUS: IGatewayStatus = {
  configured: true,
  source: 'server_config',
  kind: 'azure',
  models: ['default'],
  message: "The endpoint 'typo' is invalid.",
  endpoints: [
    endpoint({
      state: 'cooling',
      cooling_until: 1795547310.52,
      in_flight: 2,
      latency_ms_p50: 412.3,
      requests: 118,
      errors_429: 3,
      tokens_prompt: 20311,
      tokens_completion: 8120,
      last_error: 'HTTP 429 (rate limited)'
    }),
    endpoint({ name: 'west', host: 'west.example', latency_ms_p50: 95 }),
    endpoint({
      name: 'typo',
      kind: null,
      host: null,
      tier: null,
      models: undefined,
      state: 'invalid',
      last_error: 'base_url is empty'
    })
  ],
  config_errors: [
    { endpoint: 'typo', field: 'base_url', message: 'base_url is empty' },
    { endpoint: 'other', field: '', message: 'must be an object' }
  ]
};

async function render(element: React.ReactElement): Promise<HTMLElement> {
  const widget = ReactWidget.create(element);
  Widget.attach(widget, document.body);
  MessageLoop.flush();
  await widget.renderPromise;
  for (let i = 0; i < 3; i++) {
    await new Promise(resolve => setTimeout(resolve, 0));
  }
  return widget.node;
}

describe('poolStatusView', () => {
  it('makes one row per endpoint with its counters', () => {
    const view = poolStatusView(STATUS);
    expect(view.rows.map(row => [row.name, row.state])).toEqual([
      ['east', 'cooling'],
      ['west', 'healthy'],
      ['typo', 'invalid']
    ]);
    const east = view.rows[0];
    expect(east).toMatchObject({
      host: 'east.openai.azure.com',
      inFlight: 2,
      latency: '412 ms',
      errors429: 3,
      errors5xx: 0,
      tokens: '20311 / 8120',
      lastError: 'HTTP 429 (rate limited)'
    });
    expect(view.rows[2]).toMatchObject({ host: '', latency: '–' });
    expect(view.summary).toBe('1 of 3 endpoints healthy');
  });

  it('names the endpoint and the field of each configuration error', () => {
    const { errors } = poolStatusView(STATUS);
    expect(errors.map(e => e.text)).toEqual([
      'typo, field base_url: base_url is empty',
      'other: must be an object'
    ]);
    expect(errors[0]).toMatchObject({ endpoint: 'typo', field: 'base_url' });
  });

  it('copes with a server that predates the pool, and with loading', () => {
    const old: IGatewayStatus = {
      configured: true,
      source: 'environment',
      kind: 'openai',
      models: ['default'],
      message: ''
    };
    expect(poolStatusView(old)).toEqual({
      rows: [],
      errors: [],
      summary: 'No endpoint is configured.',
      notes: []
    });
    expect(poolStatusView(null).summary).toBe('Checking the endpoints…');
  });

  it('names a key source the server refused in a setting, field and all', () => {
    const refused =
      "the setting endpoints[0] ('innocent').apiKeyEnv is refused: the server's environment variable OPENAI_API_KEY is a server secret, and a setting cannot send the server's secrets to an endpoint it names.";
    const { errors, summary } = poolStatusView({
      ...STATUS,
      configured: false,
      endpoints: [],
      config_errors: [
        { endpoint: 'innocent', field: 'apiKeyEnv', message: refused }
      ]
    });
    expect(errors.map(e => e.text)).toEqual([
      `innocent, field apiKeyEnv: ${refused}`
    ]);
    expect(summary).toBe('No endpoint is configured.');
  });

  it("keeps the server's notes about ignored settings", () => {
    const note =
      'Your endpoint settings (endpoint, endpoints) are ignored: an administrator turned user endpoints off (c.CodeInterpreter.allow_user_endpoints = False).';
    expect(poolStatusView({ ...STATUS, notes: [note, ' '] }).notes).toEqual([
      note
    ]);
    expect(poolStatusView(STATUS).notes).toEqual([]);
  });

  it('translates every text', () => {
    const upper = (msgid: string, ...args: (string | number)[]) =>
      msgid.toUpperCase() + (args.length ? ` [${args.join(',')}]` : '');
    const view = poolStatusView(STATUS, upper);
    expect(view.summary).toBe('%1 OF %2 ENDPOINTS HEALTHY [1,3]');
    expect(view.rows[0].stateLabel).toBe('COOLING DOWN (RATE LIMITED)');
    expect(view.rows[0].latency).toBe('%1 MS [412]');
    expect(endpointStateLabel('half_open', upper)).toBe('BEING PROBED');
  });
});

describe('PoolStatus', () => {
  it('renders rows with endpoint and state, and the errors', async () => {
    const node = await render(
      <PoolStatus status={STATUS} onRefresh={() => undefined} trans={trans} />
    );
    const root = node.querySelector('.jp-CodeInterpreter-poolStatus');
    expect(root).not.toBeNull();
    const rows = Array.from(
      node.querySelectorAll<HTMLElement>('.jp-CodeInterpreter-endpointRow')
    );
    expect(rows.map(r => [r.dataset.endpoint, r.dataset.state])).toEqual([
      ['east', 'cooling'],
      ['west', 'healthy'],
      ['typo', 'invalid']
    ]);
    const cells = Array.from(rows[0].querySelectorAll('td')).map(
      cell => cell.textContent
    );
    expect(cells).toEqual([
      'cooling down (rate limited)',
      '2',
      '412 ms',
      '3',
      '0',
      '20311 / 8120'
    ]);
    expect(rows[0].title).toBe('HTTP 429 (rate limited)');
    const errors = node.querySelectorAll('.jp-CodeInterpreter-configError');
    expect(Array.from(errors).map(e => e.textContent)).toEqual([
      'typo, field base_url: base_url is empty',
      'other: must be an object'
    ]);
  });

  it('renders the notes about ignored settings', async () => {
    const note = 'Your endpoint settings are ignored.';
    const node = await render(
      <PoolStatus
        status={{ ...STATUS, notes: [note] }}
        onRefresh={() => undefined}
        trans={trans}
      />
    );
    const notes = node.querySelectorAll('.jp-CodeInterpreter-poolNote');
    expect(Array.from(notes).map(n => n.textContent)).toEqual([note]);
  });

  it('calls onRefresh and renders while loading', async () => {
    let refreshed = 0;
    const node = await render(
      <PoolStatus status={null} onRefresh={() => refreshed++} trans={trans} />
    );
    expect(
      node.querySelectorAll('.jp-CodeInterpreter-endpointRow')
    ).toHaveLength(0);
    expect(node.textContent).toContain('Checking the endpoints…');
    node
      .querySelector<HTMLButtonElement>(
        '.jp-CodeInterpreter-poolStatusRefresh'
      )!
      .click();
    expect(refreshed).toBe(1);
  });
});
