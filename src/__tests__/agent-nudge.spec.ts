/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import {
  IUncomputedCheck,
  namedData,
  needsComputation,
  nudgeMessage,
  nudgeReason,
  shouldNudge,
  ungroundedNumbers,
  statesNewNumbers
} from '../agent/nudge';
import { agentSettingsFrom } from '../agent/settings';
import type { IKernelState } from '../agent/tokens';
import type { IWireMessage } from '../tokens';

const EMPTY: IKernelState = {
  variables: [],
  packages: {},
  cwd: '/work',
  files: []
};

const WITH_DATA: IKernelState = {
  variables: [{ name: 'orders', type: 'DataFrame', shape: '(120, 5)' }],
  packages: {},
  cwd: '/work',
  files: ['sales.csv', 'notes.md']
};

/**
 * A check that nudges, but for `overrides`.
 */
function check(overrides: Partial<IUncomputedCheck>): IUncomputedCheck {
  return {
    enabled: true,
    prompt: 'What is the mean of units in sales.csv?',
    answer: 'The mean is 42.5.',
    history: [],
    state: EMPTY,
    smallTalk: false,
    calls: false,
    nudged: false,
    finalRequest: false,
    ...overrides
  };
}

describe('shouldNudge', () => {
  it.each<[string, Partial<IUncomputedCheck>, boolean]>([
    ['numbers, no step, a file named', {}, true],
    [
      'numbers, no step, a statistic asked',
      { prompt: 'What is the average of these values?' },
      true
    ],
    [
      'Chinese: 平均 and a file',
      {
        prompt: 'sales.csv 里 units 的平均值是多少？',
        answer: '平均值是 42.5。'
      },
      true
    ],
    [
      'Chinese: 多少 without a file',
      { prompt: '北区的总收入是多少？', answer: '总收入约为 12,345.60 元。' },
      true
    ],
    [
      'Chinese: 比例',
      { prompt: '缺失值的比例是多少', answer: '缺失比例为 17%。' },
      true
    ],
    [
      'a percentage answer to "what percentage"',
      {
        prompt: 'What percentage of rows have a missing temperature?',
        answer: 'About 12.5% of the rows.'
      },
      true
    ],
    ['the setting off', { enabled: false }, false],
    ['a step ran (or was called)', { calls: true }, false],
    ['already nudged in this turn', { nudged: true }, false],
    ['at the step limit', { finalRequest: true }, false],
    [
      'small talk',
      { prompt: 'hi', answer: 'Hello! I have 2 ideas.', smallTalk: true },
      false
    ],
    [
      'an answer without numbers',
      { answer: 'I need to read the file first; shall I run it?' },
      false
    ],
    [
      'Chinese answer without numbers',
      { prompt: '平均值是多少？', answer: '我需要先读取文件。' },
      false
    ],
    [
      'a question that needs no computing',
      {
        prompt: 'Who wrote the novel Dune?',
        answer: 'Frank Herbert wrote it; it came out in 1965 with 412 pages.'
      },
      false
    ],
    [
      'Chinese question that needs no computing',
      { prompt: '请解释一下什么是 pandas', answer: 'pandas 有 2 个核心结构。' },
      false
    ],
    [
      'only numbers of the question repeated',
      {
        prompt: 'What is the mean of 3, 5 and 10? Answer with 2 decimals.',
        answer: 'I would add 3, 5 and 10 and use 2 decimals.'
      },
      false
    ],
    [
      'a year and a date are not stated results',
      {
        prompt: 'How many orders are in sales.csv?',
        answer: 'The file starts on 2024-05-01, in 2024.'
      },
      false
    ],
    [
      'numbers in code only',
      {
        prompt: 'How do I compute the mean of df?',
        answer: 'Use `df.head(5)` and then `round(x, 2)`.'
      },
      false
    ]
  ])('%s', (_name, overrides, expected) => {
    expect(shouldNudge(check(overrides))).toBe(expected);
  });

  it('does not nudge a number an earlier output holds, at the precision shown', () => {
    const history: IWireMessage[] = [
      { role: 'user', content: 'Mean of units in sales.csv?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'c1',
            type: 'function',
            function: { name: 'run_python', arguments: '{}' }
          }
        ]
      },
      { role: 'tool', tool_call_id: 'c1', content: 'Ran.\n42.4871' },
      { role: 'assistant', content: 'The mean is 42.49.' }
    ];
    expect(
      shouldNudge(
        check({
          prompt: 'What was the mean again?',
          answer: 'It was 42.49.',
          history
        })
      )
    ).toBe(false);
    // A new number still counts.
    expect(
      shouldNudge(
        check({
          prompt: 'And the median?',
          answer: 'The median is 40.',
          history
        })
      )
    ).toBe(true);
  });

  it('does not take an earlier answer of the model as a source', () => {
    const history: IWireMessage[] = [
      { role: 'user', content: 'Mean of units in sales.csv?' },
      { role: 'assistant', content: 'The mean is 42.5.' }
    ];
    expect(shouldNudge(check({ prompt: 'What is the mean?', history }))).toBe(
      true
    );
  });
});

