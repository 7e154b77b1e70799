/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { IRenderMime, RenderedError } from '@jupyterlab/rendermime';
import type { TranslationBundle } from '@jupyterlab/translation';

/**
 * The mime type of an error output's own bundle entry (the traceback is also
 * given as `application/vnd.jupyter.stderr`, which stream outputs share).
 */
const ERROR_MIME = 'application/vnd.jupyter.error';

/**
 * A renderer of error outputs: JupyterLab's traceback, then a Fix button.
 *
 * #### Notes
 * Error outputs carry `application/vnd.jupyter.error` besides the stderr
 * text; claiming that type (ranked before stderr) puts the button beside
 * errors only, never beside warnings printed to stderr.
 */
export function errorRendererFactory(options: {
  trans: TranslationBundle;
  onFix: (node: HTMLElement) => void;
}): IRenderMime.IRendererFactory {
  return {
    safe: true,
    mimeTypes: [ERROR_MIME],
    defaultRank: errorRendererFactory.RANK,
    createRenderer: rendererOptions =>
      new ErrorWithFix(rendererOptions, options.trans, options.onFix)
  };
}

/**
 * A namespace for `errorRendererFactory` statics.
 */
export namespace errorRendererFactory {
  /**
   * Before JupyterLab's stderr renderer (110).
   */
  export const RANK = 105;
}

/**
 * The traceback, rendered as JupyterLab does, and a Fix button.
 */
class ErrorWithFix extends RenderedError {
  constructor(
    options: IRenderMime.IRendererOptions,
    trans: TranslationBundle,
    onFix: (node: HTMLElement) => void
  ) {
    super({ ...options, mimeType: 'application/vnd.jupyter.stderr' });
    this.addClass('jp-CodeInterpreter-errorOutput');
    this._trans = trans;
    this._onFix = onFix;
  }

  async render(model: IRenderMime.IMimeModel): Promise<void> {
    await super.render(model);
    const button = document.createElement('button');
    button.className =
      'jp-CodeInterpreter-fixError jp-mod-styled jp-mod-accept';
    button.textContent = this._trans.__('Fix');
    button.title = this._trans.__(
      'Ask the Code Interpreter to fix this cell (shown as a diff first)'
    );
    button.addEventListener('click', () => this._onFix(this.node));
    this.node.appendChild(button);
  }

  private _trans: TranslationBundle;
  private _onFix: (node: HTMLElement) => void;
}
