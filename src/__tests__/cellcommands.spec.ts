/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { EditorLanguageRegistry } from '@jupyterlab/codemirror';
import type { Parser } from '@lezer/common';

import {
  contextSection,
  definitionsUsed,
  errorExcerpt,
  errorOf,
  gatherCellContext,
  variablesTouched
} from '../cellcommands/context';
import {
  loadPythonSupport,
  namesDefined,
  namesUsed
} from '../cellcommands/python';
import { parseFixProposal } from '../cellcommands/proposal';
import {
  askRequest,
  explainRequest,
  fixRequest
} from '../cellcommands/requests';
import { ENGLISH, language } from '../agent/language';
import { ChatModel } from '../conversation/model';
import { errorOutput, ScriptedClient, stdout, text } from './agent-fakes';

/**
 * JupyterLab's Python parser, loaded as the cell commands load it.
 */
let python: Parser;

beforeAll(async () => {
  const languages = new EditorLanguageRegistry();
  EditorLanguageRegistry.getDefaultLanguages().forEach(language =>
    languages.addLanguage(language)
  );
  const support = await loadPythonSupport(languages);
  if (!support) {
    throw new Error('JupyterLab has no Python language');
  }
  python = support.language.parser;
});

describe('namesUsed / namesDefined', () => {
  it('skips attributes, keywords, strings and comments', () => {
    expect(
      namesUsed(
        python,
        'df.head(n)  # total\nprint("x y", total)\nfor i in rows: pass'
      )
    ).toEqual(['df', 'n', 'total', 'i', 'rows']);
  });

  it('finds defs, classes, assignments and imports at top level', () => {
    const code =
      'import numpy as np\nfrom os import path, sep\nimport a.b\n@cache\ndef f(x):\n    y = 1\n    return x\nclass C:\n    pass\na, b = 1, 2\ntotal += 3\nx == 1';
    expect(namesDefined(python, code)).toEqual([
      'np',
      'path',
      'sep',
      'a',
      'f',
      'C',
      'a',
      'b',
      'total'
    ]);
  });
});

describe('definitionsUsed', () => {
  const earlier = [
    'import pandas as pd\nvalues = [1, 2]',
    'def mean(xs):\n    return sum(xs) / len(xs)\n\nunused = 3',
    'values = [3, 5, 10]'
  ];

  it('returns the last definition above of each name used, top first', () => {
    const found = definitionsUsed(python, earlier, 'print(mean(values), pd)');
    expect(found.map(d => [d.name, d.cell])).toEqual([
      ['pd', 0],
      ['mean', 1],
      ['values', 2]
    ]);
    expect(found[1].source).toBe('def mean(xs):\n    return sum(xs) / len(xs)');
  });

  it('leaves out names the cell defines itself, but not reassignments', () => {
    expect(
      definitionsUsed(python, earlier, 'values = []\nprint(values)')
    ).toEqual([]);
    expect(
      definitionsUsed(python, earlier, 'values = values + [1]').map(d => d.name)
    ).toEqual(['values']);
  });

  it('reads Python as the parser does: whole statements, f-strings, updates', () => {
    const above = ['rows = [\n    1,\n    2,\n]\nlabel = "n"', 'count = 0'];
    const found = definitionsUsed(
      python,
      above,
      'print(f"{label}: {len(rows)}")  # rows, label\ncount += 1'
    );
    expect(found.map(d => [d.name, d.source])).toEqual([
      ['rows', 'rows = [\n    1,\n    2,\n]'],
      ['label', 'label = "n"'],
      ['count', 'count = 0']
    ]);
    // Names in strings and comments are not uses.
    expect(namesUsed(python, 's = "total" # other')).toEqual(['s']);
  });

  it('keeps within the character budget', () => {
    const long = `def big():\n${'    x = 1\n'.repeat(500)}`;
    const found = definitionsUsed(
      python,
      [long, 'small = 1'],
      'big(); small',
      2000
    );
    expect(found[0].source).toContain('# … (cut)');
    expect(found[0].source.length).toBeLessThan(1300);
  });
});

