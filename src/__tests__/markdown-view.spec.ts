/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Widget } from '@lumino/widgets';

import { MarkdownView } from '../widgets/markdown';

/**
 * A markdown renderer stand-in that keeps every text it renders.
 */
class RecordingRenderer extends Widget {
  rendered: string[] = [];

  async renderModel(model: {
    data: { [key: string]: unknown };
  }): Promise<void> {
    this.rendered.push(String(model.data['text/markdown']));
  }
}

function view(): { markdown: MarkdownView; renderer: RecordingRenderer } {
  const renderer = new RecordingRenderer();
  const rendermime = {
    createRenderer: () => renderer
  } as unknown as IRenderMimeRegistry;
  return { markdown: new MarkdownView(rendermime), renderer };
}

describe('MarkdownView', () => {
  const interval = MarkdownView.STREAMING_INTERVAL;
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('renders at once, then at most once per interval with a trailing render of the latest text', async () => {
    const { markdown, renderer } = view();
    markdown.update('a', false);
    expect(renderer.rendered).toEqual(['a']);
    markdown.update('ab', false);
    markdown.update('abc', false);
    await jest.advanceTimersByTimeAsync(interval / 2);
    expect(renderer.rendered).toEqual(['a']);
    await jest.advanceTimersByTimeAsync(interval / 2);
    expect(renderer.rendered).toEqual(['a', 'abc']);
    // The window is over: the next change renders at once again.
    await jest.advanceTimersByTimeAsync(interval);
    markdown.update('abcd', false);
    expect(renderer.rendered).toEqual(['a', 'abc', 'abcd']);
    markdown.dispose();
  });

  it('renders the final text now, and the pending render adds nothing', async () => {
    const { markdown, renderer } = view();
    markdown.update('a', false);
    markdown.update('ab', false);
    markdown.update('abc', true);
    // After the render under way (renders never overlap), not at the interval.
    await jest.advanceTimersByTimeAsync(0);
    expect(renderer.rendered).toEqual(['a', 'abc']);
    await jest.advanceTimersByTimeAsync(interval * 2);
    expect(renderer.rendered).toEqual(['a', 'abc']);
    markdown.dispose();
  });

  it('renders nothing once disposed', async () => {
    const { markdown, renderer } = view();
    markdown.update('a', false);
    markdown.update('ab', false);
    markdown.dispose();
    await jest.advanceTimersByTimeAsync(interval * 2);
    expect(renderer.rendered).toEqual(['a']);
  });
});
