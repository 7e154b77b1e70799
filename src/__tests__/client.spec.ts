/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { ServerConnection } from '@jupyterlab/services';

import { GatewayClient } from '../llm/client';

describe('GatewayClient', () => {
  function settingsWith(fetch: jest.Mock): ServerConnection.ISettings {
    return ServerConnection.makeSettings({
      baseUrl: 'http://localhost:8888/user/ada/',
      token: 'jupyter-token',
      fetch
    });
  }

  it('targets the gateway under the server base URL', () => {
    const settings = settingsWith(jest.fn());
    expect(GatewayClient.gatewayURL(settings)).toBe(
      'http://localhost:8888/user/ada/code-interpreter/v1'
    );
  });

  it('sends the Jupyter token instead of the SDK placeholder key', async () => {
    const fetch = jest.fn().mockResolvedValue(new Response('{}'));
    const settings = settingsWith(fetch);
    const gatewayFetch = GatewayClient.makeFetch(
      settings,
      GatewayClient.gatewayURL(settings)
    );
    await gatewayFetch(
      'http://localhost:8888/user/ada/code-interpreter/v1/chat/completions',
      {
        method: 'POST',
        headers: { Authorization: 'Bearer unused', 'Content-Type': 'x/y' },
        body: '{}'
      }
    );
    const request: Request = fetch.mock.calls[0][0];
    expect(request.url).toBe(
      'http://localhost:8888/user/ada/code-interpreter/v1/chat/completions'
    );
    expect(request.headers.get('authorization')).toBe('token jupyter-token');
    expect(request.method).toBe('POST');
  });

  it('refuses any URL outside the gateway', async () => {
    const fetch = jest.fn();
    const settings = settingsWith(fetch);
    const gatewayFetch = GatewayClient.makeFetch(
      settings,
      GatewayClient.gatewayURL(settings)
    );
    await expect(
      gatewayFetch('https://api.openai.com/v1/chat/completions')
    ).rejects.toThrow(/outside the gateway/);
    expect(fetch).not.toHaveBeenCalled();
  });
});
