/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { TranslateFn, untranslated } from '../translate';
import { DEFAULT_PROMPTS } from './defaultPrompts';

/**
 * The prompt templates, as in `prompts/` and the `prompts` setting.
 *
 * #### Notes
 * `systemText` (prompts/system-text.md) is the system prompt of the text
 * tool protocol: it describes the tool itself, for models without native
 * tool calls.
 */
export type PromptName = 'system' | 'systemText' | 'explain' | 'fix';

/**
 * The variables each template may use (documented in docs/prompts.md).
 */
export const PROMPT_VARIABLES: Readonly<
  Record<PromptName, ReadonlyArray<string>>
> = Object.freeze({
  system: ['language', 'language_tag', 'max_steps', 'timeout_seconds'],
  systemText: ['language', 'language_tag', 'max_steps', 'timeout_seconds'],
  explain: ['language', 'language_tag', 'code', 'outputs'],
  fix: ['language', 'language_tag', 'code', 'error']
});

/**
 * Template overrides from the settings; blank or absent = the default.
 */
export type PromptOverrides = Partial<Record<PromptName, string>>;

/**
 * A rendered prompt, and what went wrong with the user's override, if any.
 */
export interface IRenderedPrompt {
  /**
   * The prompt text.
   */
  text: string;

  /**
   * Why the override was not used, for the panel to show; `null` when fine.
   */
  warning: string | null;
}

/**
 * The variables `{{name}}` a template uses, in order, without repeats.
 *
 * @param template - the template text.
 */
export function templateVariables(template: string): string[] {
  const names = new Set<string>();
  for (const match of template.matchAll(Private.VARIABLE)) {
    names.add(match[1]);
  }
  return [...names];
}

/**
 * Replace each `{{name}}` by its value; unknown names are left as they are.
 *
 * @param template - the template text.
 * @param values - the values by variable name.
 */
export function renderTemplate(
  template: string,
  values: Readonly<Record<string, string | number>>
): string {
  return template.replace(Private.VARIABLE, (match: string, name: string) =>
    Object.prototype.hasOwnProperty.call(values, name)
      ? String(values[name])
      : match
  );
}

/**
 * Render one prompt: the user's override if it is valid, else the default.
 *
 * #### Notes
 * An override that uses a variable the template does not know is reported
 * and not used, so a typo (`{{langauge}}`) never reaches the model.
 *
 * @param name - which prompt.
 * @param values - the values of its variables.
 * @param overrides - the `prompts` setting.
 * @param trans - translates the warning.
 */
export function renderPrompt(
  name: PromptName,
  values: Readonly<Record<string, string | number>>,
  overrides: PromptOverrides = {},
  trans: TranslateFn = untranslated
): IRenderedPrompt {
  const override = overrides[name];
  let template = DEFAULT_PROMPTS[name];
  let warning: string | null = null;
  if (override && override.trim()) {
    const unknown = templateVariables(override).filter(
      variable => !PROMPT_VARIABLES[name].includes(variable)
    );
    if (unknown.length) {
      warning = trans(
        'The %1 prompt in the settings uses unknown variables (%2); the default prompt is used. Known variables: %3.',
        name,
        unknown.map(variable => `{{${variable}}}`).join(', '),
        PROMPT_VARIABLES[name].map(variable => `{{${variable}}}`).join(', ')
      );
    } else {
      template = override;
    }
  }
  return { text: renderTemplate(template, values).trim(), warning };
}

/**
 * The default templates, by name.
 */
export function defaultTemplate(name: PromptName): string {
  return DEFAULT_PROMPTS[name];
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * `{{ name }}`, spaces allowed inside the braces.
   */
  export const VARIABLE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
}
