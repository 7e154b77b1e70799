/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import {
  checkExpression,
  encodeBase64Utf8,
  executeReplyError,
  expressionValue,
  KernelToolError,
  STATE_EXPRESSION,
  toCheckResult,
  toFolderListing,
  toKernelState
} from '../kernel/replies';

describe('encodeBase64Utf8', () => {
  it.each([
    ['', ''],
    ['a', 'YQ=='],
    ['ab', 'YWI='],
    ['abc', 'YWJj'],
    ['print("hi")\n', 'cHJpbnQoImhpIikK'],
    ['你好', '5L2g5aW9'],
    ['é€😀', 'w6nigqzwn5iA']
  ])('encodes %j', (text, encoded) => {
    expect(encodeBase64Utf8(text)).toBe(encoded);
  });

  it('replaces a lone surrogate as TextEncoder does', () => {
    expect(encodeBase64Utf8('\ud800')).toBe(encodeBase64Utf8('\ufffd'));
  });
});

describe('expressions', () => {
  it('passes code base64-encoded, so quotes and newlines cannot break out', () => {
    const expression = checkExpression('x = "\\"")\n!rm -rf /');
    expect(expression).toMatch(
      /^__code_interpreter__\.check_reply\("[A-Za-z0-9+/=]*"\)$/
    );
    expect(STATE_EXPRESSION).toBe('__code_interpreter__.state_reply()');
  });
});

describe('expressionValue', () => {
  it('prefers application/json', () => {
    const value = { findings: [] };
    expect(
      expressionValue({
        status: 'ok',
        data: { 'application/json': value, 'text/plain': 'x' }
      })
    ).toBe(value);
  });

  it('falls back on a JSON text/plain repr', () => {
    expect(
      expressionValue({ status: 'ok', data: { 'text/plain': '{"a": 1}' } })
    ).toEqual({
      a: 1
    });
  });

  it('reports missing helpers so the caller reinstalls them', () => {
    expect.assertions(2);
    try {
      expressionValue({
        status: 'error',
        ename: 'NameError',
        evalue: "name '__code_interpreter__' is not defined"
      });
    } catch (error) {
      expect(error).toBeInstanceOf(KernelToolError);
      expect((error as KernelToolError).reason).toBe('missing');
    }
  });

  it('turns a helper crash into a readable error', () => {
    expect(() =>
      expressionValue({ status: 'error', ename: 'TypeError', evalue: 'bad' })
    ).toThrow('The kernel helper failed: TypeError: bad');
    expect(() => expressionValue(undefined)).toThrow(KernelToolError);
    expect(() =>
      expressionValue({ status: 'ok', data: { 'text/plain': 'nope' } })
    ).toThrow('unexpected format');
  });
});

describe('toCheckResult', () => {
  it('reads every policy category, and asks about one it does not know', () => {
    const result = toCheckResult({
      syntaxError: null,
      findings: [
        { category: 'dynamic', detail: 'runs code built at run time', line: 2 },
        { category: 'secrets', detail: 'reads OPENAI_API_KEY', line: 3 },
        { category: 'delete_outside', detail: 'changes /etc/x', line: 4 },
        { category: 'teleport', detail: 'beams the kernel up', line: 5 }
      ]
    });
    expect(result.findings.map(f => [f.category, f.line])).toEqual([
      ['dynamic', 2],
      ['secrets', 3],
      ['delete_outside', 4],
      ['dynamic', 5]
    ]);
    expect(result.findings[3].detail).toBe('teleport: beams the kernel up');
  });

  it('keeps well-formed findings and the syntax error', () => {
    const result = toCheckResult({
      syntaxError: {
        message: "'(' was never closed",
        line: 3,
        offset: 5,
        text: 'y = ('
      },
      findings: [
        {
          category: 'install',
          detail: 'installs packages: qrcode',
          line: 1,
          packages: ['qrcode']
        },
        { category: 'network', detail: 'calls requests.get', line: '7' }
      ]
    });
    expect(result.syntaxError).toEqual({
      message: "'(' was never closed",
      line: 3,
      offset: 5,
      text: 'y = ('
    });
    expect(result.findings).toEqual([
      {
        category: 'install',
        detail: 'installs packages: qrcode',
        line: 1,
        packages: ['qrcode']
      },
      { category: 'network', detail: 'calls requests.get', line: 1 }
    ]);
  });

  it('reads a clean result', () => {
    expect(toCheckResult({ syntaxError: null, findings: [] })).toEqual({
      syntaxError: null,
      findings: []
    });
    expect(toCheckResult('garbage')).toEqual({
      syntaxError: null,
      findings: []
    });
  });
});

describe('toKernelState', () => {
  it('reads variables, packages, folder and files', () => {
    expect(
      toKernelState({
        variables: [
          { name: 'df', type: 'pandas.DataFrame', shape: '(3, 1)' },
          { type: 'x' }
        ],
        packages: { numpy: '2.1.0' },
        cwd: '/home/ada/work',
        files: ['data.csv', 'out/']
      })
    ).toEqual({
      variables: [{ name: 'df', type: 'pandas.DataFrame', shape: '(3, 1)' }],
      packages: { numpy: '2.1.0' },
      imports: {},
      cwd: '/home/ada/work',
      files: ['data.csv', 'out/']
    });
  });

  it('reads the header lines of the CSV files', () => {
    const state = toKernelState({
      variables: [],
      packages: {},
      cwd: '/w',
      files: ['a.csv', 'b.csv'],
      headers: { 'a.csv': 'Employee ID,Dept ', 'b.csv': 3 }
    });
    expect(state.headers).toEqual({ 'a.csv': 'Employee ID,Dept ' });
  });
});

describe('toFolderListing', () => {
  it('reads a listing and marks anything malformed incomplete', () => {
    const listing = { cwd: '/w', names: ['a.csv', 'out/'], complete: true };
    expect(toFolderListing(listing)).toEqual(listing);
    expect(toFolderListing({ ...listing, complete: false }).complete).toBe(
      false
    );
    expect(toFolderListing({ ...listing, names: ['a', 3] })).toEqual({
      cwd: '/w',
      names: ['a'],
      complete: false
    });
    expect(toFolderListing(null)).toEqual({
      cwd: '',
      names: [],
      complete: false
    });
  });

  it('reads the DataFrames and their columns, leaving out what is malformed', () => {
    const listing = toFolderListing({
      cwd: '/w',
      names: [],
      complete: true,
      frames: [
        { name: 'employees', rows: 90, columns: ['Employee ID', 'Dept '] },
        { rows: 1, columns: [] }
      ]
    });
    expect(listing.frames).toEqual([
      { name: 'employees', rows: 90, columns: ['Employee ID', 'Dept '] }
    ]);
  });
});

describe('executeReplyError', () => {
  it('explains failed installs and aborted requests', () => {
    expect(executeReplyError({ status: 'ok' })).toBeNull();
    expect(
      executeReplyError({
        status: 'error',
        ename: 'ImportError',
        evalue: 'IPython'
      })?.message
    ).toBe('Installing the kernel helpers failed: ImportError: IPython');
    expect(executeReplyError({ status: 'aborted' })?.reason).toBe('kernel');
  });
});
