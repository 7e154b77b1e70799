/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { expressionValue, KernelToolError } from '../kernel/replies';
import { parseGatewayStatus } from '../llm/emptystate';
import { describeError } from '../llm/errors';
import {
  failureMessage,
  TranslatableError,
  TranslateFn,
  untranslated
} from '../translate';

/**
 * A "Chinese" UI translation that marks what it translated.
 */
const chinese: TranslateFn = (msgid, ...args) =>
  `〔${untranslated(msgid, ...args)}〕`;

describe('TranslatableError', () => {
  it('keeps the English text as its message, for logs and the model', () => {
    const error = new TranslatableError('Waited %1 s for %2', [3, 'x']);
    expect(error.message).toBe('Waited 3 s for x');
    expect(error.msgid).toBe('Waited %1 s for %2');
    expect(error.args).toEqual([3, 'x']);
  });
});

describe('failureMessage', () => {
  it('translates an error that carries a msgid', () => {
    const error = new KernelToolError(
      'The kernel is still busy after %1 s.',
      'timeout',
      [5]
    );
    expect(error.message).toBe('The kernel is still busy after 5 s.');
    expect(failureMessage(error, chinese)).toBe(
      '〔The kernel is still busy after 5 s.〕'
    );
  });

  it('shows other errors as they are', () => {
    expect(failureMessage(new Error('HTTP 500'), chinese)).toBe('HTTP 500');
    expect(failureMessage('no kernel', chinese)).toBe('no kernel');
  });
});

describe('a kernel tool failure in a turn', () => {
  it('is described to the user in the UI language', () => {
    let thrown: unknown;
    try {
      expressionValue({ status: 'ok', data: { 'text/plain': 'not json' } });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(KernelToolError);
    expect(describeError(thrown, chinese).message).toBe(
      '〔The request failed: 〔The kernel helper answered in an unexpected format.〕〕'
    );
  });

  it('keeps its values out of the msgid', () => {
    let thrown: unknown;
    try {
      expressionValue({ status: 'error', ename: 'KeyError', evalue: "'x'" });
    } catch (error) {
      thrown = error;
    }
    expect((thrown as KernelToolError).msgid).toBe(
      'The kernel helper failed: %1'
    );
    expect((thrown as KernelToolError).message).toBe(
      "The kernel helper failed: KeyError: 'x'"
    );
  });
});

describe('a malformed status reply', () => {
  it('is explained in the UI language', () => {
    for (const reply of [null, { configured: 'yes' }]) {
      let thrown: unknown;
      try {
        parseGatewayStatus(reply);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(TranslatableError);
      expect(failureMessage(thrown, chinese)).toMatch(
        /^〔The status reply .*〕$/
      );
    }
  });
});
