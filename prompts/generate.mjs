/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 *
 * Writes src/agent/defaultPrompts.ts from prompts/*.md, so that the default
 * templates reach the bundle (and jest) as plain strings. Run by build:lib;
 * a jest test fails when the generated file is stale.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as prettier from 'prettier';

const here = dirname(fileURLToPath(import.meta.url));
// The template's key (the `prompts` setting's property) and its file.
const templates = [
  ['system', 'system'],
  ['systemText', 'system-text'],
  ['explain', 'explain'],
  ['fix', 'fix']
];

const entries = templates
  .map(([key, file]) => {
    const text = readFileSync(join(here, `${file}.md`), 'utf8');
    return `  ${key}: ${JSON.stringify(text)}`;
  })
  .join(',\n');

const source = `/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

// Generated from prompts/*.md by prompts/generate.mjs: edit the .md files.

/**
 * The default prompt templates, as in prompts/*.md.
 */
export const DEFAULT_PROMPTS = {
${entries}
};
`;

const target = join(here, '..', 'src', 'agent', 'defaultPrompts.ts');
const options = (await prettier.resolveConfig(target)) ?? {};
writeFileSync(
  target,
  await prettier.format(source, { ...options, filepath: target })
);
