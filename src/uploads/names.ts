/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

/**
 * A file name that is safe to save in the upload folder, from the name the
 * browser gave (which a drop, a paste or a crafted page controls).
 *
 * #### Notes
 * Only the last path segment is kept (`../../etc/passwd` → `passwd`), so a
 * name can never leave the folder; control and bidirectional-override
 * characters go, characters Windows forbids become `_`, leading dots and
 * spaces go (no hidden files, no `..`), and trailing dots and spaces too.
 * Windows device names (`CON`, `NUL.txt`…) get a `_` in front. What is left
 * is capped at `MAX_NAME_LENGTH` characters, keeping the extension; an empty
 * result becomes `upload`.
 */
export function safeFileName(name: string): string {
  const segments = String(name ?? '')
    .normalize('NFC')
    .split(/[/\\]+/);
  let safe = '';
  // The last segment with something left in it: `dir/` keeps `dir`.
  for (let i = segments.length - 1; i >= 0 && !safe; i--) {
    safe = Private.cleanSegment(segments[i]);
  }
  if (!safe) {
    return Private.FALLBACK_NAME;
  }
  if (Private.DEVICE_NAMES.test(safe)) {
    safe = '_' + safe;
  }
  return Private.capLength(safe);
}

/**
 * The name and the extension of a file name: `data.csv` → `['data',
 * '.csv']`, `logs.tar.gz` → `['logs', '.tar.gz']`, `README` → `['README',
 * '']`.
 */
export function splitExtension(name: string): [string, string] {
  const lower = name.toLowerCase();
  for (const double of Private.DOUBLE_EXTENSIONS) {
    if (lower.endsWith(double) && lower.length > double.length) {
      return [name.slice(0, -double.length), name.slice(-double.length)];
    }
  }
  const dot = name.lastIndexOf('.');
  return dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
}

/**
 * A name not among `taken`: `name` itself when free, else `data (1).csv`,
 * `data (2).csv`… so an existing file is never overwritten.
 *
 * #### Notes
 * Names are compared ignoring case, as the file systems of macOS and Windows
 * do. A name that already ends in ` (n)` counts on from it.
 *
 * @param name - a safe name (`safeFileName`).
 * @param taken - the names already in the folder, or being uploaded there.
 */
export function uniqueName(name: string, taken: Iterable<string>): string {
  const used = new Set<string>();
  for (const other of taken) {
    used.add(other.toLowerCase());
  }
  if (!used.has(name.toLowerCase())) {
    return name;
  }
  const [stem, extension] = splitExtension(name);
  const numbered = /^(.*) \((\d+)\)$/.exec(stem);
  const base = numbered ? numbered[1] : stem;
  let n = numbered ? Number(numbered[2]) + 1 : 1;
  for (;;) {
    const candidate = `${base} (${n})${extension}`;
    if (!used.has(candidate.toLowerCase())) {
      return candidate;
    }
    n++;
  }
}

/**
 * A folder path inside the notebook's folder from the settings' upload
 * folder: segments cleaned like file names, empty and `.`/`..` segments
 * dropped, so `../x` or `/etc` cannot point outside. `''`: the notebook's
 * folder itself.
 */
export function safeSubfolder(folder: string): string {
  return String(folder ?? '')
    .split(/[/\\]+/)
    .map(segment => Private.cleanSegment(segment))
    .filter(segment => segment)
    .join('/');
}

/**
 * Whether a file of `size` bytes is over the limit of `maxMegabytes` (MiB).
 */
export function isTooLarge(size: number, maxMegabytes: number): boolean {
  return size > maxMegabytes * 1024 * 1024;
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * What an upload is called when nothing of its name is usable.
   */
  export const FALLBACK_NAME = 'upload';

  /**
   * The most characters a saved name has (file systems allow 255 bytes;
   * this leaves room for ` (n)` and multi-byte characters).
   */
  export const MAX_NAME_LENGTH = 120;

  export const DOUBLE_EXTENSIONS = ['.tar.gz', '.tar.bz2', '.tar.xz'];

  export const DEVICE_NAMES = /^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i;

  /**
   * C0 and C1 controls, and the bidirectional controls that make a name
   * read differently from what it is (`gpj.exe` shown as `exe.jpg`).
   */
  const INVISIBLE =
    // eslint-disable-next-line no-control-regex -- the controls it removes
    /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

  const FORBIDDEN = /[<>:"|?*]/g;

  /**
   * One path segment made safe; `''` when nothing is left.
   */
  export function cleanSegment(segment: string): string {
    return segment
      .replace(INVISIBLE, '')
      .replace(FORBIDDEN, '_')
      .replace(/^[\s.]+/, '')
      .replace(/[\s.]+$/, '');
  }

  /**
   * The name cut to `MAX_NAME_LENGTH` characters, keeping its extension
   * when the extension is short.
   */
  export function capLength(name: string): string {
    const chars = Array.from(name);
    if (chars.length <= MAX_NAME_LENGTH) {
      return name;
    }
    const [stem, extension] = splitExtension(name);
    const ext = Array.from(extension);
    const keep = ext.length <= 16 ? ext : [];
    return (
      Array.from(stem)
        .slice(0, MAX_NAME_LENGTH - keep.length)
        .join('')
        .replace(/[\s.]+$/, '') + keep.join('')
    );
  }
}
