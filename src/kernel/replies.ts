/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

/**
 * Pure pieces of the kernel tools: the user expressions sent to the kernel
 * and the parsing of their replies into the agent's contract.
 *
 * #### Notes
 * The helpers live in the kernel as `__code_interpreter__` (installed by the
 * bootstrap statement that `GET /code-interpreter/kernel-helpers` serves;
 * see `jupyterlab_code_interpreter/kernel_helpers/helpers.py`). Code travels
 * base64-encoded, so no quoting can go wrong; answers come back as
 * `application/json` with the same JSON as the `text/plain` repr.
 */

import { POLICY_CATEGORIES } from '../agent/tokens';
import type {
  ICheckResult,
  IKernelState,
  IKernelVariable,
  IPolicyFinding,
  PolicyCategory
} from '../agent/tokens';
import { TranslatableError } from '../translate';
import type { IFileStamp, IFolderListing } from './listing';

/**
 * The name the helpers are bound to in the kernel's user namespace.
 */
export const HELPERS_NAME = '__code_interpreter__';

/**
 * What `GET <base_url>/code-interpreter/kernel-helpers` returns.
 */
export interface IKernelHelpers {
  /** The helpers' Python source. */
  source: string;
  /** A hash of the source. */
  version: string;
  /** One Python statement that installs the helpers, to execute silently. */
  bootstrap: string;
}

/**
 * An error of the kernel tools, with a message the user can act on; the
 * caller turns it into a tool result.
 *
 * #### Notes
 * The message is a msgid with its values (`TranslatableError`), so the UI
 * shows it in the user's language.
 */
export class KernelToolError extends TranslatableError {
  constructor(
    msgid: string,
    readonly reason: KernelToolError.Reason,
    args: readonly (string | number)[] = []
  ) {
    super(msgid, args);
    this.name = 'KernelToolError';
  }
}

/**
 * The namespace for `KernelToolError` statics.
 */
export namespace KernelToolError {
  /**
   * Why a kernel tool failed: no helpers in the kernel (reinstall them), no
   * usable kernel, no answer in time, or the helper itself failed.
   */
  export type Reason = 'missing' | 'kernel' | 'timeout' | 'helper';
}

/**
 * One entry of an execute reply's `user_expressions`, as the protocol has it.
 */
export interface IExpressionResult {
  status?: string;
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
}

/**
 * The user expression that checks `code`.
 */
export function checkExpression(code: string): string {
  return `${HELPERS_NAME}.check_reply("${encodeBase64Utf8(code)}")`;
}

/**
 * The user expression that reports the kernel's state.
 */
export const STATE_EXPRESSION = `${HELPERS_NAME}.state_reply()`;

/**
 * The execute request metadata key that carries a gated step's token
 * (`GATE_METADATA_KEY` in the helpers).
 */
export const GATE_METADATA_KEY = 'code_interpreter_gate';

/**
 * The statement of a gate request: check `code`, pass `token` when every
 * finding's category is in `allowed`, else raise `StepGate`.
 */
export function gateStatement(
  code: string,
  allowed: readonly PolicyCategory[],
  token: string
): string {
  return `${HELPERS_NAME}.gate("${encodeBase64Utf8(code)}", ${JSON.stringify(allowed)}, ${JSON.stringify(token)})`;
}

/**
 * The user expression that returns the last gate's check.
 */
export const GATE_EXPRESSION = `${HELPERS_NAME}.gate_reply()`;

/**
 * The check of a gate the helpers refused (`StepGate`, its value the check's
 * JSON), or `null` for any other reply.
 */
export function gateRefusal(content: {
  status: string;
  ename?: string;
  evalue?: string;
}): ICheckResult | null {
  if (content.status !== 'error' || content.ename !== 'StepGate') {
    return null;
  }
  try {
    return toCheckResult(JSON.parse(content.evalue ?? ''));
  } catch {
    return null;
  }
}

/**
 * The user expression that summarises uploaded files, by path from the
 * working folder (`summaries_reply`).
 */
export function summariesExpression(paths: readonly string[]): string {
  return `${HELPERS_NAME}.summaries_reply("${encodeBase64Utf8(JSON.stringify(paths))}")`;
}

/**
 * The user expression that lists the kernel's working folder.
 */
