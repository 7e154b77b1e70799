/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import { checkAnswer } from '../grounding/match';
import { extractNumbers, INumberMention } from '../grounding/numbers';
import type { IWireMessage, ToolProtocol } from '../llm/wire';
import type { IKernelState } from './tokens';

/**
 * What the loop knows when a reply without calls is about to end the turn.
 */
export interface IUncomputedCheck {
  /** The `checkUncomputedNumbers` setting. */
  enabled: boolean;
  /** The user's prompt. */
  prompt: string;
  /** The reply about to be the answer (its prose). */
  answer: string;
  /** Earlier turns, whose tool results and prompts may hold the numbers. */
  history: ReadonlyArray<IWireMessage>;
  /** The kernel's state when the turn began, or `null`. */
  state: IKernelState | null;
  /** Small talk gets no tools, so nothing to compute with. */
  smallTalk: boolean;
  /** Whether the turn made any `run_python` call (run, failed, skipped…). */
  calls: boolean;
  /**
   * The turn's messages so far (its calls and their results), for an answer
   * after steps: are its numbers in their outputs?
   */
  turnMessages?: ReadonlyArray<IWireMessage>;
  /**
   * The turn's tool protocol: the check after steps is for `text` (small
   * models); large models derive numbers in prose (a difference, a share)
   * that no output prints.
   */
  protocol?: ToolProtocol;
  /** Whether the turn already nudged the model. */
  nudged: boolean;
  /** Whether the step limit is reached (no step may run). */
  finalRequest: boolean;
}

/**
 * Why the loop asks the model, once, to run code before it answers:
 * `uncomputed` for an answer stating numbers no step computed, `unread` for
 * an answer about a data file nothing in the conversation has read,
 * `ungrounded` for an answer after steps whose numbers no output holds,
 * `echoed` for a reply that copies our report of an output instead of
 * answering.
 */
export type NudgeReason = 'uncomputed' | 'unread' | 'ungrounded' | 'echoed';

/**
 * Whether to ask the model, once, to compute its answer with code, and why.
 *
 * #### Notes
 * Small models (and large ones, less often) answer data questions with
 * values no code computed, and such an answer reads exactly like a computed
 * one. The nudge is for two cases, both with no call in the turn: an answer
 * stating numbers that are neither in the question nor in an earlier output,
 * to a question that needed computing; and any answer to a question about a
 * data file of the folder that no earlier message named (Qwen2.5-Coder-1.5B
 * answered "which product sold most in sales.csv?" with a name, unread). A
 * turn where the user skipped a step is not nudged: they chose not to run
 * it. After steps ran, an answer is set aside when none of its numbers is in
 * their outputs (`ungrounded`: the 1.5B model printed 21.0757 and answered
 * "21.0" for one decimal); one number found is enough, as an answer may
 * derive others.
 */
export function nudgeReason(check: IUncomputedCheck): NudgeReason | null {
  if (!check.enabled || check.smallTalk || check.nudged || check.finalRequest) {
    return null;
  }
  if (check.calls && echoesReport(check.answer)) {
    return 'echoed';
  }
  if (check.calls) {
    return check.protocol === 'text' && ungroundedNumbers(check).length
      ? 'ungrounded'
      : null;
  }
  const known = Private.knownTexts(check.history);
  if (
    statesNewNumbers(check.answer, [check.prompt, ...known]) &&
    needsComputation(check.prompt, check.state)
  ) {
    return 'uncomputed';
  }
  const answer = check.answer.trim();
  // A reply ending in a question asks the user something: theirs to answer.
  if (
    answer &&
    !/[?？]$/u.test(answer) &&
    unreadDataFiles(check.prompt, check.state, known).length
  ) {
    return 'unread';
  }
  return null;
}

/**
 * The numbers of an answer after steps, as written, when none of them is in
 * the outputs of the turn's steps (or earlier turns'), the question or the
 * code; else none. A turn with a step the user declined gives none: they
 * chose not to run it.
 */
export function ungroundedNumbers(check: IUncomputedCheck): string[] {
  const messages = check.turnMessages ?? [];
  const results = messages.filter(message => message.role === 'tool');
  if (
    !results.length ||
    results.some(result => Private.textOf(result).startsWith(Private.DECLINED))
  ) {
    return [];
  }
  const code = messages.flatMap(message =>
    message.role === 'assistant'
      ? (message.tool_calls ?? []).map(call => call.function.arguments)
      : []
  );
  const report = checkAnswer(check.answer, {
    sources: [...check.history, ...results]
      .filter(message => message.role === 'tool')
      .map(message => ({ step: null, text: Private.textOf(message) })),
    given: [check.prompt, ...code].join('\n')
  });
  if (report.found || !report.unmatched) {
    return [];
  }
  return report.numbers
    .filter(number => number.status === 'unmatched')
    .map(number => number.mention.text);
}

