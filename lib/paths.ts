/**
 * Paths as the kernel gives them. File names are bytes; almost always they are valid UTF-8 and we
 * keep them as strings, but old servers have names in other encodings, which stay raw bytes so
 * that they reach rsync unchanged.
 */

/** A string when the bytes are valid UTF-8, the raw bytes otherwise. */
export type PathName = string | Buffer;

// ignoreBOM: a name may begin with U+FEFF, and that character is part of it.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function toPathName(bytes: Buffer): PathName {
  try {
    return UTF8.decode(bytes);
  } catch {
    return bytes;
  }
}

/** A comparable key: raw-byte paths never equal text paths, since text is used whenever bytes are valid UTF-8. */
export function pathKey(path: PathName): string {
  return typeof path === 'string' ? path : `\u0000${path.toString('latin1')}`;
}

/** Concatenates path pieces, keeping bytes as bytes when any piece is raw bytes. */
export function concatPath(...parts: PathName[]): PathName {
  if (parts.every((part) => typeof part === 'string')) return parts.join('');
  return Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part)));
}

/** `a/b/c` gives `a`, `a/b`: every ancestor directory of a relative path, outermost first. */
export function ancestorsOf(rel: PathName): PathName[] {
  const out: PathName[] = [];
  if (typeof rel === 'string') {
    for (let i = rel.indexOf('/'); i !== -1; i = rel.indexOf('/', i + 1)) out.push(rel.slice(0, i));
  } else {
    for (let i = rel.indexOf(0x2f); i !== -1; i = rel.indexOf(0x2f, i + 1)) out.push(rel.subarray(0, i));
  }
  return out;
}
