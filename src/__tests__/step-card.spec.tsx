/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { nullTranslator } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

import type { ApprovalMode, StepStatus } from '../agent/tokens';
import { ApprovalModeSelect } from '../widgets/approvalmode';
import { IStepCardProps, StepCard } from '../widgets/step';

const trans = nullTranslator.load('jupyterlab_code_interpreter');

async function render(element: React.ReactElement): Promise<HTMLElement> {
  const widget = ReactWidget.create(element);
  Widget.attach(widget, document.body);
  MessageLoop.flush();
  await widget.renderPromise;
  for (let i = 0; i < 3; i++) {
    await new Promise(resolve => setTimeout(resolve, 0));
  }
  return widget.node;
}

function props(
  status: StepStatus,
  pending: boolean,
  calls: string[] = []
): IStepCardProps {
  return {
    step: 2,
    code: 'import qrcode\nimg = qrcode.make("https://jupyter.org")',
    status,
    pending,
    approvalReason: 'installs packages: qrcode',
    summary: 'Saved qr.png',
    onRun: () => calls.push('run'),
    onEdit: () => calls.push('edit'),
    onSkip: () => calls.push('skip'),
    onReveal: () => calls.push('reveal'),
    trans
  };
}

describe('StepCard', () => {
  it('shows Run / Edit / Skip while pending and calls back', async () => {
    const calls: string[] = [];
    const node = await render(<StepCard {...props('proposed', true, calls)} />);
    const root = node.querySelector('.jp-CodeInterpreter-step')!;
    expect(root.getAttribute('data-step')).toBe('2');
    expect(root.getAttribute('data-status')).toBe('proposed');
    expect(
      node
        .querySelector('.jp-CodeInterpreter-stepStatus')
        ?.getAttribute('data-status')
    ).toBe('proposed');
    expect(
      node.querySelector('.jp-CodeInterpreter-stepCode')?.textContent
    ).toContain('qrcode.make');
    expect(
      node.querySelector('.jp-CodeInterpreter-stepReason')?.textContent
    ).toBe('installs packages: qrcode');
    for (const name of ['Run', 'Edit', 'Skip', 'Reveal']) {
      (
        node.querySelector(`.jp-CodeInterpreter-step${name}`) as HTMLElement
      ).click();
    }
    expect(calls).toEqual(['run', 'edit', 'skip', 'reveal']);
  });

  it.each([
    'running',
    'done',
    'failed',
    'skipped',
    'blocked',
    'stopped'
  ] as StepStatus[])('hides the buttons once %s', async status => {
    const node = await render(<StepCard {...props(status, false)} />);
    expect(
      node
        .querySelector('.jp-CodeInterpreter-step')
        ?.getAttribute('data-status')
    ).toBe(status);
    expect(node.querySelector('.jp-CodeInterpreter-stepRun')).toBeNull();
    expect(node.querySelector('.jp-CodeInterpreter-stepEdit')).toBeNull();
    expect(node.querySelector('.jp-CodeInterpreter-stepSkip')).toBeNull();
    expect(node.querySelector('.jp-CodeInterpreter-stepReason')).toBeNull();
    expect(node.querySelector('.jp-CodeInterpreter-stepReveal')).toBeTruthy();
    expect(
      node.querySelector('.jp-CodeInterpreter-stepSummary')?.textContent
    ).toBe('Saved qr.png');
  });

  it('highlights through the editor languages when given', async () => {
    const languages = {
      getLanguage: async () => ({ name: 'python', mime: 'text/x-python' }),
      highlight: async (code: string, _: unknown, el: HTMLElement) => {
        const span = document.createElement('span');
        span.className = 'tok-keyword';
        span.textContent = code;
        el.appendChild(span);
      }
    };
    const node = await render(
      <StepCard
        {...props('done', false)}
        languages={languages as unknown as IStepCardProps['languages']}
      />
    );
    expect(
      node.querySelector('.jp-CodeInterpreter-stepCode .tok-keyword')
    ).toBeTruthy();
  });
});

describe('ApprovalModeSelect', () => {
  it('offers the three modes and reports a change', async () => {
    const changes: ApprovalMode[] = [];
    const node = await render(
      <ApprovalModeSelect
        value="ask"
        onChange={mode => changes.push(mode)}
        trans={trans}
      />
    );
    const select = node.querySelector(
      'select.jp-CodeInterpreter-approvalModeSelect'
    ) as HTMLSelectElement;
    expect(Array.from(select.options).map(o => o.value)).toEqual([
      'ask',
      'auto-safe',
      'auto'
    ]);
    expect(select.value).toBe('ask');
    select.value = 'auto-safe';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    expect(changes).toEqual(['auto-safe']);
  });
});

describe('StepCard after a runtime error', () => {
  it('shows the failed attempt it replaced, its code on demand', async () => {
    const node = await render(
      <StepCard
        {...props('done', false)}
        attempts={[
          {
            step: 1,
            outcome: 'error',
            source: "df['price ']",
            ename: 'KeyError',
            evalue: "'price '"
          }
        ]}
      />
    );
    const attempt = node.querySelector(
      'details.jp-CodeInterpreter-stepAttempt'
    ) as HTMLDetailsElement;
    expect(attempt.querySelector('summary')?.textContent).toBe(
      "Replaced a failed attempt: KeyError: 'price '"
    );
    expect(attempt.open).toBe(false);
    expect(attempt.querySelector('code')?.textContent).toBe("df['price ']");
  });

  it('marks a failed step not repaired in words, with a tooltip', async () => {
    const node = await render(
      <StepCard {...props('failed', false)} unrepaired={true} />
    );
    const badge = node.querySelector(
      '.jp-CodeInterpreter-stepUnrepaired'
    ) as HTMLElement;
    expect(badge.textContent).toContain('not repaired');
    expect(badge.title).toContain('raises-exception');
    const replaced = await render(
      <StepCard {...props('failed', false)} replacedBy={3} />
    );
    expect(
      replaced.querySelector('.jp-CodeInterpreter-stepReplacedBy')?.textContent
    ).toBe('replaced by step 3');
    expect(replaced.querySelector('.jp-CodeInterpreter-stepUnrepaired')).toBe(
      null
    );
  });

  it('says a step was not run because it repeated a failed step', async () => {
    const node = await render(
      <StepCard {...props('blocked', false)} repeatOf={1} />
    );
    expect(
      node.querySelector('.jp-CodeInterpreter-stepStatus')?.textContent
    ).toBe('not run');
    const note = node.querySelector<HTMLElement>(
      '.jp-CodeInterpreter-stepRepeat'
    )!;
    expect(note.textContent).toBe('same code as failed step 1');
    expect(note.title).toContain('would fail the same way');
    const blocked = await render(<StepCard {...props('blocked', false)} />);
    expect(
      blocked.querySelector('.jp-CodeInterpreter-stepStatus')?.textContent
    ).toBe('blocked');
    expect(blocked.querySelector('.jp-CodeInterpreter-stepRepeat')).toBeNull();
  });
});
