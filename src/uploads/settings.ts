/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { safeSubfolder } from './names';

/**
 * The settings of uploads (schema/plugin.json).
 */
export interface IUploadSettings {
  /**
   * The subfolder of the notebook's folder uploads are saved in; `''`: the
   * notebook's folder itself. Always safe (`safeSubfolder`).
   */
  folder: string;
  /** The largest file accepted, in MiB. */
  maxSizeMB: number;
  /** The most tokens the attached files' summaries take in a request. */
  summaryTokenBudget: number;
}

/**
 * The defaults, as in the settings schema.
 */
export const DEFAULT_UPLOAD_SETTINGS: Readonly<IUploadSettings> = Object.freeze(
  {
    folder: '',
    maxSizeMB: 512,
    summaryTokenBudget: 1500
  }
);

/**
 * Read the upload settings from the plugin's composite settings; invalid or
 * missing values fall back to the defaults.
 */
export function uploadSettingsFrom(
  composite: Readonly<Record<string, unknown>>
): IUploadSettings {
  const d = DEFAULT_UPLOAD_SETTINGS;
  const { uploadFolder, maxUploadSizeMB, attachmentTokenBudget } = composite;
  const positive = (value: unknown, fallback: number): number =>
    typeof value === 'number' && Number.isFinite(value) && value >= 0
      ? value
      : fallback;
  return {
    folder: typeof uploadFolder === 'string' ? safeSubfolder(uploadFolder) : '',
    maxSizeMB: positive(maxUploadSizeMB, d.maxSizeMB),
    summaryTokenBudget: Math.round(
      positive(attachmentTokenBudget, d.summaryTokenBudget)
    )
  };
}