export const LISTING_EXPRESSION = `${HELPERS_NAME}.listing_reply()`;

/**
 * Base64 of the UTF-8 bytes of `text` (lone surrogates become U+FFFD, as
 * `TextEncoder` does; written out because jsdom lacks `TextEncoder`).
 */
export function encodeBase64Utf8(text: string): string {
  const bytes: number[] = [];
  for (const char of text) {
    let code = char.codePointAt(0) ?? 0xfffd;
    if (code >= 0xd800 && code <= 0xdfff) {
      code = 0xfffd;
    }
    if (code < 0x80) {
      bytes.push(code);
    } else if (code < 0x800) {
      bytes.push(0xc0 | (code >> 6), 0x80 | (code & 63));
    } else if (code < 0x10000) {
      bytes.push(
        0xe0 | (code >> 12),
        0x80 | ((code >> 6) & 63),
        0x80 | (code & 63)
      );
    } else {
      bytes.push(
        0xf0 | (code >> 18),
        0x80 | ((code >> 12) & 63),
        0x80 | ((code >> 6) & 63),
        0x80 | (code & 63)
      );
    }
  }
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const [a, b, c] = [bytes[i], bytes[i + 1], bytes[i + 2]];
    const triple = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out +=
      Private.ALPHABET[(triple >> 18) & 63] +
      Private.ALPHABET[(triple >> 12) & 63];
    out += b === undefined ? '=' : Private.ALPHABET[(triple >> 6) & 63];
    out += c === undefined ? '=' : Private.ALPHABET[triple & 63];
  }
  return out;
}

/**
 * The JSON value of one user expression's result.
 *
 * @throws KernelToolError - `missing` when the helpers are not in the kernel
 * (a restart or `%reset` removed them), `helper` when the helper raised.
 */
export function expressionValue(
  result: IExpressionResult | undefined
): unknown {
  if (!result) {
    throw new KernelToolError(
      'The kernel did not answer the code check (no result in its reply).',
      'helper'
    );
  }
  if (result.status !== 'ok') {
    if (
      result.ename === 'NameError' &&
      (result.evalue ?? '').includes(HELPERS_NAME)
    ) {
      throw new KernelToolError(
        'The kernel helpers are not installed.',
        'missing'
      );
    }
    throw new KernelToolError('The kernel helper failed: %1', 'helper', [
      `${result.ename ?? 'Error'}: ${result.evalue ?? ''}`.trim()
    ]);
  }
  const data = result.data ?? {};
  if (data['application/json'] !== undefined) {
    return data['application/json'];
  }
  const text = data['text/plain'];
  if (typeof text === 'string') {
    try {
      return JSON.parse(text);
    } catch {
      // Falls through to the error below.
    }
  }
  throw new KernelToolError(
    'The kernel helper answered in an unexpected format.',
    'helper'
  );
}

/**
 * An `ICheckResult` from the helper's JSON, keeping only well-formed parts; a
 * finding of a category this frontend does not know counts as `dynamic`.
 */
export function toCheckResult(value: unknown): ICheckResult {
  const object = Private.record(value);
  const error = Private.record(object.syntaxError);
  const syntaxError =
    object.syntaxError === null || object.syntaxError === undefined
      ? null
      : {
          message: Private.text(error.message) || 'Syntax error',
          line: Private.count(error.line, 1),
          offset: Private.count(error.offset, 0),
          text: Private.text(error.text)
        };
  const findings: IPolicyFinding[] = [];
  for (const item of Private.list(object.findings)) {
    const finding = Private.record(item);
    // A category this frontend does not know is still a finding: it asks as
    // code the checker could not read rather than being dropped.
    const known = Private.CATEGORIES.has(finding.category as PolicyCategory);
    const parsed: IPolicyFinding = {
      category: known ? (finding.category as PolicyCategory) : 'dynamic',
      detail: known
        ? Private.text(finding.detail)
        : `${Private.text(finding.category)}: ${Private.text(finding.detail)}`,
      line: Private.count(finding.line, 1)
    };
    if (Array.isArray(finding.packages)) {
      parsed.packages = finding.packages.map(Private.text);
    }
    findings.push(parsed);
  }
  return { syntaxError, findings };
}

/**
 * An `IKernelState` from the helper's JSON, keeping only well-formed parts.
 */
