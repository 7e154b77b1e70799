/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { readTextCall } from '../agent/textcalls';
import { parseTextReply, ProseFilter } from '../agent/textprotocol';

const CODE = 'import pandas as pd\nprint(pd.read_csv("a.csv").head())';

/**
 * The call as Qwen2.5-Coder-1.5B wrote it (llama.cpp, native protocol):
 * the code in Python triple quotes, so not JSON.
 */
const TRIPLE =
  '{\n  "name": "run_python",\n  "arguments": {\n    "code": """\n' +
  CODE +
  '\n"""\n  }\n}';

/**
 * The same as valid JSON.
 */
const JSON_CALL = JSON.stringify({
  name: 'run_python',
  arguments: { code: CODE }
});

/**
 * Replies, and the step read from each (`null`: the reply is an answer).
 */
const CASES: [string, string, { prose: string; code: string } | null][] = [
  ['valid JSON', JSON_CALL, { prose: '', code: CODE }],
  [
    'pretty-printed JSON after a sentence',
    'You can achieve this:\n\n' +
      JSON.stringify(
        { name: 'run_python', arguments: { code: CODE } },
        null,
        2
      ),
    { prose: 'You can achieve this:', code: CODE }
  ],
  ['Python triple quotes', TRIPLE, { prose: '', code: CODE }],
  [
    "Python ''' quotes",
    TRIPLE.replace(/"""/g, "'''"),
    { prose: '', code: CODE }
  ],
  [
    'a ```json fence',
    '```json\n' + TRIPLE + '\n```',
    { prose: '', code: CODE }
  ],
  ['a bare fence', '```\n' + JSON_CALL + '\n```', { prose: '', code: CODE }],
  [
    "Qwen's <tool_call> tags",
    '<tool_call>\n' + JSON_CALL + '\n</tool_call>',
    { prose: '', code: CODE }
  ],
  [
    '<tool_call> tags in a fence, text after',
    'Step 1.\n```\n<tool_call>' + TRIPLE + '</tool_call>\n```\nThis prints it.',
    { prose: 'Step 1.', code: CODE }
  ],
  [
    'arguments as a JSON-encoded string',
    JSON.stringify({
      name: 'run_python',
      arguments: JSON.stringify({ code: CODE })
    }),
    { prose: '', code: CODE }
  ],
  [
    "Llama's parameters, arguments first, a trailing comma",
    `{"parameters": {"code": "print(1)", "timeout": 30,}, "name": "run_python"}`,
    { prose: '', code: 'print(1)' }
  ],
  [
    'escaped newlines, quotes, a backslash and \\u in a JSON string',
    String.raw`{"name": "run_python", "arguments": {"code": "s = \"a\\nb\"\nprint(s, '\u00e9')"}}`,
    { prose: '', code: 's = "a\\nb"\nprint(s, \'é\')' }
  ],
  [
    'triple quotes keep escapes and nested quotes as written',
    '{"name": "run_python", "arguments": {"code": """print("a\\nb", \'c\')\nprint("\'\'")\n"""}}',
    { prose: '', code: 'print("a\\nb", \'c\')\nprint("\'\'")' }
  ],
  [
    'raw newlines in a JSON string, indented code dedented',
    '{"name": "run_python", "arguments": {"code": "\n    x = 1\n    print(x)\n"}}',
    { prose: '', code: 'x = 1\nprint(x)' }
  ],
  [
    'Chinese text around it',
    '你可以这样做：\n```json\n' + TRIPLE + '\n```\n这段代码会打印前几行。',
    { prose: '你可以这样做：', code: CODE }
  ],
  [
    'cut inside the code (the reply ended)',
    'Here:\n{"name": "run_python", "arguments": {"code": "import pandas as pd\\nprint(pd.re',
    { prose: 'Here:', code: 'import pandas as pd\nprint(pd.re' }
  ],
  [
    'cut inside triple quotes',
    TRIPLE.slice(0, TRIPLE.indexOf('print')),
    { prose: '', code: 'import pandas as pd' }
  ],
  [
    'a python block that holds the call: its code',
    '```python\n' + TRIPLE + '\n```',
    { prose: '', code: CODE }
  ],
  [
    'a python block before a call is the step',
    '```python\nprint(1)\n```\n' + JSON_CALL,
    { prose: '', code: 'print(1)' }
  ],
  ['cut before the code', '{"name": "run_python", "arguments": {"co', null],
  [
    'another tool name',
    JSON.stringify({ name: 'python', arguments: { code: CODE } }),
    null
  ],
  ['no name', JSON.stringify({ arguments: { code: CODE } }), null],
  [
    'empty code',
    JSON.stringify({ name: 'run_python', arguments: { code: '  ' } }),
    null
  ],
  [
    'code that is not a string',
    '{"name": "run_python", "arguments": {"code": 42}}',
    null
  ],
  [
    'another key beside name and arguments',
    JSON.stringify({ name: 'run_python', arguments: { code: 'x' }, id: 1 }),
    null
  ],
  [
    'an answer explaining JSON',
    'The file is JSON:\n```json\n{"name": "Alice", "age": 30, "tags": ["a"]}\n```\nIts name field is "Alice".',
    null
  ],
  [
    'example code in a javascript fence',
    'In JS:\n```javascript\n' + JSON_CALL + '\n```',
    null
  ],
  [
    'a call inside a sentence, not at the start of a line',
    'Models call tools like ' + JSON_CALL + ' in JSON.',
    null
  ],
  [
    'braces and tags in prose',
    '{x} is a set.\n<b>bold</b> and <tool>\n{ "region": "North" }',
    null
  ],
  ['a plain answer in Chinese', '北区的总收入是 8331.49。', null]
];

describe('a run_python call written as text', () => {
  it.each(CASES)('%s', (_name, reply, expected) => {
    expect(parseTextReply(reply)).toEqual(expected);
  });

  it('is a maybe while it streams, and none once it cannot be a call', () => {
    const read = (text: string) => readTextCall(text, 0, false).kind;
    for (let cut = 0; cut < TRIPLE.length; cut++) {
      expect(read(TRIPLE.slice(0, cut))).toBe('maybe');
    }
    expect(read(TRIPLE)).toBe('call');
    expect(read('<tool_ca')).toBe('maybe');
    expect(read('{"name": "run_p')).toBe('maybe');
    expect(read('{"name": "ru_')).toBe('none');
    expect(read('{"name": "run_python", "arguments": {"co')).toBe('maybe');
    expect(read('{"name": "run_python", "arguments": "{\\"co')).toBe('maybe');
    expect(read('{"region"')).toBe('none');
    expect(read('{"regi')).toBe('none');
    expect(read('<b>')).toBe('none');
  });
});

describe('ProseFilter with a call written as text', () => {
  function feed(pieces: string[]): string[] {
    const filter = new ProseFilter();
    const shown = pieces.map(piece => filter.push(piece));
    shown.push(filter.finish());
    return shown;
  }

  it('never shows the call, wherever the stream splits', () => {
    const reply = 'You can achieve this:\n```json\n' + TRIPLE + '\n```\nDone.';
    for (let cut = 0; cut <= reply.length; cut++) {
      const shown = feed([reply.slice(0, cut), reply.slice(cut)]);
      expect(shown.join('')).toBe('You can achieve this:\n');
    }
  });

  it('shows a JSON answer that is no call, and never takes text back', () => {
    const reply =
      'Result:\n{"region": "North", "total": 8331.49}\n<b>ok</b>\n```json\n{"name": "x"}\n```\n';
    for (let cut = 0; cut <= reply.length; cut++) {
      const shown = feed([reply.slice(0, cut), reply.slice(cut)]);
      expect(shown.join('')).toBe(reply);
    }
  });

  it('releases a JSON answer as soon as its first key rules a call out', () => {
    const filter = new ProseFilter();
    expect(filter.push('Here:\n{')).toBe('Here:\n');
    expect(filter.push('"na')).toBe('');
    expect(filter.push('me": "Alice"')).toBe('{"name": "Alice"');
  });
});
