/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

/**
 * Whether a prompt is small talk (a greeting, thanks, "how are you") that
 * needs no code.
 *
 * #### Notes
 * Decided before the request, so that the request carries no tools and the
 * model cannot run code for "hi", as models given tools are apt to. It errs on
 * the side of offering tools: a prompt is small talk only when it is short,
 * every word of it is a known small-talk word or filler, and it names no
 * data or task. CJK text has no spaces, so there the known phrases are
 * removed and only punctuation may remain.
 *
 * @param prompt - the user's prompt.
 */
export function isSmallTalk(prompt: string): boolean {
  const text = prompt.trim().toLowerCase();
  if (!text || text.length > 60 || Private.TASK.test(text)) {
    return false;
  }
  let rest = text;
  for (const phrase of Private.CJK_PHRASES) {
    rest = rest.split(phrase).join(' ');
  }
  const words = rest
    .replace(/[^\p{L}\p{N}'\s]/gu, ' ')
    .split(/\s+/)
    .filter(Boolean);
  if (words.length > 8) {
    return false;
  }
  return (
    words.every(word => Private.WORDS.has(word)) &&
    (words.length > 0 || rest.length < text.length)
  );
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * Words that make a prompt a task, whatever else it says.
   */
  export const TASK =
    /\b(plot|chart|graph|csv|excel|xlsx|data|file|table|column|row|sql|query|code|python|calculate|compute|analy[sz]e|load|read|draw|make|create|show|list|count|sum|average|mean|qr|image|resize|fix|explain|why|what|how much|how many)\b|图|圖|表|数据|數據|文件|画|畫|计算|計算|分析|代码|代碼|グラフ|データ|ファイル|그래프|데이터|파일/u;

  /**
   * Greetings, thanks and fillers, one word each.
   */
  export const WORDS = new Set([
    // English
    'hi',
    'hello',
    'hey',
    'hiya',
    'yo',
    'thanks',
    'thank',
    'you',
    'thx',
    'ty',
    'cheers',
    'good',
    'morning',
    'afternoon',
    'evening',
    'night',
    'bye',
    'goodbye',
    'see',
    'ya',
    'later',
    'how',
    'are',
    'is',
    "how's",
    'it',
    'going',
    'doing',
    'there',
    'ok',
    'okay',
    'great',
    'nice',
    'cool',
    'awesome',
    'perfect',
    'lot',
    'a',
    'so',
    'much',
    'very',
    'all',
    'everyone',
    'again',
    'day',
    'have',
    // French
    'bonjour',
    'bonsoir',
    'salut',
    'merci',
    'beaucoup',
    'ça',
    'va',
    'au',
    'revoir',
    // Spanish, Portuguese, Italian
    'hola',
    'buenos',
    'días',
    'buenas',
    'tardes',
    'noches',
    'gracias',
    'muchas',
    'adiós',
    'olá',
    'oi',
    'obrigado',
    'obrigada',
    'ciao',
    'grazie',
    'buongiorno',
    // German, Dutch, Nordic
    'hallo',
    'danke',
    'schön',
    'vielen',
    'dank',
    'guten',
    'tag',
    'morgen',
    'servus',
    'tschüss',
    'moin',
    'dag',
    'bedankt',
    'hej',
    'tack',
    // Russian, Turkish, Polish
    'привет',
    'здравствуйте',
    'спасибо',
    'merhaba',
    'teşekkürler',
    'cześć',
    'dziękuję'
  ]);

  /**
   * Chinese, Japanese and Korean small-talk phrases, longest first.
   */
  export const CJK_PHRASES = [
    '你好吗',
    '你好嗎',
    '您好',
    '你好',
    '谢谢你',
    '謝謝你',
    '谢谢',
    '謝謝',
    '多谢',
    '多謝',
    '早上好',
    '晚上好',
    '再见',
    '再見',
    '哈喽',
    '嗨',
    'こんにちは',
    'こんばんは',
    'おはようございます',
    'おはよう',
    'ありがとうございます',
    'ありがとう',
    'さようなら',
    '안녕하세요',
    '안녕',
    '감사합니다',
    '고맙습니다'
  ];
}
