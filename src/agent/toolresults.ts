/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type * as nbformat from '@jupyterlab/nbformat';

import type { IWireTool } from '../llm/wire';
import type { DeferredText, TranslateFn } from '../translate';
import { untranslated } from '../translate';
import { answerTranslator } from './answerlanguage';
import { dataSourceLines } from './datasources';
import { pythonString } from './outputs';
import { describeDataPackages, describePackages } from './packages';
import { POLICY_CATEGORIES } from './tokens';
import type {
  ApprovalMode,
  ICheckResult,
  IKernelState,
  IPolicyFinding,
  IStepResult,
  PolicyAction,
  PolicyCategory
} from './tokens';

/**
 * The one tool the model may call.
 *
 * #### Notes
 * A constant, so every request of a turn (and of every turn) sends the same
 * bytes: endpoints that cache prompt prefixes can reuse them.
 */
export const RUN_PYTHON_TOOL: IWireTool = Object.freeze({
  type: 'function',
  function: {
    name: 'run_python',
    description:
      "Run Python code in the user's Jupyter notebook kernel, as a new cell the user sees and may approve, edit or skip. State persists between calls. Returns what the cell printed and displayed (text, tables, errors with traceback, descriptions of images) and the files it created.",
    parameters: {
      type: 'object',
      properties: {
        code: {
          type: 'string',
          description:
            'The Python code to run (IPython syntax allowed, no package installs).'
        }
      },
      required: ['code']
    }
  }
}) as IWireTool;

/**
 * What the check decided about a step.
 */
export interface IVerdict {
  /**
   * The tool result when the step must not run; `null` when it may.
   */
  refusal: string | null;

  /**
   * The error, as `name: value`, when the refusal counts as a failure; the
   * user reads it (why the agent gave up, why a fixed cell did not run).
   */
  failure: DeferredText | null;

  /**
   * The findings the policy blocks, when it blocks the step.
   */
  blocked: IPolicyFinding[];

  /**
   * Whether the user must approve the step.
   */
  needsApproval: boolean;

  /**
   * Why, shown beside the buttons: translated with the `trans` given to
   * `judgeStep`.
   */
  approvalReason?: string;
}

/**
 * Judge a step from its check: syntax errors and blocked categories refuse
 * it; `ask` findings and the approval mode decide whether the user is asked.
 *
 * @param check - the kernel's check of the code.
 * @param policy - the action per category, from the settings.
 * @param mode - the approval mode.
 * @param state - the kernel's state, for the packages an install may use.
 * @param trans - the UI translation, for the approval reason the user reads.
 */
export function judgeStep(
  check: ICheckResult,
  policy: Record<PolicyCategory, PolicyAction>,
  mode: ApprovalMode,
  state: IKernelState | null,
  trans: TranslateFn = untranslated
): IVerdict {
  const error = check.syntaxError;
  if (error) {
    const where = error.text?.trim()
      ? `line ${error.line}: ${error.text.trim()}`
      : `line ${error.line}`;
    return {
      refusal: `SyntaxError: ${error.message} (${where}); the code was not run. Fix it and call run_python again.`,
      failure: trans =>
        trans('SyntaxError: %1 (line %2)', error.message, error.line),
      blocked: [],
      needsApproval: false
    };
  }
  const blocked = check.findings.filter(f => policy[f.category] === 'block');
  if (blocked.length) {
    const lines = blocked.map(
      f => `- ${Private.CATEGORY[f.category]}: ${f.detail} (line ${f.line})`
    );
    let text = `Not run: the code policy of this notebook blocks\n${lines.join('\n')}`;
    if (blocked.some(f => f.category === 'install')) {
      text +=
        '\nPackages cannot be installed here. ' +
        (Object.keys(state?.packages ?? {}).length
          ? `Use what is installed: ${describePackages(state)}`
          : 'Use the standard library and what is already imported.');
    }
    return {
      refusal: text + '\nRewrite the code without it.',
      failure: trans =>
        trans('Blocked: %1', blocked.map(f => f.detail).join('; ')),
      blocked,
      needsApproval: false
    };
  }
  const asks = check.findings.filter(f => policy[f.category] === 'ask');
  const needsApproval =
    mode === 'ask' ||
    asks.length > 0 ||
    (mode === 'auto-safe' && check.findings.length > 0);
  const reasons = asks.length ? asks : check.findings;
  return {
    refusal: null,
    failure: null,
    blocked: [],
    needsApproval,
    approvalReason:
      needsApproval && reasons.length
        ? describeFindings(reasons, trans)
        : undefined
  };
}

/**
 * What the check found, for the user: a translated sentence per finding
 * from its category, quoting the kernel's detail as evidence.
 *
 * #### Notes
 * The detail comes from the checker in the kernel, in English, and names
 * the code it found (`calls requests.get`); the model gets the English
 * category labels of `judgeStep`'s refusal instead.
 *
 * @param findings - the findings to describe.
 * @param trans - the UI translation.
 */
