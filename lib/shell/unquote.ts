/**
 * The inverse of ./quote.ts, for reading our own commands back from the fail log: a `"..."` word
 * of doubleQuoted and a word of shellWord, to the name they were made from. Only what quote.ts
 * writes is read; anything else gives undefined (the caller then keeps the line as it is).
 */
import type { PathName } from '../paths';

/** A name being put together: text, and raw bytes that are not UTF-8 (from `$(printf '\ooo')`). */
class NameBuilder {
  private readonly parts: Array<string | Buffer> = [];
  private text = '';
  private hasBytes = false;
  char(ch: string): void {
    this.text += ch;
  }
  bytes(b: Buffer): void {
    this.flush();
    this.parts.push(b);
    this.hasBytes = true;
  }
  name(): PathName {
    if (!this.hasBytes) return this.text;
    this.flush();
    return Buffer.concat(this.parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
  }
  private flush(): void {
    if (this.text) this.parts.push(this.text);
    this.text = '';
  }
}

const PRINTF = /^\$\(printf '((?:\\[0-7]{3})+)'\)/;

/** Reads `$(printf '\ooo...')` at `i`: the bytes and the length read, or undefined. */
function printfAt(s: string, i: number): { bytes: Buffer; length: number } | undefined {
  const m = PRINTF.exec(s.slice(i, i + 4 * 4096));
  if (!m) return undefined;
  const octals = m[1]!.match(/[0-7]{3}/g)!;
  return { bytes: Buffer.from(octals.map((o) => Number.parseInt(o, 8))), length: m[0].length };
}

const ESCAPED_IN_DOUBLE = new Set(['$', '`', '"', '\\']);

/** The `"..."` word starting at `i`: its name and where it ends (after the closing quote), or undefined. */
export function readDoubleQuoted(s: string, i: number): { name: PathName; end: number } | undefined {
  if (s[i] !== '"') return undefined;
  const out = new NameBuilder();
  for (let j = i + 1; j < s.length; ) {
    const ch = s[j]!;
    if (ch === '"') return { name: out.name(), end: j + 1 };
    if (ch === '\\' && ESCAPED_IN_DOUBLE.has(s[j + 1] ?? '')) {
      out.char(s[j + 1]!);
      j += 2;
    } else if (ch === '$') {
      const printf = printfAt(s, j);
      if (!printf) return undefined;
      out.bytes(printf.bytes);
      j += printf.length;
    } else {
      out.char(ch);
      j++;
    }
  }
  return undefined;
}

const PLAIN_CHAR = /[A-Za-z0-9_@%+=:,./\u0080-\uffff-]/;

/** The shellWord word starting at `i`: its name and where it ends, or undefined. */
export function readShellWord(s: string, i: number): { name: PathName; end: number } | undefined {
  const out = new NameBuilder();
  let j = i;
  while (j < s.length && s[j] !== ' ') {
    const ch = s[j]!;
    if (ch === "'") {
      const close = s.indexOf("'", j + 1);
      if (close < 0) return undefined;
      for (const c of s.slice(j + 1, close)) out.char(c);
      j = close + 1;
    } else if (ch === '\\' && s[j + 1] === "'") {
      out.char("'");
      j += 2;
    } else if (ch === '"') {
      const printf = printfAt(s, j + 1);
      if (!printf || s[j + 1 + printf.length] !== '"') return undefined;
      out.bytes(printf.bytes);
      j += printf.length + 2;
    } else if (PLAIN_CHAR.test(ch)) {
      out.char(ch);
      j++;
    } else return undefined;
  }
  return j > i ? { name: out.name(), end: j } : undefined;
}
