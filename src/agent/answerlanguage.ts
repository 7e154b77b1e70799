/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { TranslateFn } from '../translate';
import { untranslated } from '../translate';
import ANSWER_TEXTS from './answertexts.json';

/**
 * A translation into the language the user asked in, where we have its text.
 *
 * #### Notes
 * The agent answers in the language of the question, which may differ from
 * the UI's, while JupyterLab loads the catalog of the UI's locale only (and
 * only when its language pack is installed). So the few messages the agent
 * writes into the conversation keep their texts per answer language in
 * `answertexts.json`, keyed by msgid; `scripts/update_catalog.py --check`
 * holds them to the msgids of `src/`, their placeholders and the zh_CN
 * catalog. Other languages get the UI's translation.
 *
 * @param languageTag - the BCP-47 tag of the user's question (`zh-Hans`…).
 * @param uiTrans - the UI's translation, for languages without a text.
 */
export function answerTranslator(
  languageTag: string,
  uiTrans: TranslateFn
): TranslateFn {
  return (msgid, ...args) => {
    const text = Private.TEXTS[msgid]?.[languageTag];
    return text ? untranslated(text, ...args) : uiTrans(msgid, ...args);
  };
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * Msgid → BCP-47 tag → text.
   */
  export const TEXTS: Record<string, Record<string, string> | undefined> =
    ANSWER_TEXTS;
}
