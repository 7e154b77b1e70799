/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

/**
 * What the text at a position holds: a `run_python` call the model wrote
 * as text instead of making it (`call`), text that may still become one as
 * the reply streams on (`maybe`), or something else (`none`).
 *
 * #### Notes
 * Small models served without a tool-call parser for their format (or
 * whose call that parser rejects) write the call into their reply:
 * `{"name": "run_python", "arguments": {"code": "…"}}`, often with the code
 * in Python triple quotes (not JSON, so the server's parser leaves it as
 * text), inside Qwen's `<tool_call>` tags, or with the arguments as a
 * JSON-encoded string. Only our tool's name counts, and only an object
 * whose keys are `name` and `arguments` (or `parameters`, Llama 3's JSON
 * form): a JSON example in an answer has other keys or another name.
 */
export type TextCallRead =
  | {
      kind: 'call';
      /** The call's code, dedented, without blank lines around it. */
      code: string;
      /** Whether the call's object was closed (a reply may be cut). */
      closed: boolean;
    }
  | { kind: 'maybe' }
  | { kind: 'none' };

/**
 * Whether a fence's info word may wrap a text call: `json`, none, or the
 * tag's name.
 */
export function isCallFence(info: string): boolean {
  return /^(json5?|tool_call)?$/i.test(info);
}

/**
 * Read a text `run_python` call at `pos`: optional whitespace, an optional
 * `<tool_call>` tag, then the call's object.
 *
 * @param content - the reply so far.
 * @param pos - where to read.
 * @param complete - whether the reply has ended: a call it ends inside of
 *   is still a call when its code began (as an unclosed python block is);
 *   before it has ended, such text is `maybe`.
 */
