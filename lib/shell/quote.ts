/**
 * Putting file names into `/bin/sh -c` strings. This is the one piece that must be perfect:
 * a file name is data and never code. Where sersync2's own quoting was already correct, the
 * output is byte-identical to it; where sersync2 was exploitable, we escape more.
 */

import { decodeUtf8, type PathName } from '../paths';

/** Splits a name into text runs and runs of bytes that are not valid UTF-8. */
function runs(name: PathName): Array<{ text: string } | { bytes: Buffer }> {
  if (typeof name === 'string') return [{ text: name }];
  const whole = decodeUtf8(name);
  if (whole !== undefined) return [{ text: whole }];
  // Decode piece by piece: each maximal valid stretch is text, the rest stays bytes.
  const out: Array<{ text: string } | { bytes: Buffer }> = [];
  // A stretch made of valid sequences only: plain decoding gives its text.
  const text = (from: number, to: number) => ({ text: name.toString('utf8', from, to) });
  let start = 0;
  let i = 0;
  while (i < name.length) {
    const len = utf8SequenceLength(name, i);
    if (len > 0) {
      i += len;
      continue;
    }
    if (i > start) out.push(text(start, i));
    const badStart = i;
    while (i < name.length && utf8SequenceLength(name, i) === 0) i++;
    out.push({ bytes: name.subarray(badStart, i) });
    start = i;
  }
  if (start < name.length) out.push(text(start, name.length));
  return out;
}

/** Length of the valid UTF-8 sequence starting at `i`, or 0 when the byte there starts none. */
function utf8SequenceLength(b: Buffer, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  if (len === 0 || i + len > b.length) return 0;
  return decodeUtf8(b.subarray(i, i + len)) === undefined ? 0 : len;
}

/** Bytes that no text encoding can carry are produced by the shell itself, from octal escapes. */
function printfBytes(bytes: Buffer): string {
  return `$(printf '${[...bytes].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('')}')`;
}

const DOUBLE_QUOTE_SPECIAL = new Set(['$', '`', '"', '\\', '\n']);

/**
 * sersync2's `"..."` quoting: `$` becomes `\$`, and (beyond sersync2) `` ` `` and `"` are escaped,
 * and `\` is doubled where the shell would otherwise read it as an escape. A backslash before
 * any other character is left alone, exactly as sersync2 wrote it and as the shell reads it.
 */
export function doubleQuoted(name: PathName): string {
  let out = '"';
  for (const run of runs(name)) {
    if ('bytes' in run) {
      out += printfBytes(run.bytes);
      continue;
    }
    const text = run.text;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (ch === '$' || ch === '`' || ch === '"') out += `\\${ch}`;
      else if (ch === '\\') {
        const next = text[i + 1];
        out += next === undefined || DOUBLE_QUOTE_SPECIAL.has(next) ? '\\\\' : '\\';
      } else out += ch;
    }
  }
  return `${out}"`;
}

/** Characters that mean nothing to the shell in an unquoted word. Non-ASCII letters are fine too. */
const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./\u0080-\uffff-]+$/;

/**
 * An unquoted word where sersync2 wrote one (the `cd` directory, the command plugin's path):
 * unchanged when the shell reads it as is, single-quoted otherwise.
 */
export function shellWord(word: PathName): string {
  // The common case (a batch quotes every list word), without the runs' allocations.
  if (typeof word === 'string' && PLAIN_WORD.test(word)) return word;
  const parts = runs(word);
  if (parts.length === 1 && 'text' in parts[0]! && PLAIN_WORD.test(parts[0].text)) return parts[0].text;
  return parts
    .map((run) => ('bytes' in run ? `"${printfBytes(run.bytes)}"` : `'${run.text.replace(/'/g, `'\\''`)}'`))
    .join('');
}
