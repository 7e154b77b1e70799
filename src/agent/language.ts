/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { detectAll } from 'tinyld/light';

/**
 * The language the user wrote in, as the prompt names it.
 */
export interface ILanguage {
  /**
   * A BCP-47 tag, e.g. `en`, `fr`, `zh-Hans`, `zh-Hant`, `ja`.
   */
  tag: string;

  /**
   * The English name the system prompt uses, e.g. "Simplified Chinese".
   */
  name: string;
}

/**
 * The language used when nothing better can be said.
 */
export const ENGLISH: ILanguage = Object.freeze({ tag: 'en', name: 'English' });

/**
 * Guess the language of a prompt, robustly on short inputs.
 *
 * #### Notes
 * Scripts decide first, by Unicode ranges, because statistical detectors are
 * unreliable on two or three characters (你好 can come out as English):
 * any Kana → Japanese; Hangul → Korean; Han alone → Chinese,
 * Simplified or Traditional by the characters that differ (ties go to
 * Simplified); Cyrillic, Arabic, Hebrew, Greek, Thai, Devanagari likewise.
 * Latin text of at least a few words goes to `tinyld/light`: pure
 * JavaScript, CJS and ESM builds (so jest and rspack take it as is, unlike
 * the ESM-only `franc-min`), 69 KB, no dependencies, ~60 languages. Short
 * Latin text, or text the detector is unsure of, is English.
 *
 * @param text - the user's prompt.
 */
export function detectLanguage(text: string): ILanguage {
  const counts = Private.countScripts(text);
  if (counts.kana > 0) {
    return language('ja');
  }
  if (counts.hangul > 0 && counts.hangul >= counts.han) {
    return language('ko');
  }
  if (counts.han > 0 && counts.han >= counts.latin / 4) {
    return chineseVariant(text);
  }
  const nonLatin = Private.dominantNonLatin(counts);
  if (nonLatin) {
    return language(nonLatin);
  }
  const letters = text.replace(/[^\p{L}\s]/gu, ' ').trim();
  const words = letters.split(/\s+/).filter(Boolean);
  if (words.length < 3 && letters.length < 16) {
    return Private.shortLatin(words) ?? ENGLISH;
  }
  const [best] = detectAll(text, { only: Private.LATIN_CANDIDATES });
  // Text without a single non-ASCII letter is not in a language nearly
  // always written with diacritics: tinyld takes short English questions
  // ("How many rows of sales.csv have a missing discount?") for Hungarian.
  if (
    best &&
    Private.DIACRITIC_LANGUAGES.includes(best.lang) &&
    !/[^ -~\s]/.test(letters)
  ) {
    return ENGLISH;
  }
  if (!best || best.accuracy < Private.MIN_ACCURACY) {
    return ENGLISH;
  }
  return language(best.lang);
}

/**
 * Simplified or Traditional Chinese, by the characters that differ.
 *
 * @param text - text with Han characters.
 */
export function chineseVariant(text: string): ILanguage {
  let simplified = 0;
  let traditional = 0;
  for (const char of text) {
    if (Private.SIMPLIFIED.has(char)) {
      simplified++;
    } else if (Private.TRADITIONAL.has(char)) {
      traditional++;
    }
  }
  return language(traditional > simplified ? 'zh-Hant' : 'zh-Hans');
}

/**
 * The language of a BCP-47 tag, with its English name.
 *
 * @param tag - e.g. `de`, `zh-Hant`.
 */