describe('nudgeReason', () => {
  const about = (prompt: string, answer: string) =>
    check({ prompt, answer, state: WITH_DATA });

  it('sets aside an answer in words about a data file nothing has read', () => {
    const question =
      'Which product in sales.csv has the most units sold in total? Answer with the product name only.';
    expect(nudgeReason(about(question, 'Apple'))).toBe('unread');
    expect(
      nudgeReason(about('When was SALES.CSV busiest? YYYY-MM', '2023-04'))
    ).toBe('unread');
    expect(nudgeReason(about(question, 'The top product is 42 units.'))).toBe(
      'uncomputed'
    );
  });

  it('leaves alone a file an earlier turn read, a file not in the folder, and non-data files', () => {
    const question = 'Which product in sales.csv sold most?';
    const history: IWireMessage[] = [
      { role: 'user', content: 'Load sales.csv' },
      { role: 'assistant', content: 'Loaded.' }
    ];
    expect(nudgeReason({ ...about(question, 'Gizmo'), history })).toBeNull();
    expect(
      nudgeReason(about('Which product in orders.csv sold most?', 'Gizmo'))
    ).toBeNull();
    expect(nudgeReason(about('What is notes.md about?', 'Plans.'))).toBeNull();
    expect(nudgeReason(about(question, '   '))).toBeNull();
    // A question back to the user is theirs to answer.
    expect(
      nudgeReason(about(question, 'Shall I read the file and count them?'))
    ).toBeNull();
  });

  it('keeps the same guards as for numbers', () => {
    const question = 'Which product in sales.csv sold most?';
    for (const guard of [
      { enabled: false },
      { calls: true },
      { nudged: true },
      { finalRequest: true },
      { smallTalk: true }
    ]) {
      expect(nudgeReason({ ...about(question, 'Gizmo'), ...guard })).toBeNull();
    }
  });
});

describe('after steps (text protocol)', () => {
  const CODE =
    'import pandas as pd\nprint(pd.read_csv("sensors.csv")["t"].mean())';
  const turn = (output: string): IWireMessage[] => [
    {
      role: 'user',
      content: 'Mean temperature in sensors.csv? Answer with 1 decimal.'
    },
    {
      role: 'assistant',
      content: '',
      tool_calls: [
        {
          id: 'c1',
          type: 'function',
          function: {
            name: 'run_python',
            arguments: JSON.stringify({ code: CODE })
          }
        }
      ]
    },
    { role: 'tool', tool_call_id: 'c1', content: output }
  ];
  const after = (answer: string, output = '21.075743348982787\n') =>
    check({
      prompt: 'Mean temperature in sensors.csv? Answer with 1 decimal.',
      answer,
      calls: true,
      protocol: 'text',
      turnMessages: turn(output)
    });

  it('sets aside an answer none of whose numbers an output holds', () => {
    expect(nudgeReason(after('21.0'))).toBe('ungrounded');
    expect(ungroundedNumbers(after('21.0'))).toEqual(['21.0']);
    expect(nudgeReason(after('About 25 degrees, 3 sensors.'))).toBe(
      'ungrounded'
    );
  });

  it('takes an answer with one number found, at the rounding shown', () => {
    expect(nudgeReason(after('21.1'))).toBeNull();
    expect(nudgeReason(after('21.08, so about 2 more than 19'))).toBeNull();
    expect(nudgeReason(after('The mean is 21.076 °C.'))).toBeNull();
  });

  it('leaves alone answers without numbers, declined steps, the native protocol and the setting off', () => {
    expect(nudgeReason(after('It is warm.'))).toBeNull();
    expect(
      nudgeReason(after('21.0', 'The user declined to run this code.'))
    ).toBeNull();
    expect(nudgeReason({ ...after('21.0'), protocol: 'native' })).toBeNull();
    expect(nudgeReason({ ...after('21.0'), enabled: false })).toBeNull();
    expect(nudgeReason({ ...after('21.0'), nudged: true })).toBeNull();
    expect(nudgeReason({ ...after('21.0'), turnMessages: [] })).toBeNull();
  });

  it('says which numbers and asks for the values the outputs show', () => {
    const message = nudgeMessage('text', [], 'ungrounded', ['21.0']);
    expect(message).toContain(
      'The numbers of your answer (21.0) are not in any output above'
    );
    expect(message).toContain('rounded as the request asks');
    expect(message).toContain('```python');
  });
});

