/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { IChatSettings } from '../tokens';

/**
 * The settings used until the setting registry answers.
 */
export const DEFAULT_CHAT_SETTINGS: IChatSettings = {
  modelAlias: 'default',
  temperature: 0.2
};

/**
 * Read the chat settings from the plugin's composite settings.
 *
 * #### Notes
 * Invalid or missing values fall back to the defaults; other properties
 * (such as `endpoint`, which only the server reads) are ignored.
 */
export function chatSettingsFrom(
  composite: Readonly<Record<string, unknown>>
): IChatSettings {
  const { modelAlias, temperature } = composite;
  return {
    modelAlias:
      typeof modelAlias === 'string' && modelAlias.trim()
        ? modelAlias.trim()
        : DEFAULT_CHAT_SETTINGS.modelAlias,
    temperature:
      typeof temperature === 'number' && Number.isFinite(temperature)
        ? temperature
        : DEFAULT_CHAT_SETTINGS.temperature
  };
}
