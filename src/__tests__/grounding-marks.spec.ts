/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { IGroundingInput } from '../grounding/match';
import { clearNumberMarks, markNumbers } from '../widgets/numbermarks';
import { attachNumberTips } from '../widgets/numbertips';

const texts = {
  origin: (o: { step: number | null; line: string }) =>
    `step ${o.step}: ${o.line}`,
  unmatched: 'not found in any output of this answer'
};

const input: IGroundingInput = {
  sources: [{ step: 2, cellId: 'c2', text: 'mean    171.4412\nrows 1234' }],
  given: 'over 30'
};

function rendered(html: string): HTMLElement {
  const host = document.createElement('div');
  const node = document.createElement('div');
  node.innerHTML = html;
  host.appendChild(node);
  document.body.appendChild(host);
  return node;
}

describe('markNumbers', () => {
  it('marks matched and unmatched numbers, leaves given ones and code alone', () => {
    const node = rendered(
      '<p>The mean is <strong>171.44</strong>, 1,234 rows over 30; ' +
        'about 42 are tall.</p><pre><code>print(99)</code></pre>' +
        '<p>See <code>head(7)</code> and <a href="x">8 rows</a>.</p>'
    );
    const report = markNumbers(node, input, true, texts);
    expect(report).toMatchObject({
      checked: 4,
      found: 2,
      given: 1,
      unmatched: 1
    });
    const marks = Array.from(
      node.querySelectorAll<HTMLElement>('.jp-CodeInterpreter-number')
    );
    expect(marks.map(m => [m.dataset.number, m.dataset.status])).toEqual([
      ['171.44', 'matched'],
      ['1,234', 'matched'],
      ['42', 'unmatched']
    ]);
    const [mean, , invented] = marks;
    expect(mean.tagName).toBe('BUTTON');
    expect(mean.getAttribute('aria-label')).toBe(
      '171.44: step 2: mean    171.4412'
    );
    expect(mean.dataset.step).toBe('2');
    expect(mean.dataset.cell).toBe('c2');
    // For screen readers the words; the text stays the number alone.
    expect(invented.tagName).toBe('BUTTON');
    expect(invented.textContent).toBe('42');
    expect(invented.getAttribute('aria-label')).toBe(
      '42: not found in any output of this answer'
    );
    expect(node.textContent).toBe(
      'The mean is 171.44, 1,234 rows over 30; about 42 are tall.' +
        'print(99)See head(7) and 8 rows.'
    );
  });

  it('can run again, and clearing restores the text', () => {
    const node = rendered('<p>It is 171.44 or 5.</p>');
    const before = node.innerHTML;
    markNumbers(node, input, true, texts);
    markNumbers(node, input, true, texts);
    expect(node.querySelectorAll('.jp-CodeInterpreter-number')).toHaveLength(2);
    clearNumberMarks(node);
    expect(node.innerHTML).toBe(before);
    expect(node.textContent).toBe('It is 171.44 or 5.');
  });

  it('marks nothing when nothing ran, but still counts', () => {
    const node = rendered('<p>It is 171.44 or 5.</p>');
    const report = markNumbers(node, { sources: [], given: '' }, false, texts);
    expect(report.unmatched).toBe(2);
    expect(node.querySelectorAll('.jp-CodeInterpreter-number')).toHaveLength(0);
  });

  it('reads list items and table cells as their own lines', () => {
    const node = rendered(
      '<ol><li>mean 171.44</li><li>rows 1234</li></ol>' +
        '<table><tr><td>1234</td><td>2024</td></tr></table>'
    );
    const report = markNumbers(node, input, true, texts);
    expect(report.numbers.map(n => n.mention.text)).toEqual([
      '171.44',
      '1234',
      '1234'
    ]);
  });
});

describe('attachNumberTips', () => {
  it('shows the tip on hover and focus, and activates matched numbers', () => {
    const node = rendered('<p>It is 171.44 or 5.</p>');
    markNumbers(node, input, true, texts);
    const activated: string[] = [];
    const detach = attachNumberTips(node.parentElement!, mark =>
      activated.push(mark.dataset.step ?? '')
    );
    const tip =
      node.parentElement!.querySelector<HTMLElement>('[role="tooltip"]')!;
    const [matched, unmatched] = Array.from(
      node.querySelectorAll<HTMLElement>('.jp-CodeInterpreter-number')
    );
    unmatched.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
    expect(tip.hidden).toBe(false);
    expect(tip.textContent).toBe('not found in any output of this answer');
    unmatched.dispatchEvent(new MouseEvent('mouseout', { bubbles: true }));
    expect(tip.hidden).toBe(true);
    matched.dispatchEvent(new FocusEvent('focusin', { bubbles: true }));
    expect(tip.textContent).toBe('step 2: mean    171.4412');
    unmatched.click();
    matched.click();
    expect(activated).toEqual(['2']);
    detach();
    expect(node.parentElement!.querySelector('[role="tooltip"]')).toBeNull();
  });
});
