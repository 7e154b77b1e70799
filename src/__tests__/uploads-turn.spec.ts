/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { ChatModel } from '../conversation/model';
import type { IAttachment } from '../tokens';
import { describeAttachments } from '../uploads/summaries';
import { agent, FakeHost, ScriptedClient, text } from './agent-fakes';

const ATTACHED = '[Files the user attached…]\n- sales.csv: table';

describe('a turn with attachments', () => {
  it('sends their summaries with the prompt, before the notebook context', async () => {
    const client = new ScriptedClient(text('Done.'));
    const a = agent(client, new FakeHost({}));
    await a.runTurn(
      {
        conversationId: 'c',
        turnId: 't',
        history: [],
        prompt: 'hi',
        attachments: ATTACHED
      },
      new AbortController().signal
    );
    const parts = client.requests[0].messages[1].content as {
      text: string;
    }[];
    expect(parts.map(p => p.text.split('\n')[0])).toEqual([
      'hi',
      '[Files the user attached…]',
      '[Context from the notebook, not written by the user]'
    ]);
    // "hi" with a file is not small talk: the tool is offered.
    expect(client.requests[0].tools?.length).toBe(1);
  });

  it('keeps the chips on the user message and the summary in its transcript, through a reload', async () => {
    const client = new ScriptedClient(text('Plotted.'));
    const model = new ChatModel({ client });
    model.host = new FakeHost({});
    const files: IAttachment[] = [
      {
        name: 'sales.csv',
        path: 'w/sales.csv',
        localPath: 'sales.csv',
        size: 9
      }
    ];
    await model.send('plot it', { files, context: ATTACHED });
    const restored = new ChatModel({ client });
    restored.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
    const user = restored.messages.find(m => m.role === 'user');
    expect(user?.attachments).toEqual(files);
    expect(JSON.stringify(user?.wire)).toContain('sales.csv: table');
  });
});

describe('ChatModel.send with attachments', () => {
  it('shows the prompt with its chips before the summaries are read', async () => {
    const client = new ScriptedClient(text('Done.'));
    const model = new ChatModel({ client });
    model.host = new FakeHost({});
    let finish: (text: string) => void = () => undefined;
    const files: IAttachment[] = [
      { name: 'a.csv', path: 'a.csv', localPath: 'a.csv', size: 1 }
    ];
    const sending = model.send('plot', {
      files,
      context: () => new Promise<string>(resolve => (finish = resolve))
    });
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(model.messages[0]).toMatchObject({
      role: 'user',
      content: 'plot',
      attachments: files
    });
    expect(client.requests).toHaveLength(0);
    finish(ATTACHED);
    await sending;
    expect(JSON.stringify(client.requests[0].messages)).toContain(
      'sales.csv: table'
    );
  });
});

describe('describeAttachments', () => {
  const files = [{ name: 'a.csv', localPath: 'up/a.csv', size: 3 }];

  it('asks the kernel for the summaries by path from the notebook', async () => {
    const asked: string[][] = [];
    const textOut = await describeAttachments(
      files,
      async paths => {
        asked.push(paths);
        return [{ name: 'a.csv', path: 'up/a.csv', kind: 'table', rows: 1 }];
      },
      500
    );
    expect(asked).toEqual([['up/a.csv']]);
    expect(textOut).toContain("'up/a.csv': table, 1 rows");
  });

  it('still names the files, with the reason, when the kernel cannot help', async () => {
    const textOut = await describeAttachments(
      files,
      async () => {
        throw new Error('The kernel died.');
      },
      500
    );
    expect(textOut).toContain(
      "'up/a.csv' (3 B): could not be read (not summarised: The kernel died.)"
    );
    expect(await describeAttachments(files, null, 500)).toContain(
      'no notebook kernel'
    );
  });
});
