/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { Extension } from '@codemirror/state';
import { EditorLanguageRegistry } from '@jupyterlab/codemirror';
import { nullTranslator } from '@jupyterlab/translation';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { FixDiffWidget } from '../widgets/diff';
import { lineStats } from '../widgets/diffstats';

const BROKEN = 'values = [3, 5, 10]\nprint(sum(values) / len(valuez))';
const FIXED = 'values = [3, 5, 10]\nprint(sum(values) / len(values))';

/**
 * JupyterLab's own Python support, loaded as the cell commands load it.
 */
async function python(): Promise<Extension> {
  const languages = new EditorLanguageRegistry();
  EditorLanguageRegistry.getDefaultLanguages().forEach(language =>
    languages.addLanguage(language)
  );
  const language = await languages.getLanguage('python');
  if (!language?.support) {
    throw new Error('JupyterLab has no Python language');
  }
  return language.support;
}

/**
 * A diff widget in the page, with its callbacks counted.
 */
async function show(language: Extension | null = null): Promise<{
  widget: FixDiffWidget;
  calls: string[];
}> {
  const calls: string[] = [];
  const widget = new FixDiffWidget({
    oldCode: BROKEN,
    newCode: FIXED,
    language,
    onApply: () => calls.push('apply'),
    onReject: () => calls.push('reject'),
    onRun: () => calls.push('run'),
    onSkip: () => calls.push('skip'),
    trans: nullTranslator.load('jupyterlab_code_interpreter')
  });
  Widget.attach(widget, document.body);
  await settle(widget);
  return { widget, calls };
}

async function settle(widget: FixDiffWidget): Promise<void> {
  MessageLoop.flush();
  await widget.renderPromise;
  await new Promise(resolve => setTimeout(resolve, 0));
}

function click(widget: FixDiffWidget, selector: string): void {
  const button = widget.node.querySelector<HTMLButtonElement>(selector);
  if (!button) {
    throw new Error(`no ${selector}`);
  }
  button.click();
}

describe('FixDiffWidget', () => {
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it('shows the removed line above the one that replaced it, and counts them', async () => {
    const { widget } = await show();
    const diff = widget.node.querySelector('.jp-CodeInterpreter-diff');
    expect(diff?.getAttribute('data-phase')).toBe('proposed');
    expect(diff?.getAttribute('data-layout')).toBe('inline');
    expect(
      widget.node.querySelector('.jp-CodeInterpreter-diffStats')?.textContent
    ).toBe('+1 −1');
    const removed = widget.node.querySelectorAll('.cm-deletedChunk');
    expect(removed).toHaveLength(1);
    expect(removed[0].textContent).toContain('len(valuez)');
    const added = widget.node.querySelectorAll('.cm-changedLine');
    expect(added).toHaveLength(1);
    expect(added[0].textContent).toBe('print(sum(values) / len(values))');
    // The unchanged line is there once, unmarked.
    expect(
      widget.node.querySelector('.cm-content')?.textContent?.match(/values = /g)
    ).toHaveLength(1);
    expect(
      widget.node.querySelector('.cm-content')?.getAttribute('aria-readonly')
    ).toBe('true');
    widget.dispose();
  });

  it('switches to side by side: the cell as it is on the left, the fix on the right', async () => {
    const { widget } = await show();
    click(widget, '.jp-CodeInterpreter-diffLayout');
    await settle(widget);
    expect(
      widget.node
        .querySelector('.jp-CodeInterpreter-diff')
        ?.getAttribute('data-layout')
    ).toBe('side-by-side');
    const [left, right] = Array.from(
      widget.node.querySelectorAll('.cm-mergeViewEditor')
    );
    expect(left.querySelector('.cm-changedLine')?.textContent).toBe(
      'print(sum(values) / len(valuez))'
    );
    expect(right.querySelector('.cm-changedLine')?.textContent).toBe(
      'print(sum(values) / len(values))'
    );
    expect(left.querySelector('.cm-content')?.getAttribute('aria-label')).toBe(
      'The cell as it is'
    );
    expect(widget.node.querySelector('.cm-deletedChunk')).toBeNull();
    widget.dispose();
  });

  it('highlights Python with JupyterLab’s language', async () => {
    const plain = await show();
    const highlighted = await show(await python());
    const spans = (widget: FixDiffWidget): number =>
      widget.node.querySelectorAll('.cm-changedLine span').length;
    expect(spans(highlighted.widget)).toBeGreaterThan(spans(plain.widget));
    plain.widget.dispose();
    highlighted.widget.dispose();
  });

  it('calls back from Apply and Reject, then Run and Skip once approval is asked', async () => {
    const { widget, calls } = await show();
    expect(widget.node.querySelector('.jp-CodeInterpreter-diffRun')).toBeNull();
    click(widget, '.jp-CodeInterpreter-diffApply');
    click(widget, '.jp-CodeInterpreter-diffReject');
    widget.setPhase('approve', 'The fix runs a shell command.');
    await settle(widget);
    expect(
      widget.node.querySelector('.jp-CodeInterpreter-diffApply')
    ).toBeNull();
    expect(
      widget.node.querySelector('.jp-CodeInterpreter-diffMessage')?.textContent
    ).toBe('The fix runs a shell command.');
    click(widget, '.jp-CodeInterpreter-diffRun');
    click(widget, '.jp-CodeInterpreter-diffSkip');
    expect(calls).toEqual(['apply', 'reject', 'run', 'skip']);
    widget.setPhase('succeeded');
    await settle(widget);
    expect(widget.node.querySelector('button.jp-mod-accept')).toBeNull();
    widget.dispose();
  });
});

describe('lineStats', () => {
  it('counts a changed line as removed and added, and appended lines as added', () => {
    expect(lineStats('a\nb\nc', 'a\nB\nc\nd')).toEqual({
      added: 2,
      removed: 1
    });
    expect(lineStats('x = 1', 'x = 1')).toEqual({ added: 0, removed: 0 });
    expect(lineStats('a\nb', 'b')).toEqual({ added: 0, removed: 1 });
  });

  it('counts repeated lines one by one', () => {
    expect(lineStats('pass\npass', 'pass\npass\npass')).toEqual({
      added: 1,
      removed: 0
    });
  });
});
