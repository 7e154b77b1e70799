/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

/// <reference types="node" />
import { readFileSync } from 'fs';
import { join } from 'path';

import { DEFAULT_PROMPTS } from '../agent/defaultPrompts';
import {
  PROMPT_VARIABLES,
  PromptName,
  renderPrompt,
  renderTemplate,
  templateVariables
} from '../agent/prompts';

const NAMES: PromptName[] = ['system', 'explain', 'fix'];

describe('default prompts', () => {
  it.each(NAMES)(
    '%s matches prompts/%s.md (run prompts/generate.mjs)',
    name => {
      const file = readFileSync(
        join(__dirname, '..', '..', 'prompts', `${name}.md`),
        'utf8'
      );
      expect(DEFAULT_PROMPTS[name]).toBe(file);
    }
  );

  it.each(NAMES)('%s uses only its documented variables', name => {
    const used = templateVariables(DEFAULT_PROMPTS[name]);
    expect(used.filter(v => !PROMPT_VARIABLES[name].includes(v))).toEqual([]);
  });

  it.each(NAMES)('%s is documented in docs/prompts.md', name => {
    const docs = readFileSync(
      join(__dirname, '..', '..', 'docs', 'prompts.md'),
      'utf8'
    );
    for (const variable of PROMPT_VARIABLES[name]) {
      expect(docs).toContain(`{{${variable}}}`);
    }
  });

  it('the system prompt covers language, defence, packages and CJK fonts', () => {
    const { text } = renderPrompt('system', {
      language: 'Simplified Chinese',
      language_tag: 'zh-Hans',
      max_steps: 10,
      timeout_seconds: 120
    });
    expect(text).toContain('answer in Simplified Chinese');
    expect(text).toContain('run_python');
    expect(text).toContain('missing values');
    expect(text).toContain('Never install packages');
    expect(text).toContain('CJK');
    expect(text).not.toMatch(/\{\{/);
  });
});

describe('renderTemplate', () => {
  it('fills variables, with spaces inside braces', () => {
    expect(renderTemplate('{{a}} and {{ b }}', { a: 1, b: 'two' })).toBe(
      '1 and two'
    );
  });

  it('leaves unknown variables alone', () => {
    expect(renderTemplate('{{x}}', {})).toBe('{{x}}');
  });
});

describe('renderPrompt', () => {
  it('uses a valid override', () => {
    const result = renderPrompt(
      'system',
      { language: 'French' },
      { system: 'Réponds en {{language}}.' }
    );
    expect(result).toEqual({ text: 'Réponds en French.', warning: null });
  });

  it('reports an override with an unknown variable and uses the default', () => {
    const result = renderPrompt(
      'fix',
      { language: 'English', code: 'x', error: 'E' },
      { fix: 'Fix {{code}} in {{langauge}}' }
    );
    expect(result.warning).toContain('{{langauge}}');
    expect(result.text).toContain('This notebook cell failed');
  });

  it('ignores a blank override', () => {
    const result = renderPrompt('explain', { code: 'x' }, { explain: '  ' });
    expect(result.warning).toBeNull();
    expect(result.text).toContain('Explain what this notebook cell does');
  });
});
