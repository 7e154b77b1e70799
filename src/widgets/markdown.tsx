/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { IRenderMime, MimeModel } from '@jupyterlab/rendermime';
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Throttler } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';
import * as React from 'react';

/**
 * Renders one markdown text with JupyterLab's sanitising renderer.
 *
 * #### Notes
 * While the text streams, the first change renders at once and opens a
 * window of `STREAMING_INTERVAL`; a trailing `Throttler` collapses the
 * changes within it into one render at its end. The final text renders at
 * once. Renders never overlap, and the last text always gets rendered.
 */
export class MarkdownView {
  /**
   * Create a view whose renderer node is `node`.
   */
  constructor(rendermime: IRenderMimeRegistry) {
    this._renderer = rendermime.createRenderer('text/markdown');
    this._renderer.addClass('jp-CodeInterpreter-markdown');
    this._throttler = new Throttler<void, Error, []>(
      () => {
        this._throttling = false;
        void this._render();
      },
      {
        limit: MarkdownView.STREAMING_INTERVAL,
        edge: 'trailing'
      }
    );
  }

  /**
   * The DOM node holding the rendered markdown.
   */
  get node(): HTMLElement {
    return this._renderer.node;
  }

  /**
   * Emitted when the final text has been rendered (after `update(…, true)`),
   * so that its DOM can be decorated; a later render replaces the DOM.
   */
  get finalRendered(): ISignal<this, HTMLElement> {
    return this._finalRendered;
  }

  /**
   * Whether the DOM shows the final text.
   */
  get isFinal(): boolean {
    return this._final && this._rendered === this._wanted;
  }

  /**
   * Show a new text.
   *
   * @param text - the markdown.
   * @param final - whether the text is complete (render now).
   */
  update(text: string, final: boolean): void {
    if (text === this._wanted && !final) {
      return;
    }
    this._wanted = text;
    this._final = final;
    if (final) {
      void this._throttler.stop();
      this._throttling = false;
      void this._render();
    } else {
      if (!this._throttling) {
        void this._render();
      }
      this._throttling = true;
      void this._throttler.invoke();
    }
  }

  /**
   * Dispose of the renderer.
   */
  dispose(): void {
    Signal.clearData(this);
    this._throttler.dispose();
    this._renderer.dispose();
  }

  private async _render(): Promise<void> {
    if (this._rendering) {
      this._again = true;
      return;
    }
    this._rendering = true;
    try {
      do {
        this._again = false;
        const text = this._wanted;
        if (text !== this._rendered && !this._renderer.isDisposed) {
          await this._renderer.renderModel(
            new MimeModel({ data: { 'text/markdown': text }, trusted: false })
          );
          this._rendered = text;
        }
      } while (this._again);
    } finally {
      this._rendering = false;
    }
    if (this.isFinal && !this._renderer.isDisposed) {
      this._finalRendered.emit(this._renderer.node);
    }
  }

  private _again = false;
  private _final = false;
  private _finalRendered = new Signal<this, HTMLElement>(this);
  private _renderer: IRenderMime.IRenderer;
  private _rendered: string | null = null;
  private _rendering = false;
  private _throttler: Throttler<void, Error, []>;
  private _throttling = false;
  private _wanted = '';
}

/**
 * A namespace for `MarkdownView` statics.
 */
export namespace MarkdownView {
  /**
   * The minimum time between two renders of a streaming text, in ms.
   */
  export const STREAMING_INTERVAL = 50;
}

/**
 * The markdown body of an assistant message.
 */
export function MarkdownBody(props: MarkdownBody.IProps): JSX.Element {
  const host = React.useRef<HTMLDivElement>(null);
  const view = React.useRef<MarkdownView | null>(null);

  React.useEffect(() => {
    const markdown = new MarkdownView(props.rendermime);
    view.current = markdown;
    host.current?.appendChild(markdown.node);
    return () => {
      view.current = null;
      markdown.dispose();
    };
  }, [props.rendermime]);

  React.useEffect(() => {
    view.current?.update(props.text, !props.streaming);
  }, [props.text, props.streaming, props.rendermime]);

  // Decorate the final text's DOM each time it is rendered, and at once
  // when the decoration changes after that.
  const { onFinalRender } = props;
  React.useEffect(() => {
    const markdown = view.current;
    if (!markdown || !onFinalRender) {
      return;
    }
    const decorate = (_: MarkdownView, node: HTMLElement) =>
      onFinalRender(node);
    markdown.finalRendered.connect(decorate);
    if (markdown.isFinal) {
      onFinalRender(markdown.node);
    }
    return () => {
      markdown.finalRendered.disconnect(decorate);
    };
  }, [onFinalRender, props.rendermime]);

  return <div className="jp-CodeInterpreter-messageBody" ref={host} />;
}

/**
 * A namespace for `MarkdownBody` statics.
 */
export namespace MarkdownBody {
  /**
   * The properties of a markdown body.
   */
  export interface IProps {
    /**
     * The markdown.
     */
    text: string;

    /**
     * Whether the text is still streaming.
     */
    streaming: boolean;

    /**
     * The registry whose markdown renderer is used.
     */
    rendermime: IRenderMimeRegistry;

    /**
     * Called with the rendered DOM once the final text is rendered.
     */
    onFinalRender?: (node: HTMLElement) => void;
  }
}
