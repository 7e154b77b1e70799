/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { emptyStateView, parseGatewayStatus } from '../llm/emptystate';
import type { IGatewayStatus } from '../tokens';

const GUIDANCE =
  'No model endpoint is configured. Set AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY, or OPENAI_BASE_URL, or the endpoint setting.';

describe('parseGatewayStatus', () => {
  it('reads a configured status', () => {
    expect(
      parseGatewayStatus({
        configured: true,
        source: 'environment',
        kind: 'azure',
        models: ['default', 'gpt-4o', 3],
        message: 'Using AZURE_OPENAI_ENDPOINT.'
      })
    ).toEqual({
      configured: true,
      source: 'environment',
      kind: 'azure',
      models: ['default', 'gpt-4o'],
      message: 'Using AZURE_OPENAI_ENDPOINT.'
    });
  });

  it('turns unknown sources and kinds into null', () => {
    const status = parseGatewayStatus({
      configured: false,
      source: 'elsewhere',
      kind: 'other',
      message: GUIDANCE
    });
    expect(status.source).toBeNull();
    expect(status.kind).toBeNull();
    expect(status.models).toEqual([]);
  });

  it('reads the notes, dropping what is not text', () => {
    const status = parseGatewayStatus({
      configured: true,
      notes: ['Your endpoint settings are ignored.', 7]
    });
    expect(status.notes).toEqual(['Your endpoint settings are ignored.']);
    expect(parseGatewayStatus({ configured: true }).notes).toBeUndefined();
  });

  it('rejects replies without a boolean configured', () => {
    expect(() => parseGatewayStatus('<html>')).toThrow();
    expect(() => parseGatewayStatus({ configured: 'yes' })).toThrow();
  });
});

describe('emptyStateView', () => {
  const configured: IGatewayStatus = {
    configured: true,
    source: 'server_config',
    kind: 'azure',
    models: ['default'],
    message: ''
  };

  it('says it is checking while the status is unknown', () => {
    const view = emptyStateView(null);
    expect(view.configured).toBeNull();
    expect(view.offerSettings).toBe(false);
  });

  it('welcomes and names the endpoint when configured', () => {
    const view = emptyStateView({ status: configured });
    expect(view.configured).toBe(true);
    expect(view.offerSettings).toBe(false);
    expect(view.guidance).toContain(
      'The model is reached through the Azure OpenAI endpoint set up by your administrator.'
    );
  });

  it('names OpenAI-compatible endpoints from the user settings', () => {
    const view = emptyStateView({
      status: { ...configured, kind: 'openai', source: 'user_settings' }
    });
    expect(view.guidance).toContain(
      'the OpenAI-compatible endpoint from your settings'
    );
  });

  it("adds the server's message when something is wrong although it works", () => {
    const note =
      'Your endpoint settings (endpoint, endpoints) are ignored: an administrator turned user endpoints off (c.CodeInterpreter.allow_user_endpoints = False).';
    const view = emptyStateView({
      status: { ...configured, source: 'environment', message: note }
    });
    expect(view.configured).toBe(true);
    expect(view.guidance).toContain('from the server environment');
    expect(view.guidance.endsWith(note)).toBe(true);
    expect(emptyStateView({ status: configured }).guidance).not.toMatch(/ $/);
  });

  it('shows a refused key source when nothing else serves', () => {
    const refused =
      "The model endpoint configuration is invalid: the setting endpoint.apiKeyEnv is refused: the server's environment variable OPENAI_API_KEY is a server secret.";
    const view = emptyStateView({
      status: {
        configured: false,
        source: 'user_settings',
        kind: null,
        models: [],
        message: refused
      }
    });
    expect(view.guidance).toBe(refused);
    expect(view.offerSettings).toBe(true);
  });

  it('shows the server guidance and offers the settings when not configured', () => {
    const view = emptyStateView({
      status: {
        configured: false,
        source: null,
        kind: null,
        models: [],
        message: GUIDANCE
      }
    });
    expect(view).toMatchObject({
      configured: false,
      guidance: GUIDANCE,
      offerSettings: true
    });
  });

  it('explains a status request that failed', () => {
    const view = emptyStateView({ error: 'Invalid response: 404 Not Found' });
    expect(view.configured).toBe(false);
    expect(view.guidance).toContain('Invalid response: 404 Not Found');
    expect(view.guidance).toContain('jupyterlab_code_interpreter');
  });
});
