/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { detectLanguage } from '../agent/language';

describe('detectLanguage', () => {
  it.each([
    ['你好', 'zh-Hans', 'Simplified Chinese'],
    ['你好嗎', 'zh-Hant', 'Traditional Chinese'],
    ['请画出销售数据的柱状图', 'zh-Hans', 'Simplified Chinese'],
    ['請畫出銷售數據的柱狀圖', 'zh-Hant', 'Traditional Chinese'],
    ['こんにちは', 'ja', 'Japanese'],
    ['売上のグラフを描いて', 'ja', 'Japanese'],
    ['안녕하세요', 'ko', 'Korean'],
    ['hi', 'en', 'English'],
    ['thanks!', 'en', 'English'],
    ['plot sales by month', 'en', 'English'],
    ['bonjour', 'fr', 'French'],
    ['hola', 'es', 'Spanish'],
    ['danke', 'de', 'German'],
    ['Bonjour, pouvez-vous tracer les ventes par mois ?', 'fr', 'French'],
    ['Bitte zeichne ein Diagramm der Umsätze pro Monat', 'de', 'German'],
    [
      'Por favor, dibuja un gráfico de las ventas por mes y la media',
      'es',
      'Spanish'
    ],
    ['Привет, построй график продаж', 'ru', 'Russian'],
    ['مرحبا، ارسم مخططا للمبيعات', 'ar', 'Arabic'],
    // Plain ASCII questions tinyld took for Hungarian (issue 12).
    [
      'How many rows of sales.csv have a missing discount? Answer with an integer.',
      'en',
      'English'
    ],
    [
      'Which product in sales.csv has the most units sold in total? Answer with the product name only.',
      'en',
      'English'
    ],
    ['divide by zero', 'en', 'English'],
    ['Cuantas filas tiene el archivo sales.csv?', 'es', 'Spanish'],
    ['Bitte zeichne ein Diagramm der Umsatze pro Monat', 'de', 'German'],
    [
      'Hány sora van a fájlnak? Válaszolj egy egész számmal.',
      'hu',
      'Hungarian'
    ],
    ['', 'en', 'English'],
    ['123 + 456', 'en', 'English']
  ])('%s → %s', (text, tag, name) => {
    expect(detectLanguage(text)).toEqual({ tag, name });
  });

  it('takes a Chinese prompt with English column names for Chinese', () => {
    expect(detectLanguage('画出 sales 列的直方图').tag).toBe('zh-Hans');
  });

  it('takes an English prompt quoting a Chinese word for English', () => {
    expect(
      detectLanguage('Please translate the column header 销售 into English').tag
    ).toBe('en');
  });
});
