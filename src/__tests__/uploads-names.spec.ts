/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { formatBytes } from '../bytesize';
import {
  isTooLarge,
  safeFileName,
  safeSubfolder,
  splitExtension,
  uniqueName
} from '../uploads/names';

describe('safeFileName', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\windows\\system.ini', 'system.ini'],
    ['/absolute/path/data.csv', 'data.csv'],
    ['..', 'upload'],
    ['../..', 'upload'],
    ['.', 'upload'],
    ['', 'upload'],
    ['.bashrc', 'bashrc'],
    ['...hidden.csv', 'hidden.csv'],
    ['  .env', 'env'],
    ['data.csv...', 'data.csv'],
    ['name\u0000with\u0007controls\n.csv', 'namewithcontrols.csv'],
    ['invoice\u202egpj.exe', 'invoicegpj.exe'],
    ['a<b>c:d"e|f?g*h.txt', 'a_b_c_d_e_f_g_h.txt'],
    ['CON', '_CON'],
    ['nul.txt', '_nul.txt'],
    ['folder/', 'folder'],
    ['销售数据 2024.csv', '销售数据 2024.csv'],
    ['data (1).csv', 'data (1).csv']
  ])('%j → %j', (hostile, safe) => {
    expect(safeFileName(hostile)).toBe(safe);
  });

  it('never returns a name with a separator, a leading dot or ..', () => {
    const hostile = [
      '../../etc/passwd',
      '....//....//x',
      '.\\..\\.\\y',
      '%2e%2e%2fz',
      '..%00.csv',
      '\u0000',
      '/../../'
    ];
    for (const name of hostile) {
      const safe = safeFileName(name);
      expect(safe).not.toMatch(/[/\\]/);
      expect(safe.startsWith('.')).toBe(false);
      expect(safe).not.toBe('..');
      expect(safe.length).toBeGreaterThan(0);
    }
  });

  it('caps long names and keeps the extension', () => {
    const safe = safeFileName('x'.repeat(500) + '.csv');
    expect(safe.length).toBeLessThanOrEqual(120);
    expect(safe.endsWith('.csv')).toBe(true);
  });
});

describe('splitExtension', () => {
  it.each([
    ['data.csv', ['data', '.csv']],
    ['logs.tar.gz', ['logs', '.tar.gz']],
    ['README', ['README', '']],
    ['a.b.c', ['a.b', '.c']]
  ])('%j', (name, parts) => {
    expect(splitExtension(name)).toEqual(parts);
  });
});

describe('uniqueName', () => {
  it('keeps a free name', () => {
    expect(uniqueName('data.csv', ['other.csv'])).toBe('data.csv');
  });

  it('numbers a taken one: data (1).csv, then data (2).csv', () => {
    expect(uniqueName('data.csv', ['data.csv'])).toBe('data (1).csv');
    expect(uniqueName('data.csv', ['data.csv', 'data (1).csv'])).toBe(
      'data (2).csv'
    );
  });

  it('compares ignoring case', () => {
    expect(uniqueName('Data.CSV', ['data.csv'])).toBe('Data (1).CSV');
  });

  it('counts on from a numbered name', () => {
    expect(uniqueName('data (1).csv', ['data (1).csv'])).toBe('data (2).csv');
  });

  it('keeps double extensions and names without one', () => {
    expect(uniqueName('logs.tar.gz', ['logs.tar.gz'])).toBe('logs (1).tar.gz');
    expect(uniqueName('README', ['README'])).toBe('README (1)');
  });
});

describe('safeSubfolder', () => {
  it.each([
    ['', ''],
    ['uploads', 'uploads'],
    ['data/uploads/', 'data/uploads'],
    ['../outside', 'outside'],
    ['/etc', 'etc'],
    ['a/../../b', 'a/b'],
    ['.hidden/x', 'hidden/x']
  ])('%j → %j', (folder, safe) => {
    expect(safeSubfolder(folder)).toBe(safe);
  });
});

describe('isTooLarge', () => {
  it('refuses only what is over the limit', () => {
    expect(isTooLarge(512 * 1024 * 1024, 512)).toBe(false);
    expect(isTooLarge(512 * 1024 * 1024 + 1, 512)).toBe(true);
    expect(isTooLarge(2049, 0.001)).toBe(true);
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [512, '512 B'],
    [1536, '1.5 KB'],
    [12 * 1024 * 1024, '12 MB'],
    [1.25 * 1024 ** 3, '1.3 GB']
  ])('%d → %s', (size, text) => {
    expect(formatBytes(size)).toBe(text);
  });
});