export function language(tag: string): ILanguage {
  return { tag, name: Private.NAMES[tag] ?? tag };
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * How many letters of each script a text has.
   */
  export interface IScriptCounts {
    latin: number;
    han: number;
    kana: number;
    hangul: number;
    cyrillic: number;
    arabic: number;
    hebrew: number;
    greek: number;
    thai: number;
    devanagari: number;
  }

  /**
   * Count letters per script.
   */
  export function countScripts(text: string): IScriptCounts {
    const counts: IScriptCounts = {
      latin: 0,
      han: 0,
      kana: 0,
      hangul: 0,
      cyrillic: 0,
      arabic: 0,
      hebrew: 0,
      greek: 0,
      thai: 0,
      devanagari: 0
    };
    for (const char of text) {
      for (const [script, pattern] of SCRIPTS) {
        if (pattern.test(char)) {
          counts[script]++;
          break;
        }
      }
    }
    return counts;
  }

  /**
   * The non-Latin, non-CJK script with the most letters, as a language tag,
   * when it outweighs the Latin letters.
   */
  export function dominantNonLatin(counts: IScriptCounts): string | null {
    let best: string | null = null;
    let bestCount = 0;
    for (const [script, tag] of SCRIPT_LANGUAGE) {
      if (counts[script] > bestCount) {
        best = tag;
        bestCount = counts[script];
      }
    }
    return bestCount > 0 && bestCount >= counts.latin ? best : null;
  }

  /**
   * Known greetings and thanks of one or two Latin words.
   */
  export function shortLatin(words: string[]): ILanguage | null {
    for (const word of words) {
      const tag = SHORT_WORDS[word.toLowerCase()];
      if (tag) {
        return language(tag);
      }
    }
    return null;
  }

  const SCRIPTS: Array<[keyof IScriptCounts, RegExp]> = [
    ['latin', /\p{Script=Latin}/u],
    ['kana', /[\p{Script=Hiragana}\p{Script=Katakana}]/u],
    ['han', /\p{Script=Han}/u],
    ['hangul', /\p{Script=Hangul}/u],
    ['cyrillic', /\p{Script=Cyrillic}/u],
    ['arabic', /\p{Script=Arabic}/u],
    ['hebrew', /\p{Script=Hebrew}/u],
    ['greek', /\p{Script=Greek}/u],
    ['thai', /\p{Script=Thai}/u],
    ['devanagari', /\p{Script=Devanagari}/u]
  ];

  const SCRIPT_LANGUAGE: Array<[keyof IScriptCounts, string]> = [
    ['cyrillic', 'ru'],
    ['arabic', 'ar'],
    ['hebrew', 'he'],
    ['greek', 'el'],
    ['thai', 'th'],
    ['devanagari', 'hi']
  ];

  /**
   * The Latin-script languages the detector may answer; others (Latin,
   * Esperanto, …) are more often wrong than right on prompts.
   */
  export const LATIN_CANDIDATES = [
    'en',
    'fr',
    'de',
    'es',
    'it',
    'pt',
    'nl',
    'sv',
    'da',
    'no',
    'fi',
    'pl',
    'cs',
    'tr',
    'id',
    'vi',
    'hu',
    'ro'
  ];

  /**
   * Latin candidates almost never written without diacritics.
   */
  export const DIACRITIC_LANGUAGES = ['hu', 'pl', 'cs', 'tr', 'vi', 'ro'];

  /**
   * Below this accuracy the detector's guess is not trusted.
   */
  export const MIN_ACCURACY = 0.05;

  const SHORT_WORDS: Record<string, string> = {
    bonjour: 'fr',
    salut: 'fr',
    merci: 'fr',
    hola: 'es',
    gracias: 'es',
    danke: 'de',
    hallo: 'de',
    servus: 'de',
    ciao: 'it',
    grazie: 'it',
    obrigado: 'pt',
    obrigada: 'pt',
    olá: 'pt',
    hej: 'sv',
    tack: 'sv',
    dziękuję: 'pl',
    cześć: 'pl',
    merhaba: 'tr',
    teşekkürler: 'tr'
  };

  /**
   * Common characters that exist only in Simplified Chinese.
   */
  export const SIMPLIFIED = new Set(
    '们这个来说时会对没为学国后过还发问长开关见现东车书门马鸟鱼话语读写请谢图数据库统计画显变线点边结页热爱气电脑买卖错误运况实应该给让认识岁单钱远进选择条样颜极区间总销务导网络输号码并从专业历报内无'
  );

  /**
   * Common characters that exist only in Traditional Chinese.
   */
  export const TRADITIONAL = new Set(
    '們這個來說時會對沒為學國後過還發問長開關見現東車書門馬鳥魚話語讀寫請謝圖數據庫統計畫顯變線點邊結頁熱愛氣電腦買賣錯誤運況實應該給讓認識歲單錢遠進選擇條樣顏極區間總銷務導網絡輸號碼並從專業歷報內無嗎麼'
  );

  export const NAMES: Record<string, string> = {
    en: 'English',
    fr: 'French',
    de: 'German',
    es: 'Spanish',
    it: 'Italian',
    pt: 'Portuguese',
    nl: 'Dutch',
    sv: 'Swedish',
    da: 'Danish',
    no: 'Norwegian',
    fi: 'Finnish',
    pl: 'Polish',
    cs: 'Czech',
    tr: 'Turkish',
    id: 'Indonesian',
    vi: 'Vietnamese',
    hu: 'Hungarian',
    ro: 'Romanian',
    ru: 'Russian',
    ar: 'Arabic',
    he: 'Hebrew',
    el: 'Greek',
    th: 'Thai',
    hi: 'Hindi',
    ja: 'Japanese',
    ko: 'Korean',
    'zh-Hans': 'Simplified Chinese',
    'zh-Hant': 'Traditional Chinese'
  };
}
