/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { IKernelState } from './tokens';

/**
 * How many estimated tokens the package list may take in a request.
 *
 * #### Notes
 * A large environment has hundreds of distributions; listing them all would
 * cost thousands of tokens on every request of every turn, mostly for
 * packages a data task never uses.
 */
export const PACKAGE_TOKEN_BUDGET = 300;

/**
 * The kernel's importable packages in the compact form the model reads:
 * data-science packages first with their versions, then the others by name
 * (with the module to import when it is not the name), within a token
 * budget, and how many were left out.
 *
 * #### Notes
 * The list is what the kernel can import (its helpers look), so "use only
 * the installed packages" in the system prompt means what it says. A left
 * out package is still installed; the text tells the model how to check one.
 * `(unknown)` when the kernel told nothing.
 *
 * @param state - the kernel's packages and import names.
 * @param budgetTokens - the estimated tokens the text may take.
 */
export function describePackages(
  state: Pick<IKernelState, 'packages' | 'imports'> | null,
  budgetTokens: number = PACKAGE_TOKEN_BUDGET
): string {
  const packages = state?.packages ?? {};
  const names = Object.keys(packages);
  if (!names.length) {
    return '(unknown)';
  }
  const imports = state?.imports ?? {};
  const label = (name: string, withVersion: boolean): string => {
    const version = withVersion && packages[name] ? ` ${packages[name]}` : '';
    const modules = imports[name]?.length
      ? ` (import ${imports[name].join(', ')})`
      : '';
    return `${name}${version}${modules}`;
  };
  const priority = Private.PRIORITY.filter(name => name in packages);
  const rest = names
    .filter(name => !Private.PRIORITY.includes(name))
    .sort((a, b) => Private.rank(a) - Private.rank(b) || a.localeCompare(b));
  const labels = [
    ...priority.map(name => label(name, true)),
    ...rest.map(name => label(name, false))
  ];
  const budget = budgetTokens * Private.CHARACTERS_PER_TOKEN;
  const chosen: string[] = [];
  let used = 0;
  for (const item of labels) {
    if (used + item.length + 2 > budget) {
      break;
    }
    chosen.push(item);
    used += item.length + 2;
  }
  const left = labels.length - chosen.length;
  const listed = `${chosen.join(', ')}; and the standard library`;
  return left > 0
    ? `${listed}. ${left} more installed, not listed: check one with importlib.util.find_spec('name') before relying on it.`
    : `${listed}.`;
}

/**
 * Only the kernel's data packages (numpy, pandas, matplotlib, … those
 * installed) with their versions: the text protocol's context.
 *
 * #### Notes
 * A small model reads the whole list before it answers; a hundred
 * distributions cost ~440 tokens (half its first request) and push the
 * question far back. The data packages take ~20.
 *
 * @param state - the kernel's packages.
 */
export function describeDataPackages(
  state: Pick<IKernelState, 'packages'> | null
): string {
  const packages = state?.packages ?? {};
  if (!Object.keys(packages).length) {
    return '(unknown)';
  }
  const listed = Private.PRIORITY.filter(name => name in packages).map(name =>
    packages[name] ? `${name} ${packages[name]}` : name
  );
  return listed.length
    ? `${listed.join(', ')}; and the standard library.`
    : 'the standard library.';
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * As `estimateTokens` counts (conversation/messages.ts).
   */
  export const CHARACTERS_PER_TOKEN = 4;

  /**
   * Data-science packages, listed first and with versions (their APIs
   * differ between versions), in this order; canonical names (PEP 503).
   */
  export const PRIORITY: ReadonlyArray<string> = [
    'numpy',
    'pandas',
    'polars',
    'pyarrow',
    'scipy',
    'statsmodels',
    'scikit-learn',
    'matplotlib',
    'seaborn',
    'plotly',
    'altair',
    'bokeh',
    'pyecharts',
    'sympy',
    'pypdf',
    'networkx',
    'xgboost',
    'lightgbm',
    'catboost',
    'torch',
    'tensorflow',
    'keras',
    'jax',
    'transformers',
    'duckdb',
    'sqlalchemy',
    'openpyxl',
    'xlrd',
    'xlsxwriter',
    'pillow',
    'opencv-python',
    'opencv-python-headless',
    'scikit-image',
    'geopandas',
    'shapely',
    'folium',
    'xarray',
    'dask',
    'numba',
    'nltk',
    'jieba',
    'wordcloud',
    'requests',
    'httpx',
    'beautifulsoup4',
    'lxml',
    'pymysql',
    'psycopg2',
    'psycopg2-binary',
    'tabulate',
    'tqdm',
    'qrcode'
  ];

  /**
   * Tooling a data task rarely imports (the notebook server's own stack,
   * type stubs, test runners) goes after the rest.
   */
  const TOOLING =
    /^(jupyter|jupyterlab|ipy|nb|notebook|types-|pytest|sphinx|pip$|setuptools$|wheel$)/;

  /**
   * 0 for packages of general use, 1 for tooling.
   */
  export function rank(name: string): number {
    return TOOLING.test(name) ? 1 : 0;
  }
}