/**
 * Whether a reply begins with the header of a tool result or of the text
 * protocol's output message (toolresults.ts `resultHeader`,
 * textprotocolmessages.ts `outputMessage`): a copy of our report, not an
 * answer. Qwen2.5-Coder-1.5B answered "Ran without error. Outputs:
 * Doohickey".
 *
 * @param answer - the reply about to be the answer.
 */
export function echoesReport(answer: string): boolean {
  return Private.REPORT_HEADER.test(answer.trimStart());
}

/**
 * Whether to nudge (`nudgeReason` gives one).
 */
export function shouldNudge(check: IUncomputedCheck): boolean {
  return nudgeReason(check) !== null;
}

/**
 * The data files of the folder that `prompt` names and no earlier message
 * (`known`: the conversation's prompts and outputs) mentions.
 *
 * @param prompt - the user's prompt.
 * @param state - the kernel's state, with the folder's files.
 * @param known - the texts of earlier turns.
 */
export function unreadDataFiles(
  prompt: string,
  state: IKernelState | null,
  known: ReadonlyArray<string>
): string[] {
  const text = prompt.toLowerCase();
  const earlier = known.map(k => k.toLowerCase());
  return (state?.files ?? []).filter(file => {
    const name = file.toLowerCase();
    return (
      Private.DATA_FILE.test(file) &&
      text.includes(name) &&
      !earlier.some(k => k.includes(name))
    );
  });
}

/**
 * Whether `answer` states a number that none of `known` holds (the question,
 * earlier outputs): compared by value, at the precision the answer shows.
 */
export function statesNewNumbers(
  answer: string,
  known: ReadonlyArray<string>
): boolean {
  const stated = extractNumbers(answer);
  if (!stated.length) {
    return false;
  }
  const values = known.flatMap(text =>
    extractNumbers(text, { prose: false }).map(n => n.value)
  );
  return stated.some(
    number => !values.some(value => Private.sameAt(number, value))
  );
}

/**
 * Whether a question needs computing: it names a data file (or a file of
 * the notebook's folder), a data variable of the kernel, the data in
 * context, or asks for a statistic (English or Chinese).
 */
export function needsComputation(
  prompt: string,
  state: IKernelState | null
): boolean {
  const text = prompt.toLowerCase();
  if (Private.STATISTIC.test(text) || Private.DATA_FILE.test(text)) {
    return true;
  }
  const files = state?.files ?? [];
  if (
    files.some(file => file.length > 2 && text.includes(file.toLowerCase()))
  ) {
    return true;
  }
  const data = (state?.variables ?? []).filter(v =>
    Private.DATA_TYPE.test(v.type)
  );
  if (data.some(v => Private.names(text, v.name.toLowerCase()))) {
    return true;
  }
  const hasData = data.length > 0 || files.some(f => Private.DATA_FILE.test(f));
  return hasData && Private.DATA_WORD.test(text);
}

/**
 * The data files and kernel variables a prompt names, as written in the
 * context (`sales.csv`, `df`), for the nudge to point at.
 */
export function namedData(
  prompt: string,
  state: IKernelState | null
): string[] {
  const text = prompt.toLowerCase();
  const names = [...prompt.matchAll(Private.DATA_FILE_NAME)].map(m => m[0]);
  for (const file of state?.files ?? []) {
    if (file.length > 2 && text.includes(file.toLowerCase())) {
      names.push(file);
    }
  }
  for (const variable of state?.variables ?? []) {
    if (
      Private.DATA_TYPE.test(variable.type) &&
      Private.names(text, variable.name.toLowerCase())
    ) {
      names.push(variable.name);
    }
  }
  return [...new Set(names)];
}

/**
 * The message that asks for the computation, in the form the turn's tool
 * protocol runs code in.
 *
 * #### Notes
 * It follows the prompt with the answer left out (the loop sets it aside),
 * and says plainly that no code ran, asks for the code first and names the
 * data: Qwen2.5-Coder-1.5B, shown its answer and asked "if they come from
 * the data, compute them", repeated its answer on every question. Saying
 * the numbers are estimates is the way out only when no code can compute
 * them.
 *
 * @param protocol - `text` asks for a fenced python block, `native` for a
 *   `run_python` call, `auto` for either.
 * @param data - the files and variables the question names (`namedData`).
 * @param reason - why the answer was set aside (`nudgeReason`).
 * @param numbers - for `ungrounded`, the answer's numbers no output holds.
 */
