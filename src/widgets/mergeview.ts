/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { MergeView, unifiedMergeView } from '@codemirror/merge';
import { EditorState, Extension } from '@codemirror/state';
import { EditorView, lineNumbers } from '@codemirror/view';
import { jupyterTheme } from '@jupyterlab/codemirror';

/**
 * A read-only CodeMirror diff of two versions of a cell's code.
 */
export interface IDiffView {
  /** Remove the editors from the page. */
  destroy(): void;
}

/**
 * Show the difference between `oldCode` and `newCode` in `parent`.
 *
 * #### Notes
 * `inline` is @codemirror/merge's unified view: the new code, with each
 * removed chunk shown above what replaced it (`.cm-deletedChunk`) and the
 * new lines marked (`.cm-changedLine`). `side-by-side` is its `MergeView`:
 * the old code on the left, the new on the right, unchanged lines aligned.
 * Both use JupyterLab's editor theme and, when given, the cell's language
 * for syntax highlighting, and neither can be edited: Apply replaces the
 * cell's source.
 */
export function createDiffView(options: IDiffView.IOptions): IDiffView {
  const readOnly = (label: string): Extension[] => [
    EditorState.readOnly.of(true),
    EditorView.editable.of(false),
    EditorView.contentAttributes.of({ 'aria-label': label }),
    lineNumbers(),
    jupyterTheme,
    options.language ?? []
  ];
  if (options.layout === 'inline') {
    const view = new EditorView({
      parent: options.parent,
      state: EditorState.create({
        doc: options.newCode,
        extensions: [
          readOnly(options.labels.inline),
          unifiedMergeView({
            original: options.oldCode,
            mergeControls: false,
            gutter: true
          })
        ]
      })
    });
    return { destroy: () => view.destroy() };
  }
  const view = new MergeView({
    parent: options.parent,
    a: { doc: options.oldCode, extensions: readOnly(options.labels.old) },
    b: { doc: options.newCode, extensions: readOnly(options.labels.new) },
    gutter: true
  });
  return { destroy: () => view.destroy() };
}

/**
 * A namespace for `createDiffView` statics.
 */
export namespace IDiffView {
  /**
   * How the diff is laid out.
   */
  export type Layout = 'inline' | 'side-by-side';

  /**
   * The options of a diff view.
   */
  export interface IOptions {
    /** The node the editors go into. */
    parent: HTMLElement;
    oldCode: string;
    newCode: string;
    layout: Layout;
    /** The cell's language (highlighting), if loaded. */
    language?: Extension | null;
    /** What assistive technology announces for each editor (translated). */
    labels: { inline: string; old: string; new: string };
  }
}
