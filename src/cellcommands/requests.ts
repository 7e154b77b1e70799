/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { ILanguage } from '../agent/language';
import { PromptOverrides, renderPrompt } from '../agent/prompts';
import type { TranslateFn } from '../tokens';
import { contextSection, errorExcerpt, ICellContext } from './context';

/**
 * A request of a cell command: what the model gets, what the chat shows.
 */
export interface ICellRequest {
  /** The prompt sent: the rendered template, then the context section. */
  prompt: string;
  /** The user message shown in the chat. */
  display: string;
  /** Why the user's template override was not used, or `null`. */
  warning: string | null;
  /**
   * The cell's outputs (and error) as the prompt quotes them, which the
   * answer's numbers are checked against; '' when it quotes none.
   */
  quoted: string;
}

/**
 * Build the "Explain this cell" request.
 */
export function explainRequest(
  context: ICellContext,
  language: ILanguage,
  overrides: PromptOverrides,
  trans: TranslateFn
): ICellRequest {
  const rendered = renderPrompt(
    'explain',
    {
      language: language.name,
      language_tag: language.tag,
      code: context.code,
      outputs: Private.outputsWithError(context)
    },
    overrides,
    trans
  );
  return {
    prompt: Private.join(rendered.text, contextSection(context)),
    display: Private.display(
      context.isSelection
        ? trans('Explain this selection')
        : trans('Explain this cell'),
      context.code,
      context.error ?? undefined
    ),
    warning: rendered.warning,
    quoted: Private.quotedOutputs(context)
  };
}

/**
 * Build the "Fix this cell" request.
 *
 * @param problem - the cell's error, or what the user says is wrong.
 * @param attempt - 1 for the first request, then one more per failed rerun.
 */
export function fixRequest(
  context: ICellContext,
  problem: string,
  language: ILanguage,
  overrides: PromptOverrides,
  trans: TranslateFn,
  attempt = 1
): ICellRequest {
  const rendered = renderPrompt(
    'fix',
    {
      language: language.name,
      language_tag: language.tag,
      code: context.code,
      error: problem
    },
    overrides,
    trans
  );
  const title =
    attempt > 1
      ? trans('The fixed cell failed again (attempt %1)', attempt)
      : context.isSelection
        ? trans('Fix this selection')
        : trans('Fix this cell');
  return {
    prompt: Private.join(rendered.text, contextSection(context)),
    display: Private.display(title, context.code, problem),
    warning: rendered.warning,
    quoted: ''
  };
}

/**
 * Build the "Ask about this cell" prompt: the user's question with the cell.
 */
export function askRequest(
  context: ICellContext,
  question: string
): ICellRequest {
  const cell = Private.fenced(context.code, 'python');
  const outputs = context.outputs
    ? `\n\nIts outputs:\n\n\`\`\`\n${context.outputs}\n\`\`\``
    : '';
  const error = context.error
    ? `\n\nIts error:\n\n\`\`\`\n${context.error}\n\`\`\``
    : '';
  return {
    prompt: Private.join(
      `${question.trim()}\n\nAbout this notebook cell:\n\n${cell}${outputs}${error}`,
      contextSection(context)
    ),
    display: `${question.trim()}\n\n${cell}`,
    warning: null,
    quoted: Private.quotedOutputs(context)
  };
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * The prompt and its context section, if any.
   */
  export function join(prompt: string, context: string): string {
    return context ? `${prompt}\n\n${context}` : prompt;
  }

  /**
   * The explain template's outputs: what the cell printed, then its error,
   * so an explanation of a failing cell knows why it failed.
   */
  export function outputsWithError(context: ICellContext): string {
    const error = context.error ? `The cell raised ${context.error}` : '';
    return (
      [context.outputs, error].filter(Boolean).join('\n\n') || '(no output)'
    );
  }

  /**
   * The outputs and error a prompt quotes, as one text.
   */
  export function quotedOutputs(context: ICellContext): string {
    return [context.outputs, context.error ?? ''].filter(Boolean).join('\n\n');
  }

  /**
   * The chat's user message, in Markdown: a bold title, the code, and the
   * problem's excerpt if any.
   */
  export function display(
    title: string,
    code: string,
    problem?: string
  ): string {
    const lines = code.split('\n');
    const shown =
      lines.length > 12 ? [...lines.slice(0, 12), '# …'].join('\n') : code;
    const error = problem ? `\n\n${fenced(errorExcerpt(problem))}` : '';
    return `**${title}**\n\n${fenced(shown, 'python')}${error}`;
  }

  /**
   * A Markdown code block whose fence is longer than any run of backticks
   * in the text, so the text cannot close it.
   */
  export function fenced(text: string, info = ''): string {
    const longest = Math.max(
      2,
      ...[...text.matchAll(/`+/g)].map(match => match[0].length)
    );
    const fence = '`'.repeat(longest + 1);
    return `${fence}${info}\n${text}\n${fence}`;
  }
}