export function describeFindings(
  findings: readonly IPolicyFinding[],
  trans: TranslateFn
): string {
  return findings
    .map(finding => Private.describeFinding(finding, trans))
    .reduce((joined, next) => trans('%1; %2', joined, next));
}

/**
 * The finding categories a step may have and still run without asking, or
 * `null` when every step is asked about (`ask` mode).
 *
 * #### Notes
 * A step runs unasked exactly when it has no syntax error and all its
 * findings are in this list: the same decision `judgeStep` makes, taken
 * before the check so the kernel can take it (`runGatedStep`).
 */
export function categoriesRunUnasked(
  policy: Record<PolicyCategory, PolicyAction>,
  mode: ApprovalMode
): PolicyCategory[] | null {
  switch (mode) {
    case 'ask':
      return null;
    case 'auto-safe':
      return [];
    case 'auto':
      return POLICY_CATEGORIES.filter(category => policy[category] === 'allow');
  }
}

/**
 * The tool result's header for a step that ran (or did not), before its
 * outputs.
 *
 * @param result - the host's report.
 * @param timeoutSeconds - the time limit, for timeouts.
 */
export function resultHeader(
  result: IStepResult,
  timeoutSeconds: number
): string {
  const edited = result.edited
    ? 'The user edited the code before running it; this is the code that ran:\n```python\n' +
      result.code +
      '\n```\n'
    : '';
  switch (result.outcome) {
    case 'ok':
      return edited + 'Ran without error. Outputs:';
    case 'error':
      return edited + 'The code raised an error. Outputs:';
    case 'timeout':
      return (
        edited +
        `Timed out after ${timeoutSeconds} s; the kernel was interrupted. Outputs so far:`
      );
    case 'kernel_died':
      return (
        edited +
        'The kernel died or restarted while running, perhaps at its memory limit (c.CodeInterpreterKernelLimits.memory_limit on the server) or past its time limit; its variables are lost. Outputs so far:'
      );
    case 'skipped':
      return 'The user declined to run this code.';
    case 'stopped':
      return 'The user stopped the run.';
  }
}

/**
 * Told to the model after a step that ran and failed: its next step takes
 * the failed cell's place in the notebook (notebook/replacement.ts), so a
 * rerun never runs the failed code and must not need what it defined.
 */
export const REPLACEMENT_NOTE =
  'Your next step replaces this cell in the notebook, and a rerun of the notebook will not run this failed code: write the complete corrected code, not only the changed line.';

/**
 * The note that ends the tool result of a step, or `null`: after a step
 * that ran and failed, `REPLACEMENT_NOTE`.
 *
 * @param result - the host's report.
 */
export function replacementNote(result: IStepResult): string | null {
  switch (result.outcome) {
    case 'error':
    case 'timeout':
    case 'kernel_died':
      return result.cellId ? REPLACEMENT_NOTE : null;
    default:
      return null;
  }
}

/**
 * The error of a failed step, as `name: value`, for the gave-up message.
 *
 * @param result - the host's report.
 * @param timeoutSeconds - the time limit, for timeouts.
 */
export function failureOf(
  result: IStepResult,
  timeoutSeconds: number
): DeferredText | null {
  switch (result.outcome) {
    case 'error': {
      const error = result.outputs.find(o => o.output_type === 'error') as
        nbformat.IError | undefined;
      // The exception's name and value are Python's, shown as they are.
      return error
        ? () => `${error.ename}: ${error.evalue}`
        : trans => trans('Error');
    }
    case 'timeout':
      return trans => trans('Timed out after %1 s', timeoutSeconds);
    case 'kernel_died':
      return trans =>
        trans('The kernel died (perhaps at its memory or time limit)');
    default:
      return null;
  }
}

/**
 * The context message: the kernel's state, after the history.
 *
 * #### Notes
 * Rebuilt for every request; it is the only part of a request that changes
 * between steps besides the appended tool messages.
 *
 * @param state - the kernel's state, or `null` when it could not be read.
 * @param finalRequest - whether the step limit is reached.
 * @param options - the prompt, whose named CSV/TSV files get their header
 *   line quoted, and whether to list only the data packages.
 */
export function contextMessage(
  state: IKernelState | null,
  finalRequest: boolean,
  options: IContextOptions = {}
): string {
  const lines = ['[Context from the notebook, not written by the user]'];
  if (state) {
    lines.push(`Working directory: ${state.cwd}`);
    lines.push(
      `Files: ${state.files.length ? state.files.join(', ') : '(none)'}`
    );
    lines.push(...headerLines(state, options.prompt ?? ''));
    lines.push(
      'Variables: ' +
        (state.variables.length
          ? state.variables
              .map(v => `${v.name} (${v.type}${v.shape ? `, ${v.shape}` : ''})`)
              .join(', ')
          : '(none)')
    );
    lines.push(
      options.dataPackagesOnly
        ? `Installed data packages: ${describeDataPackages(state)}`
        : `Installed packages: ${describePackages(state)}`
    );
    lines.push(...dataSourceLines(state.dataSources ?? []));
  } else {
    lines.push('The kernel state could not be read.');
  }
  if (finalRequest) {
    lines.push(FINAL_REQUEST_NOTE);
  }
  return lines.join('\n');
}