describe('variablesTouched / errorOf / gatherCellContext', () => {
  const state = {
    variables: [
      { name: 'df', type: 'DataFrame', shape: '(3, 2)' },
      { name: 'other', type: 'int', shape: '' }
    ],
    packages: {},
    cwd: '/tmp',
    files: []
  };

  it('keeps the kernel variables the code uses', () => {
    expect(variablesTouched(python, state, 'df.plot()')).toEqual([
      state.variables[0]
    ]);
    expect(variablesTouched(python, null, 'df')).toEqual([]);
  });

  it('gives the error name, value and the ANSI-free traceback', () => {
    const error = {
      ...errorOutput('NameError', "name 'valuez' is not defined"),
      traceback: ['\u001b[31mNameError\u001b[0m', 'Cell In[1], line 2']
    };
    expect(errorOf([stdout('hi'), error])).toBe(
      "NameError: name 'valuez' is not defined\n\nNameError\nCell In[1], line 2"
    );
    expect(errorOf([stdout('hi')])).toBeNull();
  });

  // IPython 9's traceback of `d = {}; d['x']`, as the kernel sends it.
  const keyError = {
    ...errorOutput('KeyError', "'x'"),
    traceback: [
      '\u001b[31m---------------------------------------------------------------------------\u001b[39m',
      '\u001b[31mKeyError\u001b[39m                                  Traceback (most recent call last)',
      "\u001b[36mCell\u001b[39m\u001b[36m \u001b[39m\u001b[32mIn[1]\u001b[39m\u001b[32m, line 2\u001b[39m\n\u001b[32m      1\u001b[39m d = {}\n\u001b[32m----> \u001b[39m\u001b[32m2\u001b[39m \u001b[30;43md\u001b[39;49m\u001b[30;43m[\u001b[39;49m\u001b[30;43m'\u001b[39;49m\u001b[30;43mx\u001b[39;49m\u001b[30;43m'\u001b[39;49m\u001b[30;43m]\u001b[39;49m\n",
      "\u001b[31mKeyError\u001b[39m: 'x'"
    ]
  };

  it("leaves out IPython's ruler and header", () => {
    expect(errorOf([keyError])).toBe(
      "KeyError: 'x'\n\nCell In[1], line 2\n      1 d = {}\n----> 2 d['x']\n\nKeyError: 'x'"
    );
  });

  it('excerpts the error line and the frame that raised', () => {
    expect(errorExcerpt(errorOf([keyError])!)).toBe(
      "KeyError: 'x'\nCell In[1], line 2\n----> 2 d['x']"
    );
    // A chained error inside a library: the frame in the cell's own code.
    const chained = [
      "KeyError: 'a'",
      '',
      'File ~/site-packages/pandas/core/indexes/base.py:3816, in Index.get_loc(self, key)',
      '-> 3816     return self._engine.get_loc(casted_key)',
      "KeyError: 'a'",
      '',
      'The above exception was the direct cause of the following exception:',
      '',
      'Cell In[2], line 3',
      "----> 3 df['a'].mean()",
      'File ~/site-packages/pandas/core/frame.py:4107, in DataFrame.__getitem__(self, key)',
      '-> 4107 indexer = self.columns.get_loc(key)',
      "KeyError: 'a'"
    ].join('\n');
    expect(errorExcerpt(chained)).toBe(
      "KeyError: 'a'\nCell In[2], line 3\n----> 3 df['a'].mean()"
    );
    // A problem the user described: its first lines.
    expect(errorExcerpt('It should print twice\nnot once')).toBe(
      'It should print twice\nnot once'
    );
  });

  it('uses the selection and summarises the outputs without the error', () => {
    const context = gatherCellContext({
      python,
      source: 'a = df.x\nprint(a)',
      selection: 'df.x',
      outputs: [stdout('42\n'), errorOutput('KeyError', 'x')],
      earlier: ['df = load()'],
      state,
      outputTokenBudget: 500
    });
    expect(context.code).toBe('df.x');
    expect(context.isSelection).toBe(true);
    expect(context.outputs).toContain('42');
    expect(context.outputs).not.toContain('KeyError');
    expect(context.error).toContain('KeyError: x');
    expect(context.definitions.map(d => d.source)).toEqual(['df = load()']);
    const section = contextSection(context);
    expect(section).toContain('a selection within the cell');
    expect(section).toContain('# cell 1\ndf = load()');
    expect(section).toContain('- df: DataFrame, (3, 2)');
  });
});

describe('parseFixProposal', () => {
  it('takes the last Python block and keeps the explanation', () => {
    const answer =
      'It failed here:\n\n```python\nbad()\n```\n\nFixed:\n\n```python\ngood()\nmore()\n```\n';
    expect(parseFixProposal(answer)).toEqual({
      code: 'good()\nmore()',
      explanation: 'It failed here:\n\n```python\nbad()\n```\n\nFixed:'
    });
  });

  it('falls back to an unlabelled block, and is null without one', () => {
    expect(parseFixProposal('```\nx = 1\n```')?.code).toBe('x = 1');
    expect(parseFixProposal('```sh\nls\n```')).toBeNull();
    expect(parseFixProposal('No idea.')).toBeNull();
  });
});

