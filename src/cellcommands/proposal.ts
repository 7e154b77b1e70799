/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

/**
 * A fix the model proposed: the new code and what it said around it.
 */
export interface IFixProposal {
  /** The fixed code, from the answer's Python block. */
  code: string;
  /** The answer without the code block (the explanation). */
  explanation: string;
}

/**
 * Read the fixed code from the model's answer.
 *
 * #### Notes
 * The fix prompt asks for exactly one ```python block. When there are
 * several, the last Python block is the fix (models tend to quote the broken
 * code first); an unlabelled block is used when there is no Python one.
 * `null` when the answer holds no code block.
 *
 * @param answer - the model's answer, Markdown.
 */
export function parseFixProposal(answer: string): IFixProposal | null {
  const blocks = [...answer.matchAll(Private.FENCE)].map(match => ({
    lang: (match[2] ?? '').trim().toLowerCase(),
    code: match[3],
    whole: match[0]
  }));
  const python = blocks.filter(b =>
    ['python', 'py', 'python3'].includes(b.lang)
  );
  const chosen =
    python[python.length - 1] ?? blocks.filter(b => !b.lang).pop() ?? null;
  if (!chosen) {
    return null;
  }
  return {
    code: chosen.code.replace(/\n$/, ''),
    explanation: answer.replace(chosen.whole, '').trim()
  };
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * A fenced code block: the fence, its language, its body.
   */
  export const FENCE =
    /(```+|~~~+)[ \t]*([\w+-]*)[^\n]*\n([\s\S]*?)\n?\1[ \t]*(?=\n|$)/g;
}