/**
 * What else the context message says (`contextMessage`).
 */
export interface IContextOptions {
  /**
   * The user's prompt: the CSV/TSV files it names get their header line.
   */
  prompt?: string;

  /**
   * List only the data packages (the text protocol, for small models).
   */
  dataPackagesOnly?: boolean;
}

/**
 * The header line of each CSV/TSV file of the folder the prompt names,
 * quoted exactly (trailing spaces and the separator show), no data row:
 * `employees.csv header line: 'Employee ID,Dept ,Annual Salary'`.
 *
 * #### Notes
 * Small models guess column names (`Dept` for `Dept `); with the header
 * line they copy them. A data row is not sent: a model shown one copied a
 * value from it as the answer.
 *
 * @param state - the kernel's state, with the files' first lines.
 * @param prompt - the user's prompt.
 */
export function headerLines(state: IKernelState, prompt: string): string[] {
  const text = prompt.toLowerCase();
  return Object.entries(state.headers ?? {})
    .filter(([name]) => text.includes(name.toLowerCase()))
    .map(
      ([name, line]) =>
        `${name} header line: ${pythonString(line.slice(0, Private.HEADER_CHARS))}` +
        Private.separatorNote(line)
    );
}

/**
 * Sent as the last message when the step limit is reached.
 */
export const FINAL_REQUEST_NOTE =
  '[Context, not written by the user] The step limit of this request is reached: answer now with what you have, without running code.';

/**
 * The context message of small talk.
 */
export const SMALL_TALK_CONTEXT =
  '[Context, not written by the user] This is small talk: reply briefly and kindly, without code.';

/**
 * Why the loop gave up, in the user's language when we have its text.
 *
 * #### Notes
 * The panel's UI language may differ from the user's; the texts per answer
 * language are in `answertexts.json` (see `answerTranslator`), the rest
 * fall back to the UI translation.
 *
 * @param kind - which limit.
 * @param count - the failures or steps.
 * @param detail - the last error, for `repair`; translated like the message.
 * @param languageTag - the user's language.
 * @param uiTrans - the UI translation, for other languages.
 */
export function gaveUpMessage(
  kind: 'repair' | 'steps',
  count: number,
  detail: string | DeferredText,
  languageTag: string,
  uiTrans: TranslateFn
): string {
  const trans = answerTranslator(languageTag, uiTrans);
  const detailText = typeof detail === 'string' ? detail : detail(trans);
  return kind === 'repair'
    ? trans('Stopped after %1 failed attempts: %2', count, detailText)
    : trans(
        'Stopped after reaching the limit of %1 steps for one request.',
        count
      );
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * The most characters of a header line sent (the kernel caps it too).
   */
  export const HEADER_CHARS = 300;

  /**
   * What to read a header line's file with when its separator is not a
   * comma: a small model shown `'date;product;price'` still calls
   * `pd.read_csv` without `sep`.
   */
  export function separatorNote(line: string): string {
    if (line.includes(',')) {
      return '';
    }
    const separator = [';', '\t', '|'].find(sep => line.includes(sep));
    return separator
      ? ` (separated by ${pythonString(separator)}: pd.read_csv(..., sep=${pythonString(separator)}))`
      : '';
  }

  export const CATEGORY: Record<PolicyCategory, string> = {
    install: 'package installs',
    shell: 'shell commands',
    delete_outside:
      "changes outside the notebook's folder (deleting, writing, moving files)",
    network: 'network calls',
    dynamic:
      'code the checker cannot read (strings run as code, computed imports or attributes, renamed calls)',
    secrets: 'reading keys or server tokens'
  };

  /**
   * One finding for the user, per category so each sentence is one msgid.
   */
  export function describeFinding(
    finding: IPolicyFinding,
    trans: TranslateFn
  ): string {
    const { line, detail } = finding;
    switch (finding.category) {
      case 'install':
        return trans('Installs packages (line %1): “%2”', line, detail);
      case 'shell':
        return trans('Runs a shell command (line %1): “%2”', line, detail);
      case 'delete_outside':
        return trans(
          'Changes files outside the notebook’s folder (line %1): “%2”',
          line,
          detail
        );
      case 'network':
        return trans('Uses the network (line %1): “%2”', line, detail);
      case 'dynamic':
        return trans(
          'Runs code the check cannot read (line %1): “%2”',
          line,
          detail
        );
      case 'secrets':
        return trans(
          'Reads keys or server tokens (line %1): “%2”',
          line,
          detail
        );
    }
  }
}
