/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

/**
 * A translation function with `%1`-style placeholders, such as
 * `TranslationBundle.__`.
 */
export type TranslateFn = (
  msgid: string,
  ...args: (string | number)[]
) => string;

/**
 * A `TranslateFn` that does not translate: it only fills `%1`, `%2`…
 *
 * #### Notes
 * Pure modules take a `TranslateFn` so that they stay free of JupyterLab
 * imports; tests and defaults use this one.
 */
export const untranslated: TranslateFn = (msgid, ...args) =>
  msgid.replace(/%(\d+)/g, (match: string, index: string) => {
    const value = args[Number(index) - 1];
    return value === undefined ? match : String(value);
  });
