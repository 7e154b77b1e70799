/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { parseTextReply, ProseFilter, scanReply } from '../agent/textprotocol';

const REPLY =
  'Let me look at the data first.\n\n```python\nimport pandas as pd\ndf = pd.read_csv("a.csv")\nprint(df.head())\n```\n\nThe mean is probably 4.';

describe('parseTextReply', () => {
  it('takes the first python block as the step, the text before as prose', () => {
    expect(parseTextReply(REPLY)).toEqual({
      prose: 'Let me look at the data first.',
      code: 'import pandas as pd\ndf = pd.read_csv("a.csv")\nprint(df.head())'
    });
  });

  it.each(['python', 'py', 'Python3', 'ipython', 'python title="x"'])(
    'reads a block fenced with ```%s',
    info => {
      expect(parseTextReply(`Go:\n\`\`\`${info}\nprint(1)\n\`\`\``)).toEqual({
        prose: 'Go:',
        code: 'print(1)'
      });
    }
  );

  it('takes only the first of two python blocks', () => {
    const reply = '```python\nprint(1)\n```\nthen\n```python\nprint(2)\n```';
    expect(parseTextReply(reply)?.code).toBe('print(1)');
  });

  it('leaves an answer without a block alone', () => {
    expect(parseTextReply('The mean is 4.2.')).toBeNull();
    expect(parseTextReply('Use `df.mean()` here.')).toBeNull();
  });

  it('does not run a bare fence or another language', () => {
    expect(parseTextReply('Output:\n```\n1 2 3\n```')).toBeNull();
    expect(parseTextReply('```json\n{"code": "print(1)"}\n```')).toBeNull();
  });

  it('skips other blocks, and a python fence inside one, to the first python block', () => {
    const reply =
      'Data:\n````text\n```python\nnot code\n```\n````\nNow:\n```py\nprint(2)\n```';
    expect(parseTextReply(reply)).toEqual({
      prose: 'Data:\n````text\n```python\nnot code\n```\n````\nNow:',
      code: 'print(2)'
    });
  });

  it('runs a block the reply ended inside of, and skips an empty one', () => {
    expect(parseTextReply('Here:\n```python\nprint(1)\n')).toEqual({
      prose: 'Here:',
      code: 'print(1)'
    });
    expect(parseTextReply('```python\n\n```\nDone: 4.')).toBeNull();
  });

  it('needs the fence at the start of a line (up to three spaces in)', () => {
    expect(parseTextReply('say ```python\nprint(1)\n```')).toBeNull();
    expect(parseTextReply('   ```python\nprint(1)\n   ```')?.code).toBe(
      'print(1)'
    );
    expect(parseTextReply('    ```python\nprint(1)\n```')).toBeNull();
  });

  it('reads CRLF line ends', () => {
    expect(parseTextReply('Go:\r\n```python\r\nprint(1)\r\n```\r\n')).toEqual({
      prose: 'Go:',
      code: 'print(1)'
    });
  });
});

describe('ProseFilter', () => {
  const VISIBLE = 'Let me look at the data first.\n\n';

  function feed(pieces: string[]): { shown: string[]; total: string } {
    const filter = new ProseFilter();
    const shown = pieces.map(piece => filter.push(piece));
    shown.push(filter.finish());
    return { shown, total: shown.join('') };
  }

  it('never shows the fence or the code, wherever the stream splits', () => {
    for (let cut = 0; cut <= REPLY.length; cut++) {
      for (const second of [cut, Math.min(REPLY.length, cut + 3)]) {
        const pieces = [
          REPLY.slice(0, cut),
          REPLY.slice(cut, second),
          REPLY.slice(second)
        ];
        const { shown, total } = feed(pieces);
        expect(total).toBe(VISIBLE);
        // Nothing shown is ever taken back: each piece extends the last.
        expect(shown.join('')).toBe(VISIBLE.slice(0, total.length));
      }
    }
  });

  it('shows everything of a reply without a python block, at every split', () => {
    const reply = 'The mean is 4.\n```\n1 2\n```\n`x` and ``y`` done';
    for (let cut = 0; cut <= reply.length; cut++) {
      expect(feed([reply.slice(0, cut), reply.slice(cut)]).total).toBe(reply);
    }
  });

  it('shows ordinary text as it arrives and holds a line that may open a fence', () => {
    const filter = new ProseFilter();
    expect(filter.push('Hello ')).toBe('Hello ');
    expect(filter.push('world.\n`')).toBe('world.\n');
    expect(filter.push('``py')).toBe('');
    expect(filter.push('thon\nprint(1)\n')).toBe('');
    expect(filter.push('```\nafter')).toBe('');
    expect(filter.finish()).toBe('');
  });

  it('releases a held line once it is known not to open a python block', () => {
    const filter = new ProseFilter();
    expect(filter.push('Table:\n```')).toBe('Table:\n');
    expect(filter.push('text\n')).toBe('```text\n');
    expect(filter.push('```python\n')).toBe('```python\n');
    expect(filter.push('```\n')).toBe('```\n');
  });

  it('agrees with parseTextReply on the prose', () => {
    const scan = scanReply(REPLY, true);
    expect(REPLY.slice(0, scan.visibleEnd).trimEnd()).toBe(
      parseTextReply(REPLY)?.prose
    );
  });
});
