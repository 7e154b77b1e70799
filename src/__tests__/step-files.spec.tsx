/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { nullTranslator } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

import type { IStepFile } from '../agent/tokens';
import { formatBytes as formatSize } from '../bytesize';
import {
  IStepFileActions,
  MAX_PREVIEW_BYTES,
  StepFiles
} from '../widgets/stepfiles';

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

function recorder(): { actions: IStepFileActions; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    actions: {
      open: path => void calls.push(`open ${path}`),
      download: async path => void calls.push(`download ${path}`),
      preview: async (path, version) => {
        calls.push(`preview ${path} ${version}`);
        return new Blob(['png'], { type: 'image/png' });
      }
    }
  };
}

const FILES: IStepFile[] = [
  { name: 'out/', change: 'new' },
  { name: 'qr.png', change: 'new', size: 812, mtimeUs: 5 },
  { name: 'sales.csv', change: 'changed', size: 2048, mtimeUs: 6 },
  { name: 'huge.png', change: 'new', size: MAX_PREVIEW_BYTES + 1, mtimeUs: 7 }
];

describe('StepFiles', () => {
  beforeAll(() => {
    URL.createObjectURL = () => 'blob:preview';
    URL.revokeObjectURL = () => undefined;
  });

  it('links each file by its path in the notebook folder', async () => {
    const { actions, calls } = recorder();
    const node = await render(
      <StepFiles
        files={FILES}
        folder="work/reports"
        actions={actions}
        trans={trans}
      />
    );
    const items = Array.from(
      node.querySelectorAll('.jp-CodeInterpreter-stepFile')
    );
    expect(items.map(item => item.getAttribute('data-file'))).toEqual([
      'out/',
      'qr.png',
      'sales.csv',
      'huge.png'
    ]);
    expect(items.map(item => item.getAttribute('data-change'))).toEqual([
      'new',
      'new',
      'changed',
      'new'
    ]);
    // A folder has no link and no download.
    expect(items[0].querySelector('button')).toBeNull();
    const open = items[2].querySelector(
      '.jp-CodeInterpreter-stepFileOpen'
    ) as HTMLButtonElement;
    open.click();
    (
      items[2].querySelector(
        '.jp-CodeInterpreter-stepFileDownload'
      ) as HTMLButtonElement
    ).click();
    expect(calls).toContain('open work/reports/sales.csv');
    expect(calls).toContain('download work/reports/sales.csv');
    expect(items[2].textContent).toContain('2.0 KB');
  });

  it('previews small images only, fetched with their version', async () => {
    const { actions, calls } = recorder();
    const node = await render(
      <StepFiles files={FILES} folder="" actions={actions} trans={trans} />
    );
    const thumbs = node.querySelectorAll('.jp-CodeInterpreter-stepFileThumb');
    expect(thumbs).toHaveLength(1);
    expect(thumbs[0].closest('li')?.getAttribute('data-file')).toBe('qr.png');
    expect(thumbs[0].querySelector('img')?.getAttribute('src')).toBe(
      'blob:preview'
    );
    expect(calls.filter(call => call.startsWith('preview'))).toEqual([
      'preview qr.png 812-5'
    ]);
    (thumbs[0] as HTMLButtonElement).click();
    expect(calls).toContain('open qr.png');
  });

  it('shows no thumbnail when the preview cannot load', async () => {
    const { actions } = recorder();
    actions.preview = () => Promise.reject(new Error('403'));
    const node = await render(
      <StepFiles files={[FILES[1]]} folder="" actions={actions} trans={trans} />
    );
    expect(node.querySelector('.jp-CodeInterpreter-stepFileThumb')).toBeNull();
    expect(
      node.querySelector('.jp-CodeInterpreter-stepFileOpen')
    ).not.toBeNull();
  });
});

describe('formatSize', () => {
  it('reads as people read sizes', () => {
    expect(formatSize(512)).toBe('512 B');
    expect(formatSize(3500)).toBe('3.4 KB');
    expect(formatSize(12 * 1024 * 1024)).toBe('12 MB');
  });
});