describe('requests', () => {
  const context = {
    code: 'print(len(valuez))',
    isSelection: false,
    outputs: '',
    error: "NameError: name 'valuez' is not defined",
    definitions: [{ name: 'values', cell: 0, source: 'values = [1]' }],
    variables: []
  };
  const trans = (msgid: string, ...args: unknown[]) =>
    msgid.replace(/%(\d)/g, (_, n) => String(args[Number(n) - 1]));

  it('renders the explain template in the language, with the context', () => {
    const request = explainRequest(context, language('zh-Hans'), {}, trans);
    expect(request.prompt).toContain('Answer in Simplified Chinese');
    expect(request.prompt).toContain('print(len(valuez))');
    expect(request.prompt).toContain(
      "The cell raised NameError: name 'valuez' is not defined"
    );
    expect(request.prompt).toContain('[Context]');
    expect(request.display).toContain('**Explain this cell**');
    expect(request.display).toContain("NameError: name 'valuez'");
    expect(request.warning).toBeNull();
    const quiet = explainRequest(
      { ...context, error: null },
      ENGLISH,
      {},
      trans
    );
    expect(quiet.prompt).toContain('(no output)');
  });

  it('says which outputs explain and ask quote, for checking the answer’s numbers', () => {
    const shown = { ...context, outputs: '6.0', error: null };
    expect(explainRequest(shown, ENGLISH, {}, trans).quoted).toBe('6.0');
    expect(explainRequest(context, ENGLISH, {}, trans).quoted).toBe(
      context.error
    );
    expect(askRequest({ ...context, outputs: '6.0' }, 'why?').quoted).toBe(
      `6.0\n\n${context.error}`
    );
    expect(fixRequest(context, context.error, ENGLISH, {}, trans).quoted).toBe(
      ''
    );
  });

  it('fences code that holds backticks with a longer fence', () => {
    const request = explainRequest(
      { ...context, code: 's = """```"""', error: null },
      ENGLISH,
      {},
      trans
    );
    expect(request.display).toBe(
      '**Explain this cell**\n\n````python\ns = """```"""\n````'
    );
  });

  it('renders the fix template with the error, and uses valid overrides', () => {
    const request = fixRequest(context, context.error, ENGLISH, {}, trans);
    expect(request.prompt).toContain('code block (fenced with ```python)');
    expect(request.prompt).toContain("NameError: name 'valuez'");
    const custom = fixRequest(
      context,
      context.error,
      ENGLISH,
      { fix: 'FIX {{code}} {{error}}' },
      trans,
      2
    );
    expect(custom.prompt.startsWith('FIX print(len(valuez)) NameError')).toBe(
      true
    );
    expect(custom.display).toContain('attempt 2');
    const bad = fixRequest(context, 'x', ENGLISH, { fix: '{{oops}}' }, trans);
    expect(bad.warning).toContain('{{oops}}');
    expect(bad.prompt).toContain('This notebook cell failed');
  });

  it('puts the question and the cell in the ask prompt', () => {
    const request = askRequest(context, ' Why? ');
    expect(request.prompt).toMatch(/^Why\?\n\nAbout this notebook cell:/);
    expect(request.prompt).toContain('Its error:');
    expect(request.display).toBe('Why?\n\n```python\nprint(len(valuez))\n```');
  });
});

describe('ChatModel.ask', () => {
  it('shows the display text, sends the prompt without tools, and keeps it in the history', async () => {
    const client = new ScriptedClient(text('It ', 'adds.'), text('Sure.'));
    const model = new ChatModel({ client });
    const answer = await model.ask('PROMPT', {
      display: 'Explain this cell',
      modelAlias: 'small'
    });
    expect(answer).toBe('It adds.');
    expect(model.messages.map(m => [m.role, m.content])).toEqual([
      ['user', 'Explain this cell'],
      ['assistant', 'It adds.']
    ]);
    // The command's message is Markdown; what the user types is not.
    expect(model.messages[0].format).toBe('markdown');
    expect(client.requests[0].model).toBe('small');
    expect(client.requests[0].tools).toBeUndefined();
    expect(client.requests[0].messages.at(-1)).toEqual({
      role: 'user',
      content: 'PROMPT'
    });
    await model.send('And then?');
    expect(model.messages.at(-2)?.format).toBeUndefined();
    expect(client.requests[1].messages.slice(0, 2)).toEqual([
      { role: 'user', content: 'PROMPT' },
      { role: 'assistant', content: 'It adds.' }
    ]);
  });

  it('resolves null on failure, and say/warn add a message and a warning', async () => {
    const model = new ChatModel({ client: new ScriptedClient() });
    expect(await model.ask('P', { display: 'D' })).toBeNull();
    expect(model.messages.at(-1)?.role).toBe('error');
    model.say('Gave up.');
    expect(model.messages.at(-1)).toMatchObject({
      role: 'assistant',
      content: 'Gave up.',
      status: 'done'
    });
    model.warn('Bad template');
    expect(model.warning).toBe('Bad template');
    expect(model.status).toBe('idle');
  });
});
