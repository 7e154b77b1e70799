/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { ServerConnection } from '@jupyterlab/services';

import { GatewayClient } from '../llm/client';
import { parseGatewayStatus } from '../llm/emptystate';

function clientAnswering(answer: () => Promise<Response>): {
  client: GatewayClient;
  fetch: jest.Mock;
} {
  const fetch = jest.fn(answer);
  const serverSettings = ServerConnection.makeSettings({
    baseUrl: 'http://localhost:8888/user/ada/',
    token: 'jupyter-token',
    fetch
  });
  return { client: new GatewayClient({ serverSettings }), fetch };
}

const STATUS = {
  configured: true,
  source: 'user_settings',
  kind: 'openai',
  models: ['default', 'big', 'odd'],
  tool_protocols: { default: 'text', big: 'native', odd: 'json' },
  message: ''
};

describe('parseGatewayStatus tool_protocols', () => {
  it('keeps the three protocols and drops anything else', () => {
    expect(parseGatewayStatus(STATUS).tool_protocols).toEqual({
      default: 'text',
      big: 'native'
    });
  });

  it('is absent from an older server', () => {
    const { tool_protocols, ...older } = STATUS;
    expect(tool_protocols).toBeDefined();
    expect(parseGatewayStatus(older).tool_protocols).toBeUndefined();
  });
});

describe('GatewayClient.toolProtocol', () => {
  it("reads the alias's protocol from the gateway's status", async () => {
    const { client, fetch } = clientAnswering(
      async () => new Response(JSON.stringify(STATUS))
    );
    expect(await client.toolProtocol('default')).toBe('text');
    expect(await client.toolProtocol('big')).toBe('native');
    // An alias the status does not name, and a protocol it does not know.
    expect(await client.toolProtocol('other')).toBe('auto');
    expect(await client.toolProtocol('odd')).toBe('auto');
    const request: Request = fetch.mock.calls[0][0];
    expect(request.url).toMatch(
      /^http:\/\/localhost:8888\/user\/ada\/code-interpreter\/status(\?|$)/
    );
  });

  it('is auto when the status cannot be read', async () => {
    const { client } = clientAnswering(
      async () => new Response('nope', { status: 500 })
    );
    expect(await client.toolProtocol('default')).toBe('auto');
  });
});
