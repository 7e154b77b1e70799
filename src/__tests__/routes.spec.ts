/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { routeURL } from '../routes';

describe('routeURL', () => {
  it('puts every route under <base_url>/code-interpreter/', () => {
    expect(routeURL({ baseUrl: 'http://localhost:8888/' }, 'status')).toBe(
      'http://localhost:8888/code-interpreter/status'
    );
    expect(
      routeURL({ baseUrl: 'http://host/user/ann' }, 'conversations', 'a%2Fb')
    ).toBe('http://host/user/ann/code-interpreter/conversations/a%2Fb');
    expect(routeURL({ baseUrl: 'http://host/' })).toBe(
      'http://host/code-interpreter'
    );
  });
});
