/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { nullTranslator } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

import type { ChatStatus, IChatMessage } from '../tokens';
import { MessageList } from '../widgets/messages';

/**
 * A markdown renderer stand-in: the text in a paragraph.
 */
class ParagraphRenderer extends Widget {
  async renderModel(model: {
    data: { [key: string]: unknown };
  }): Promise<void> {
    const p = document.createElement('p');
    p.textContent = String(model.data['text/markdown']);
    this.node.replaceChildren(p);
  }
}

const rendermime = {
  createRenderer: () => new ParagraphRenderer()
} as unknown as IRenderMimeRegistry;

const trans = nullTranslator.load('jupyterlab_code_interpreter');

const question: IChatMessage = {
  id: 'u1',
  role: 'user',
  content: 'What is the mean of x over 30 rows?'
};

const step: IChatMessage = {
  id: 's1',
  role: 'step',
  content: '',
  step: {
    number: 1,
    toolCallId: 'call-1',
    code: 'print(x.mean())',
    status: 'done',
    cellId: 'cell-1',
    summary: 'Ran without error. Outputs:\nmean 171.4412'
  }
};

function answer(content: string, status: IChatMessage['status']) {
  return { id: 'a1', role: 'assistant', content, status } as IChatMessage;
}

/**
 * Render a message list, and a function that renders it again.
 */
async function render(
  messages: IChatMessage[],
  status: ChatStatus,
  reveal: string[] = []
): Promise<{
  node: HTMLElement;
  update(messages: IChatMessage[], status: ChatStatus): Promise<void>;
}> {
  const element = (list: IChatMessage[], s: ChatStatus) => (
    <MessageList
      messages={list}
      status={s}
      rendermime={rendermime}
      trans={trans}
      steps={{
        isPending: () => false,
        run: () => undefined,
        edit: () => undefined,
        skip: () => undefined,
        reveal: id => reveal.push(id)
      }}
    />
  );
  const widget = new (class extends ReactWidget {
    list = messages;
    status = status;
    render() {
      return element(this.list, this.status);
    }
  })();
  Widget.attach(widget, document.body);
  const settle = async () => {
    for (let i = 0; i < 5; i++) {
      MessageLoop.flush();
      await widget.renderPromise;
      await new Promise(resolve => setTimeout(resolve, 0));
    }
  };
  widget.update();
  await settle();
  return {
    node: widget.node,
    async update(list, s) {
      widget.list = list;
      widget.status = s;
      widget.update();
      await settle();
    }
  };
}

describe('MessageList number marks', () => {
  it('marks a final answer once it is done, not while it streams', async () => {
    const streaming = [
      question,
      step,
      answer('The mean is 171.44, from 30 rows; 12 are tall.', 'streaming')
    ];
    const reveal: string[] = [];
    const view = await render(streaming, 'streaming', reveal);
    expect(
      view.node.querySelectorAll('.jp-CodeInterpreter-number')
    ).toHaveLength(0);
    expect(view.node.querySelector('.jp-CodeInterpreter-grounding')).toBeNull();

    const done = [
      question,
      step,
      answer('The mean is 171.44, from 30 rows; 12 are tall.', 'done')
    ];
    await view.update(done, 'idle');
    const marks = Array.from(
      view.node.querySelectorAll<HTMLElement>('.jp-CodeInterpreter-number')
    );
    expect(marks.map(m => [m.dataset.number, m.dataset.status])).toEqual([
      ['171.44', 'matched'],
      ['12', 'unmatched']
    ]);
    expect(
      view.node.querySelector('.jp-CodeInterpreter-grounding')?.textContent
    ).toBe(
      '3 numbers checked, 1 found in outputs, 1 from the question or code, 1 not found'
    );
    marks[0].click();
    expect(reveal).toEqual(['u1/1']);
  });

  it('says once that no code ran, marking nothing', async () => {
    const view = await render(
      [question, answer('The mean is 171.44 and 12 are tall.', 'done')],
      'idle'
    );
    expect(
      view.node.querySelectorAll('.jp-CodeInterpreter-number')
    ).toHaveLength(0);
    expect(
      view.node.querySelector('.jp-CodeInterpreter-grounding')?.textContent
    ).toBe('No code ran for this answer: none of its 2 numbers was computed');
  });

  it('finds a follow-up’s number in an earlier turn’s output, and says no code ran', async () => {
    const reveal: string[] = [];
    const view = await render(
      [
        question,
        step,
        answer('The mean is 171.44.', 'done'),
        { id: 'u2', role: 'user', content: 'Rounded?' },
        { id: 'a2', role: 'assistant', content: 'About 171.4.', status: 'done' }
      ],
      'idle',
      reveal
    );
    const answers = view.node.querySelectorAll(
      '.jp-CodeInterpreter-message[data-role="assistant"]'
    );
    const mark = answers[1].querySelector<HTMLElement>(
      '.jp-CodeInterpreter-number'
    )!;
    expect(mark.dataset.status).toBe('matched');
    expect(mark.getAttribute('aria-label')).toBe(
      '171.4: Found in the output of step 1 of an earlier question: mean 171.4412'
    );
    mark.click();
    expect(reveal).toEqual(['u1/1']);
    expect(
      answers[1].querySelector('.jp-CodeInterpreter-grounding')?.textContent
    ).toBe('1 number checked, 1 found in outputs, no code ran for this answer');
  });

  it('shows no summary for an answer without numbers', async () => {
    const view = await render(
      [question, step, answer('The mean is in the output.', 'done')],
      'idle'
    );
    expect(view.node.querySelector('.jp-CodeInterpreter-grounding')).toBeNull();
  });
});
