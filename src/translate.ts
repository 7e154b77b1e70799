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
 * A text built where it arises and translated where it is shown, in the
 * language of the place that shows it (the UI's, or the answer's).
 *
 * #### Notes
 * Name its parameter `trans` and give it a literal msgid, so that the
 * catalog script finds the msgid.
 */
export type DeferredText = (trans: TranslateFn) => string;

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

/**
 * An error whose message is a msgid and its values, so that where it is
 * shown it can be translated.
 *
 * #### Notes
 * `message` holds the English text, for logs and for the model. Subclasses
 * are listed in `scripts/update_catalog.py`, which extracts the literal
 * first argument of their constructors.
 */
export class TranslatableError extends Error {
  /**
   * Create an error from a msgid with `%1`-style placeholders.
   */
  constructor(
    readonly msgid: string,
    readonly args: readonly (string | number)[] = []
  ) {
    super(untranslated(msgid, ...args));
    this.name = 'TranslatableError';
  }
}

/**
 * What a failure says to the user: translated when it carries a msgid.
 *
 * @param reason - what was thrown.
 * @param trans - the UI translation.
 */
export function failureMessage(reason: unknown, trans: TranslateFn): string {
  if (reason instanceof TranslatableError) {
    return trans(reason.msgid, ...reason.args);
  }
  return reason instanceof Error ? reason.message : String(reason);
}