export function toKernelState(value: unknown): IKernelState {
  const object = Private.record(value);
  const variables: IKernelVariable[] = Private.list(object.variables).map(
    item => {
      const variable = Private.record(item);
      return {
        name: Private.text(variable.name),
        type: Private.text(variable.type),
        shape: Private.text(variable.shape)
      };
    }
  );
  const packages: Record<string, string> = {};
  for (const [name, version] of Object.entries(
    Private.record(object.packages)
  )) {
    packages[name] = Private.text(version);
  }
  const imports: Record<string, string[]> = {};
  for (const [name, modules] of Object.entries(
    Private.record(object.imports)
  )) {
    imports[name] = Private.list(modules).map(Private.text).filter(Boolean);
  }
  const headers: Record<string, string> = {};
  for (const [name, line] of Object.entries(Private.record(object.headers))) {
    if (typeof line === 'string') {
      headers[name] = line;
    }
  }
  return {
    variables: variables.filter(variable => variable.name),
    packages,
    imports,
    cwd: Private.text(object.cwd),
    files: Private.list(object.files).map(Private.text),
    ...(Object.keys(headers).length ? { headers } : {})
  };
}

/**
 * An `IFolderListing` from the helper's JSON; anything malformed gives an
 * incomplete listing, which reports no new files.
 */
export function toFolderListing(value: unknown): IFolderListing {
  const object = Private.record(value);
  const names = Private.list(object.names);
  const frames = Private.list(object.frames).map(item => {
    const frame = Private.record(item);
    return {
      name: Private.text(frame.name),
      rows: typeof frame.rows === 'number' ? frame.rows : 0,
      columns: Private.list(frame.columns).map(Private.text)
    };
  });
  return {
    cwd: Private.text(object.cwd),
    names: names.filter((name): name is string => typeof name === 'string'),
    complete:
      object.complete === true &&
      typeof object.cwd === 'string' &&
      names.every(name => typeof name === 'string'),
    ...(frames.length ? { frames: frames.filter(frame => frame.name) } : {}),
    ...Private.stampsOf(object.stamps)
  };
}

/**
 * A `KernelToolError` for an execute reply whose status is not `ok` (the
 * bootstrap failed, or the request was aborted), else `null`.
 */
export function executeReplyError(content: {
  status: string;
  ename?: string;
  evalue?: string;
}): KernelToolError | null {
  if (content.status === 'ok') {
    return null;
  }
  if (content.status === 'error') {
    return new KernelToolError(
      'Installing the kernel helpers failed: %1',
      'helper',
      [`${content.ename}: ${content.evalue}`]
    );
  }
  return new KernelToolError(
    'The kernel did not run the request (%1); it may be busy or restarting.',
    'kernel',
    [content.status]
  );
}

/**
 * Private helpers.
 */
namespace Private {
  export const ALPHABET =
    'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

  export const CATEGORIES = new Set<PolicyCategory>(POLICY_CATEGORIES);

  /**
   * `value` as an object, or an empty one.
   */
  export function record(value: unknown): Record<string, unknown> {
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  }

  /**
   * `value` as an array, or an empty one.
   */
  export function list(value: unknown): unknown[] {
    return Array.isArray(value) ? value : [];
  }

  /**
   * `value` as a string ('' for null or undefined).
   */
  export function text(value: unknown): string {
    return value === null || value === undefined ? '' : String(value);
  }

  /**
   * `value` as a non-negative integer, or `fallback`.
   */
  /**
   * `{ stamps }` from a listing's `{name: [size, mtime_us]}`, the entries
   * that are not two numbers left out; `{}` when there are none.
   */
  export function stampsOf(value: unknown): {
    stamps?: Record<string, IFileStamp>;
  } {
    const stamps: Record<string, IFileStamp> = {};
    for (const [name, stamp] of Object.entries(record(value))) {
      if (
        Array.isArray(stamp) &&
        stamp.length === 2 &&
        stamp.every(part => typeof part === 'number')
      ) {
        stamps[name] = [stamp[0], stamp[1]];
      }
    }
    return Object.keys(stamps).length ? { stamps } : {};
  }

  export function count(value: unknown, fallback: number): number {
    return typeof value === 'number' && Number.isFinite(value) && value >= 0
      ? Math.floor(value)
      : fallback;
  }
}
