/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import {
  describeDataPackages,
  describePackages,
  PACKAGE_TOKEN_BUDGET
} from '../agent/packages';
import { contextMessage, judgeStep } from '../agent/toolresults';
import { DEFAULT_AGENT_SETTINGS } from '../agent/settings';
import type { IKernelState } from '../agent/tokens';
import { toKernelState } from '../kernel/replies';

/**
 * A big environment: `count` made-up distributions plus a few real ones.
 */
function bigEnvironment(count: number): IKernelState {
  const packages: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    packages[`lib-${String(i).padStart(3, '0')}`] = `1.${i}.0`;
  }
  Object.assign(packages, {
    'jupyter-server': '2.14.0',
    ipykernel: '6.29.0',
    'scikit-learn': '1.5.2',
    pandas: '2.2.3',
    numpy: '2.1.3',
    pillow: '11.0.0',
    zzz: '0.1'
  });
  return {
    variables: [],
    packages,
    imports: { 'scikit-learn': ['sklearn'], pillow: ['PIL'] },
    cwd: '/work',
    files: []
  };
}

describe('describePackages', () => {
  it('lists a small environment whole, data-science packages first', () => {
    const text = describePackages({
      packages: { json5: '0.9', numpy: '2.1.3', 'scikit-learn': '1.5.2' },
      imports: { 'scikit-learn': ['sklearn'] }
    });
    expect(text).toBe(
      'numpy 2.1.3, scikit-learn 1.5.2 (import sklearn), json5; and the standard library.'
    );
  });

  it('stays within its token budget in a 500-package environment and says how many it left out', () => {
    const state = bigEnvironment(500);
    const text = describePackages(state);
    expect(text.length).toBeLessThanOrEqual(PACKAGE_TOKEN_BUDGET * 4 + 200);
    // The data-science packages come first, with versions and import names.
    expect(
      text.startsWith(
        'numpy 2.1.3, pandas 2.2.3, scikit-learn 1.5.2 (import sklearn), pillow 11.0.0 (import PIL), lib-000'
      )
    ).toBe(true);
    const listed = text.split(';')[0].split(', ').length;
    const match =
      /(\d+) more installed, not listed: check one with importlib\.util\.find_spec/.exec(
        text
      );
    expect(match).not.toBeNull();
    expect(listed + Number(match![1])).toBe(507);
    // Tooling sorts after the packages a task may use: cut first.
    expect(text).not.toContain('jupyter-server');
    expect(text).not.toContain('ipykernel');
  });

  it('keeps tooling when there is room, after the rest', () => {
    const text = describePackages({
      packages: { ipykernel: '6', zlib: '1', 'jupyter-server': '2', attrs: '1' }
    });
    expect(text).toBe(
      'attrs, zlib, ipykernel, jupyter-server; and the standard library.'
    );
  });

  it('says (unknown) when the kernel told nothing', () => {
    expect(describePackages(null)).toBe('(unknown)');
    expect(describePackages({ packages: {} })).toBe('(unknown)');
  });
});

describe('describeDataPackages', () => {
  it('lists only the data packages, with versions', () => {
    expect(describeDataPackages(bigEnvironment(500))).toBe(
      'numpy 2.1.3, pandas 2.2.3, scikit-learn 1.5.2, pillow 11.0.0; and the standard library.'
    );
    expect(describeDataPackages({ packages: { zzz: '1' } })).toBe(
      'the standard library.'
    );
    expect(describeDataPackages(null)).toBe('(unknown)');
  });

  it('is what the text protocol’s context lists', () => {
    const message = contextMessage(bigEnvironment(500), false, {
      dataPackagesOnly: true
    });
    expect(message).toContain(
      'Installed data packages: numpy 2.1.3, pandas 2.2.3,'
    );
    expect(message).not.toContain('lib-000');
  });
});

describe('the package list in requests', () => {
  it('is bounded in the context message', () => {
    const message = contextMessage(bigEnvironment(500), false);
    const line = message
      .split('\n')
      .find(l => l.startsWith('Installed packages: '))!;
    expect(line.length).toBeLessThan(PACKAGE_TOKEN_BUDGET * 4 + 250);
    expect(line).toContain('more installed, not listed');
  });

  it('is bounded in the refusal of an install', () => {
    const { refusal } = judgeStep(
      {
        syntaxError: null,
        findings: [
          {
            category: 'install',
            detail: 'installs packages: qrcode',
            line: 1,
            packages: ['qrcode']
          }
        ]
      },
      DEFAULT_AGENT_SETTINGS.policy,
      'auto',
      bigEnvironment(500)
    );
    expect(refusal).toContain('Use what is installed: numpy 2.1.3');
    expect(refusal!.length).toBeLessThan(PACKAGE_TOKEN_BUDGET * 4 + 600);
  });

  it('reads the import names from the kernel reply, tolerating junk', () => {
    const state = toKernelState({
      variables: [],
      packages: { pillow: '11.0.0', numpy: '2.1.3' },
      imports: { pillow: ['PIL', null], bad: 'PIL' },
      cwd: '/w',
      files: []
    });
    expect(state.imports).toEqual({ pillow: ['PIL'], bad: [] });
    expect(describePackages(state)).toBe(
      'numpy 2.1.3, pillow 11.0.0 (import PIL); and the standard library.'
    );
  });
});
