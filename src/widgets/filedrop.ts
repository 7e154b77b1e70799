/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { DisposableDelegate, IDisposable } from '@lumino/disposable';

/**
 * Take files dropped from the desktop on `node`, marking it while they hover.
 *
 * #### Notes
 * Only drags that carry files are taken; Lumino's own drags (cells, tabs)
 * use other events and pass by. The drop is not left to the browser, which
 * would open the file in place of JupyterLab.
 *
 * @returns what stops watching.
 */
export function watchFileDrops(
  node: HTMLElement,
  onFiles: (files: File[]) => void
): IDisposable {
  let depth = 0;
  const carriesFiles = (event: DragEvent): boolean =>
    Array.from(event.dataTransfer?.types ?? []).includes('Files');
  const mark = (on: boolean): void => {
    node.classList.toggle(DROP_TARGET_CLASS, on);
  };
  const onEnter = (event: DragEvent): void => {
    if (carriesFiles(event)) {
      event.preventDefault();
      depth++;
      mark(true);
    }
  };
  const onOver = (event: DragEvent): void => {
    if (carriesFiles(event)) {
      event.preventDefault();
      if (event.dataTransfer) {
        event.dataTransfer.dropEffect = 'copy';
      }
    }
  };
  const onLeave = (event: DragEvent): void => {
    if (carriesFiles(event)) {
      // Entering a child leaves its parent: only the last leave counts.
      depth = Math.max(0, depth - 1);
      mark(depth > 0);
    }
  };
  const onDrop = (event: DragEvent): void => {
    if (!carriesFiles(event)) {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
    depth = 0;
    mark(false);
    const files = Array.from(event.dataTransfer?.files ?? []);
    if (files.length) {
      onFiles(files);
    }
  };
  node.addEventListener('dragenter', onEnter);
  node.addEventListener('dragover', onOver);
  node.addEventListener('dragleave', onLeave);
  node.addEventListener('drop', onDrop);
  return new DisposableDelegate(() => {
    node.removeEventListener('dragenter', onEnter);
    node.removeEventListener('dragover', onOver);
    node.removeEventListener('dragleave', onLeave);
    node.removeEventListener('drop', onDrop);
    mark(false);
  });
}

/**
 * The class of a panel files hover over.
 */
export const DROP_TARGET_CLASS = 'jp-mod-dropTarget';