describe('needsComputation', () => {
  it.each<[string, IKernelState | null, boolean]>([
    ['Plot sales.csv', null, true],
    ['Load data.xlsx please', null, true],
    ['what does orders look like?', WITH_DATA, true],
    ['show orders.head()', WITH_DATA, true],
    ['summarise the data', WITH_DATA, true],
    ['summarise the data', EMPTY, false],
    ['总结一下这些数据', WITH_DATA, true],
    ['open notes.md', WITH_DATA, true],
    ['how many rows', null, true],
    ['standard deviation of humidity', null, true],
    ['correlation between a and b', null, true],
    ['中位数是多少', null, true],
    ['各组的标准差', null, true],
    ['哪个产品的销量最高', null, true],
    ['计算一下', null, true],
    ['Tell me a joke', WITH_DATA, false],
    ['What is a DataFrame?', EMPTY, false],
    ['写一首诗', WITH_DATA, false],
    ['what is borders?', WITH_DATA, false]
  ])('%s', (prompt, state, expected) => {
    expect(needsComputation(prompt, state)).toBe(expected);
  });
});

describe('statesNewNumbers', () => {
  it.each<[string, string[], boolean]>([
    ['The mean is 42.5.', [], true],
    ['The mean is 42.5.', ['mean: 42.5'], false],
    ['The mean is 171.44.', ['171.4412'], false],
    ['The mean is 171.44.', ['171.4512'], true],
    ['Total: 1,234', ['1234'], false],
    ['共有 37 名员工', [], true],
    ['No numbers here.', [], false],
    ['Step 2 reads the file.', [], false]
  ])('%s with %j', (answer, known, expected) => {
    expect(statesNewNumbers(answer, known)).toBe(expected);
  });
});

describe('nudgeMessage', () => {
  it('for an unread file, says no data was read and asks for code that reads it', () => {
    const message = nudgeMessage('text', ['sales.csv'], 'unread');
    expect(message).toContain('without reading the data');
    expect(message).toContain(
      'Reply with one ```python block that reads sales.csv'
    );
    expect(message).not.toContain('estimates');
  });

  it('asks for a python block in the text protocol, a call in the native one', () => {
    expect(nudgeMessage('text')).toContain('```python');
    expect(nudgeMessage('text')).not.toContain('run_python');
    expect(nudgeMessage('native')).toContain('run_python');
    expect(nudgeMessage('native')).not.toContain('```');
    expect(nudgeMessage('auto')).toContain('run_python');
    expect(nudgeMessage('auto')).toContain('```python');
    for (const protocol of ['text', 'native', 'auto'] as const) {
      expect(nudgeMessage(protocol)).toMatch(/estimates/);
      expect(nudgeMessage(protocol)).toContain('computes and prints');
      expect(nudgeMessage(protocol, ['sales.csv', 'df'])).toContain(
        'reads sales.csv, df and prints'
      );
    }
  });
});

describe('namedData', () => {
  it.each<[string, IKernelState | null, string[]]>([
    ['Mean of units in sales.csv?', null, ['sales.csv']],
    ['Compare Q1-2024.xlsx and sales.csv', null, ['Q1-2024.xlsx', 'sales.csv']],
    ['How many rows in orders?', WITH_DATA, ['orders']],
    ['What is in notes.md?', WITH_DATA, ['notes.md']],
    ['sales.csv 中 units 的平均值', WITH_DATA, ['sales.csv']],
    ['What is the average?', WITH_DATA, []]
  ])('%s', (prompt, state, expected) => {
    expect(namedData(prompt, state)).toEqual(expected);
  });
});

describe('the checkUncomputedNumbers setting', () => {
  it('is on by default and read as a boolean', () => {
    expect(agentSettingsFrom({}).checkUncomputedNumbers).toBe(true);
    expect(
      agentSettingsFrom({ checkUncomputedNumbers: false })
        .checkUncomputedNumbers
    ).toBe(false);
    expect(
      agentSettingsFrom({ checkUncomputedNumbers: 'no' }).checkUncomputedNumbers
    ).toBe(true);
  });
});
