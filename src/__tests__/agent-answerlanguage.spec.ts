/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { answerTranslator } from '../agent/answerlanguage';
import ANSWER_TEXTS from '../agent/answertexts.json';
import { gaveUpMessage } from '../agent/toolresults';
import type { TranslateFn } from '../tokens';

/**
 * A UI translation into "Chinese" that records what it was asked.
 */
function chineseUi(): { trans: TranslateFn; asked: string[] } {
  const asked: string[] = [];
  const trans: TranslateFn = (msgid, ...args) => {
    asked.push(msgid);
    return `【UI】${msgid} ${args.join(' ')}`;
  };
  return { trans, asked };
}

const REPAIR = 'Stopped after %1 failed attempts: %2';
const STEPS = 'Stopped after reaching the limit of %1 steps for one request.';

describe('answerTranslator', () => {
  it('writes in the language of the question, not the UI’s', () => {
    const ui = chineseUi();
    const trans = answerTranslator('fr', ui.trans);
    expect(trans(REPAIR, 3, 'ValueError: x')).toBe(
      'Arrêté après 3 tentatives échouées : ValueError: x'
    );
    expect(ui.asked).toEqual([]);
  });

  it('falls back to the UI translation for a language without a text', () => {
    const ui = chineseUi();
    expect(answerTranslator('en', ui.trans)(STEPS, 8)).toBe(`【UI】${STEPS} 8`);
    expect(answerTranslator('ru', ui.trans)(REPAIR, 2, 'E')).toBe(
      `【UI】${REPAIR} 2 E`
    );
    expect(ui.asked).toEqual([STEPS, REPAIR]);
  });

  it('falls back to the UI translation for a msgid without texts', () => {
    const ui = chineseUi();
    expect(answerTranslator('fr', ui.trans)('Stop', 1)).toBe('【UI】Stop 1');
  });

  it('fills each placeholder once, so a detail may contain one', () => {
    const trans = answerTranslator('de', chineseUi().trans);
    expect(trans(REPAIR, 2, 'KeyError: %1 %2')).toBe(
      'Nach 2 fehlgeschlagenen Versuchen abgebrochen: KeyError: %1 %2'
    );
  });
});

describe('gaveUpMessage', () => {
  const languages = Object.keys(ANSWER_TEXTS[REPAIR]);

  it('has both texts for every answer language of the data file', () => {
    expect(languages).toEqual(
      expect.arrayContaining(['zh-Hans', 'zh-Hant', 'ja', 'ko', 'fr', 'de'])
    );
    expect(Object.keys(ANSWER_TEXTS[STEPS]).sort()).toEqual(
      [...languages].sort()
    );
  });

  it.each(languages)('says why in %s without the UI translation', tag => {
    const ui = chineseUi();
    const repair = gaveUpMessage(
      'repair',
      4,
      'ZeroDivisionError',
      tag,
      ui.trans
    );
    const steps = gaveUpMessage('steps', 12, '', tag, ui.trans);
    expect(repair).toContain('4');
    expect(repair).toContain('ZeroDivisionError');
    expect(steps).toContain('12');
    expect(`${repair}${steps}`).not.toMatch(/%\d/);
    expect(ui.asked).toEqual([]);
  });

  it('says it in Simplified Chinese as the zh_CN catalog does', () => {
    expect(gaveUpMessage('steps', 5, '', 'zh-Hans', chineseUi().trans)).toBe(
      '已达到单次请求 5 个步骤的上限，已停止。'
    );
  });

  it('asks the UI translation for English questions', () => {
    const ui = chineseUi();
    gaveUpMessage('repair', 1, 'E', 'en', ui.trans);
    gaveUpMessage('steps', 1, '', 'en', ui.trans);
    expect(ui.asked).toEqual([REPAIR, STEPS]);
  });
});
