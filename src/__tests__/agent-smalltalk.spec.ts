/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { isSmallTalk } from '../agent/smalltalk';

describe('isSmallTalk', () => {
  it.each([
    'hi',
    'Hello!',
    'hey there',
    'thanks',
    'Thank you so much!',
    'good morning',
    'how are you?',
    '你好',
    '你好！',
    '谢谢',
    '謝謝你',
    'こんにちは',
    'ありがとうございます',
    '안녕하세요',
    'bonjour',
    'merci beaucoup',
    'hola',
    'muchas gracias',
    'danke',
    'Vielen Dank',
    'привет'
  ])('%s is small talk', prompt => {
    expect(isSmallTalk(prompt)).toBe(true);
  });

  it.each([
    '',
    'hi, plot sales.csv by month',
    'thanks, now draw a bar chart',
    'hello, how many rows does the data have?',
    '你好，请画一个销售图',
    '谢谢，再分析一下数据',
    'こんにちは、グラフを描いて',
    'make a QR code for https://jupyter.org',
    'resize logo.png to 200x200',
    'bonjour, tracez les ventes',
    '42'
  ])('%s is a task', prompt => {
    expect(isSmallTalk(prompt)).toBe(false);
  });
});