export function nudgeMessage(
  protocol: ToolProtocol,
  data: ReadonlyArray<string> = [],
  reason: NudgeReason = 'uncomputed',
  numbers: ReadonlyArray<string> = []
): string {
  const how =
    protocol === 'text'
      ? 'Reply with one ```python block'
      : protocol === 'native'
        ? 'Call run_python with code'
        : 'Call run_python (or reply with one ```python block) with code';
  const reads = data.length
    ? `reads ${data.slice(0, 3).join(', ')} and prints`
    : 'computes and prints';
  if (reason === 'echoed') {
    return (
      '[Context, not written by the user] Your reply copied the report of ' +
      'the output instead of answering, so it was set aside. Answer the ' +
      'request now from the outputs above, in the format it asks for, ' +
      'without copying the report.'
    );
  }
  if (reason === 'ungrounded') {
    const stated = numbers.length ? ` (${numbers.slice(0, 5).join(', ')})` : '';
    const code =
      protocol === 'native'
        ? 'call run_python with code that computes them'
        : 'send one ```python block that computes them';
    return (
      `[Context, not written by the user] The numbers of your answer${stated} ` +
      'are not in any output above, so your answer was set aside. Answer again ' +
      'with the values the outputs show, rounded as the request asks, or ' +
      `${code}.`
    );
  }
  if (reason === 'unread') {
    return (
      '[Context, not written by the user] No code has run yet, so you cannot ' +
      'know the answer: your first answer, given without reading the data, ' +
      `was set aside. ${how} that ${reads} the values asked for; then answer ` +
      'from its output.'
    );
  }
  return (
    '[Context, not written by the user] No code has run yet, so you cannot ' +
    'know these numbers: your first answer, which stated numbers without ' +
    `running code, was set aside. ${how} that ${reads} the values asked ` +
    'for; then answer from its output. Only if no code can compute them, ' +
    'answer and say plainly that your numbers are estimates.'
  );
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * Words asking for a statistic or a computation.
   */
  export const STATISTIC =
    /\b(mean|means|average|averages|avg|median|mode|sum|sums|total|totals|count|counts|how many|how much|number of|percent|percentage|percentages|proportion|share|ratio|rate|correlat\w*|std|standard deviation|variance|min|max|minimum|maximum|highest|lowest|largest|smallest|quantile|percentile|quartile|growth|regression|compute|calculate)\b|平均|均值|中位数|中位數|众数|總和|总和|总计|總計|合计|合計|求和|总数|總數|多少|几个|幾個|几次|比例|百分比|占比|佔比|比率|相关|相關|标准差|標準差|方差|最大|最小|最高|最低|增长率|增長率|分位数|计算|計算|统计|統計/u;

  /**
   * A data file's name.
   */
  export const DATA_FILE =
    /[\w-]\.(csv|tsv|xlsx?|xls|json|jsonl|parquet|feather|txt|dat|sqlite|db|h5|hdf5|pkl|pickle|sav|dta|xml)\b/u;

  /**
   * A data file's whole name, in a prompt.
   */
  export const DATA_FILE_NAME =
    /[\w.-]*[\w-]\.(csv|tsv|xlsx?|json|jsonl|parquet|feather|txt|dat|sqlite|db|h5|hdf5|pkl|pickle|sav|dta|xml)\b/giu;

  /**
   * Kernel types that hold data.
   */
  export const DATA_TYPE = /DataFrame|Series|ndarray|Dataset|DataArray|Table/u;

  /**
   * How our reports of a step begin: a tool result's header (toolresults.ts
   * `resultHeader`), the text protocol's output message.
   */
  export const REPORT_HEADER =
    /^(?:Ran without error\. Outputs:|The code raised an error\. Outputs:|Output of your code:)/u;

  /**
   * How the result of a step the user declined starts (toolresults.ts).
   */
  export const DECLINED = 'The user declined';

  /**
   * A message's text parts, joined.
   */
  export function textOf(message: IWireMessage): string {
    const content = message.content;
    if (typeof content === 'string') {
      return content;
    }
    return (content ?? [])
      .map(part => (part.type === 'text' ? part.text : ''))
      .join('\n');
  }

  /**
   * Words for the data in context ("the data", "this table", 数据…).
   */
  export const DATA_WORD =
    /\b(data|dataset|datasets|dataframe|table|columns?|rows?|records?|file)\b|数据|數據|表格|文件|记录|記錄|字段|列名|行数|行數/u;

  /**
   * Whether `text` names `name` as a word (`df`, `df.price`, `df['x']`).
   */
  export function names(text: string, name: string): boolean {
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`(^|[^\\w])${escaped}($|[^\\w])`, 'u').test(text);
  }

  /**
   * The texts of earlier turns that may hold a stated number: the user's
   * messages (and the text protocol's outputs) and the tool results.
   */
  export function knownTexts(history: ReadonlyArray<IWireMessage>): string[] {
    const texts: string[] = [];
    for (const message of history) {
      if (message.role !== 'user' && message.role !== 'tool') {
        continue;
      }
      const content = message.content;
      if (typeof content === 'string') {
        texts.push(content);
      } else if (Array.isArray(content)) {
        for (const part of content) {
          if (part.type === 'text') {
            texts.push(part.text);
          }
        }
      }
    }
    return texts;
  }

  /**
   * Whether `value`, at the precision the answer shows, is the stated
   * number (a known 171.4412 is a stated 171.44).
   */
  export function sameAt(stated: INumberMention, value: number): boolean {
    const scale = 10 ** Math.min(stated.decimals, 12);
    return Math.round(value * scale) === Math.round(stated.value * scale);
  }
}
