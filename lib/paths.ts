/**
 * Paths as the kernel gives them. File names are bytes; almost always they are valid UTF-8 and we
 * keep them as strings, but old servers have names in other encodings, which stay raw bytes so
 * that they reach rsync unchanged.
 */

/** A string when the bytes are valid UTF-8, the raw bytes otherwise. */
export type PathName = string | Buffer;

// ignoreBOM: a name may begin with U+FEFF, and that character is part of it.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The one UTF-8 rule for names and the files that hold them: well-formed UTF-8 (no overlong
 * forms, no surrogates, nothing past U+10FFFF; a leading U+FEFF is kept), as a fatal TextDecoder
 * reads it. The text, or undefined when the bytes are not UTF-8. native/utf8.c applies the
 * same rule to the kernel's names (test/inotify-binding.test.ts holds it to this one).
 */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

export function toPathName(bytes: Buffer): PathName {
  return decodeUtf8(bytes) ?? bytes;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range starts at NUL, on purpose
const ASCII = /^[\x00-\x7f]*$/;

/**
 * The one key for comparing paths, used by the queue, the busy paths and the watcher: the path's
 * bytes, one char per byte (latin1), so a text path and a raw-byte path compare by their bytes and
 * a UTF-8 directory is a prefix of the non-UTF-8 names inside it (and the other way round). ASCII
 * text is its own key.
 */
export function pathKey(path: PathName): string {
  if (typeof path === 'string') return ASCII.test(path) ? path : Buffer.from(path, 'utf8').toString('latin1');
  return path.toString('latin1');
}

/** Whether the path with key `key` lies strictly inside the directory with key `dirKey`. */
export function isUnderKey(key: string, dirKey: string): boolean {
  return key.length > dirKey.length && key.startsWith(dirKey) && key[dirKey.length] === '/';
}

/** Concatenates path pieces, keeping bytes as bytes when any piece is raw bytes. */
export function concatPath(...parts: PathName[]): PathName {
  // A loop rather than every() and join(): the walk makes two paths per directory with this.
  let text = '';
  for (const part of parts) {
    if (typeof part !== 'string') return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
    text += part;
  }
  return text;
}

/** `dir/name`, or `name` alone in the root (`dir` is ''). */
export function joinRel(dir: PathName, name: PathName): PathName {
  return dir.length === 0 ? name : concatPath(dir, '/', name);
}

/**
 * `a/b/c` gives `a`, `a/b`: every ancestor directory of a relative path, outermost first. Works on
 * names, on raw bytes and on keys alike (a key's `/` is the path's `/` byte).
 */
export function ancestorsOf(rel: string): string[];
export function ancestorsOf(rel: PathName): PathName[];
export function ancestorsOf(rel: PathName): PathName[] {
  const out: PathName[] = [];
  if (typeof rel === 'string') {
    for (let i = rel.indexOf('/'); i !== -1; i = rel.indexOf('/', i + 1)) out.push(rel.slice(0, i));
  } else {
    for (let i = rel.indexOf(0x2f); i !== -1; i = rel.indexOf(0x2f, i + 1)) out.push(rel.subarray(0, i));
  }
  return out;
}

// C0 controls, DEL and C1 controls: a newline in a name would start a forged log line, and a
// terminal acts on the others.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL = /[\x00-\x1f\x7f-\x9f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above
const CONTROLS = /[\x00-\x1f\x7f-\x9f]/g;
const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const hex = (code: number) => `\\x${code.toString(16).padStart(2, '0')}`;
const escapeControl = (c: string) => SHORT[c] ?? hex(c.charCodeAt(0));

/**
 * A log line that carries names (a command string): its control characters escaped, so it stays
 * one line. The command that runs is not changed, only the line that reports it.
 */
export function escapeControls(text: string): string {
  return CONTROL.test(text) ? text.replace(CONTROLS, escapeControl) : text;
}

/**
 * A path as a log or operator message shows it: as it is when it is plain text; quoted, with
 * control characters escaped, when it holds any; quoted, with every byte outside printable ASCII
 * as `\xNN`, when it is not UTF-8.
 */
export function describeName(path: PathName): string {
  if (typeof path === 'string') return CONTROL.test(path) ? `"${escapeControls(path.replace(/[\\"]/g, '\\$&'))}"` : path;
  let out = '"';
  for (const byte of path) {
    if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else out += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : hex(byte);
  }
  return `${out}"`;
}