export function readTextCall(
  content: string,
  pos: number,
  complete: boolean
): TextCallRead {
  const reader = new Private.Reader(content, pos);
  const state = reader.state;
  try {
    reader.tag();
    reader.expect('{');
    Private.readCall(reader);
    return Private.callOf(state.name, state.code, true);
  } catch (error) {
    if (error === Private.EOF) {
      return complete
        ? Private.callOf(state.name, state.code, false)
        : { kind: 'maybe' };
    }
    if (error === Private.INVALID) {
      return { kind: 'none' };
    }
    throw error;
  }
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * Thrown when the text ends before the call is known.
   */
  export const EOF = new Error('end of text');

  /**
   * Thrown when the text is not a call (and no text after it can make it one).
   */
  export const INVALID = new Error('not a call');

  /**
   * Our tool's name.
   */
  const TOOL = 'run_python';

  /**
   * The tag Qwen's chat template wraps a call in.
   */
  const TAG = '<tool_call>';

  /**
   * The keys of a call's object.
   */
  const CALL_KEYS = ['name', 'arguments', 'parameters'];

  /**
   * A number or a literal (JSON's and Python's).
   */
  const LITERAL = /^(?:[-+0-9.eE]+|true|false|null|True|False|None)/;

  /**
   * What a call read so far holds.
   */
  export interface IState {
    name?: string;
    code?: string;
  }

  /**
   * The read of a call whose object ended (or whose reply did).
   */
  export function callOf(
    name: string | undefined,
    code: string | undefined,
    closed: boolean
  ): TextCallRead {
    if (name !== TOOL || !code?.trim()) {
      return { kind: 'none' };
    }
    return { kind: 'call', code: tidy(code), closed };
  }

  /**
   * The call's object after its `{`: a name and arguments, nothing else.
   */
  export function readCall(reader: Reader): void {
    members(reader, CALL_KEYS, key => {
      if (key === 'name') {
        const name = reader.string(partial => {
          // A name that cannot become ours ends the read now.
          if (!TOOL.startsWith(partial)) {
            throw INVALID;
          }
        });
        if (name !== TOOL) {
          throw INVALID;
        }
        reader.state.name = name;
      } else {
        readArguments(reader);
      }
    });
  }

  /**
   * The arguments: an object, or a string that encodes one.
   */
  function readArguments(reader: Reader): void {
    const first = reader.peek();
    if (first === '{') {
      reader.pos++;
      argumentMembers(reader);
      return;
    }
    if (first !== '"' && first !== "'") {
      throw INVALID;
    }
    let encoded = '';
    let closed = true;
    try {
      encoded = reader.string(partial => {
        encoded = partial;
      });
    } catch (error) {
      if (error !== EOF) {
        throw error;
      }
      closed = false;
    }
    const inner = new Reader(encoded, 0, reader.state);
    try {
      inner.expect('{');
      argumentMembers(inner);
    } catch (error) {
      // Inside a closed string, its end is the end of the arguments.
      throw error === EOF && closed ? INVALID : error;
    }
    if (!closed) {
      throw EOF;
    }
  }

  /**
   * The arguments' members after their `{`: `code` is kept, others skipped.
   */
  function argumentMembers(reader: Reader): void {
    members(reader, null, key => {
      if (key !== 'code') {
        reader.skipValue();
        return;
      }
      reader.state.code = reader.string(partial => {
        reader.state.code = partial;
      });
    });
  }

  /**
   * An object's members after its `{`, to its `}`; `onKey` reads each value.
   *
   * @param keys - the keys it may have (a key that cannot become one of
   *   them ends the read at once); `null`: any.
   */
  function members(
    reader: Reader,
    keys: string[] | null,
    onKey: (key: string) => void
  ): void {
    if (reader.peek() === '}') {
      reader.pos++;
      return;
    }
    const fits = (key: string) => !keys || keys.includes(key);
    const mayFit = (partial: string) =>
      !keys || keys.some(key => key.startsWith(partial));
    for (;;) {
      const key = reader.string(partial => {
        if (!mayFit(partial)) {
          throw INVALID;
        }
      });
      if (!fits(key)) {
        throw INVALID;
      }
      reader.expect(':');
      onKey(key);
      const next = reader.peek();
      reader.pos++;
      if (next === '}') {
        return;
      }
      if (next !== ',') {
        throw INVALID;
      }
      if (reader.peek() === '}') {
        reader.pos++;
        return;
      }
    }
  }

  /**
   * The code without the blank lines around it and without an indent all
   * its lines share (the call's indent, when the code sits in triple quotes
   * inside an indented object; Python's top level has none).
   */
  function tidy(code: string): string {
    const lines = code
      .replace(/^(?:[ \t]*\r?\n)+/, '')
      .trimEnd()
      .split('\n');
    let indent = Infinity;
    for (const line of lines) {
      if (line.trim()) {
        indent = Math.min(indent, line.length - line.trimStart().length);
      }
    }
    return lines.map(line => line.slice(indent)).join('\n');
  }

  /**
   * Reads JSON as small models write it: strings in double or single
   * quotes, or in Python triple quotes taken as they stand (the code a
   * model writes there is meant verbatim, escapes and all), raw newlines in
   * strings, trailing commas.
   */
  export class Reader {
    constructor(
      readonly text: string,
      public pos: number,
      readonly state: IState = {}
    ) {}

    /**
     * An optional `<tool_call>` tag.
     */
    tag(): void {
      const first = this.peek();
      if (first !== '<') {
        return;
      }
      const rest = this.text.slice(this.pos, this.pos + TAG.length);
      if (rest === TAG) {
        this.pos += TAG.length;
        return;
      }
      throw TAG.startsWith(rest) ? EOF : INVALID;
    }

    /**
     * The next character that is not white space (not consumed).
     */
    peek(): string {
      while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) {
        this.pos++;
      }
      if (this.pos >= this.text.length) {
        throw EOF;
      }
      return this.text[this.pos];
    }

    /**
     * Consume `char`, after white space.
     */
    expect(char: string): void {
      if (this.peek() !== char) {
        throw INVALID;
      }
      this.pos++;
    }

    /**
     * A string; `onPartial` sees what was read of it when the text ends
     * inside it.
     */
    string(onPartial: (partial: string) => void = () => undefined): string {
      const quote = this.peek();
      if (quote !== '"' && quote !== "'") {
        throw INVALID;
      }
      const text = this.text;
      const triple = quote.repeat(3);
      const start = this.pos;
      if (text.startsWith(triple, start)) {
        const end = text.indexOf(triple, start + 3);
        if (end < 0) {
          // Quotes at the very end may be the closing ones arriving.
          let rest = text.slice(start + 3);
          for (let n = 0; n < 2 && rest.endsWith(quote); n++) {
            rest = rest.slice(0, -1);
          }
          onPartial(rest);
          throw EOF;
        }
        this.pos = end + 3;
        return text.slice(start + 3, end);
      }
      if (start + 2 >= text.length && text.startsWith(quote + quote, start)) {
        throw EOF; // `""` may still become `"""`
      }
      let value = '';
      let pos = start + 1;
      for (;;) {
        if (pos >= text.length) {
          onPartial(value);
          throw EOF;
        }
        const char = text[pos];
        if (char === quote) {
          this.pos = pos + 1;
          return value;
        }
        if (char !== '\\') {
          value += char;
          pos++;
          continue;
        }
        const escaped = unescape(text, pos);
        if (escaped === null) {
          onPartial(value);
          throw EOF;
        }
        value += escaped[0];
        pos = escaped[1];
      }
    }

    /**
     * Any value, read past.
     */
    skipValue(): void {
      const first = this.peek();
      if (first === '"' || first === "'") {
        this.string();
      } else if (first === '{') {
        this.pos++;
        members(this, null, () => this.skipValue());
      } else if (first === '[') {
        this.pos++;
        this._items();
      } else {
        const rest = this.text.slice(this.pos);
        const literal = LITERAL.exec(rest);
        if (literal && literal[0].length < rest.length) {
          this.pos += literal[0].length;
          return;
        }
        // A literal up to the end may go on; a word that starts none fails.
        const words = ['true', 'false', 'null', 'True', 'False', 'None'];
        if (literal || words.some(word => word.startsWith(rest))) {
          throw EOF;
        }
        throw INVALID;
      }
    }

    /**
     * An array's items after its `[`, to its `]`.
     */
    private _items(): void {
      if (this.peek() === ']') {
        this.pos++;
        return;
      }
      for (;;) {
        this.skipValue();
        const next = this.peek();
        this.pos++;
        if (next === ']') {
          return;
        }
        if (next !== ',') {
          throw INVALID;
        }
      }
    }
  }

  /**
   * The character of the escape at `pos` (a backslash) and where the text
   * after it starts; `null` when the text ends inside it. An escape JSON
   * does not know keeps its backslash, as in Python.
   */
  function unescape(text: string, pos: number): [string, number] | null {
    const char = text[pos + 1];
    if (char === undefined) {
      return null;
    }
    if (char === 'u') {
      const hex = text.slice(pos + 2, pos + 6);
      if (!/^[0-9a-fA-F]*$/.test(hex)) {
        throw INVALID;
      }
      if (hex.length < 4) {
        return null;
      }
      return [String.fromCharCode(parseInt(hex, 16)), pos + 6];
    }
    const simple = ESCAPES[char];
    return simple === undefined ? ['\\' + char, pos + 2] : [simple, pos + 2];
  }

  const ESCAPES: Record<string, string> = {
    n: '\n',
    t: '\t',
    r: '\r',
    b: '\b',
    f: '\f',
    '/': '/',
    '\\': '\\',
    '"': '"',
    "'": "'"
  };
}
