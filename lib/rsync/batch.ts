/**
 * Batch mode (our extension): many events become one rsync per remote, like lsyncd. It keeps
 * sersync2's meaning of a delete, a filtered sync of exactly the listed paths: each path, its
 * ancestors, and for a directory everything under it (`dir/***`) is included, everything else
 * excluded, so with `--delete` a path gone locally is deleted remotely and a path that exists
 * again is synced, never lost. The list travels inside the command (`printf '%s\0' ... |
 * rsync --from0 --include-from=-`; rsync needs --from0 first), so a failed batch is a
 * self-contained line of the fail log.
 */
import type { PathEvent } from '../events/types';
import type { Remote } from '../localpath/config';
import { ancestorsOf, concatPath, pathKey, type PathName } from '../paths';
import { shellWord } from '../shell/quote';
import { commandPieces, type CommandSettings } from './command';

/** Most bytes of patterns in one command, well below the kernel's argument limit. */
export const MAX_PATTERN_BYTES = 256 * 1024;

/**
 * An rsync filter pattern that matches exactly this name: where the name holds a wildcard
 * (`*`, `?`, `[`), those and `\` are escaped, since rsync honours `\` only in such patterns.
 */
export function literalPattern(name: PathName): PathName {
  const bytes = Buffer.from(name);
  if (!bytes.some((b) => b === 0x2a || b === 0x3f || b === 0x5b)) return name;
  const out: number[] = [];
  for (const b of bytes) {
    if (b === 0x2a || b === 0x3f || b === 0x5b || b === 0x5c) out.push(0x5c);
    out.push(b);
  }
  const escaped = Buffer.from(out);
  return typeof name === 'string' ? escaped.toString('utf8') : escaped;
}

/** The include patterns for a set of events, ancestors first, without repeats. */
export function includePatterns(events: readonly PathEvent[]): PathName[] {
  const seen = new Set<string>();
  const out: PathName[] = [];
  const add = (p: PathName) => {
    const key = pathKey(p);
    if (seen.has(key)) return;
    seen.add(key);
    out.push(p);
  };
  for (const event of events) {
    for (const dir of ancestorsOf(event.path)) add(concatPath(literalPattern(dir), '/'));
    add(literalPattern(event.path));
    if (event.isDir) add(concatPath(literalPattern(event.path), '/***'));
  }
  return out;
}

/** Splits events so that no command carries more than MAX_PATTERN_BYTES of patterns. */
export function chunkEvents(events: readonly PathEvent[], maxBytes = MAX_PATTERN_BYTES): PathEvent[][] {
  const chunks: PathEvent[][] = [];
  let current: PathEvent[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = Buffer.byteLength(event.path) * 2 + 16;
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(event);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

export function batchCommand(s: CommandSettings, remote: Remote, events: readonly PathEvent[]): string {
  const p = commandPieces(s, remote);
  const list = includePatterns(events).map(shellWord).join(' ');
  const del = p.del ? `${p.del} ` : '';
  return `cd ${shellWord(s.watch)} && printf '%s\\0' ${list} | rsync ${s.rsync.commonParams} -R ${p.transport}${del}--from0 --include-from=- --exclude='*' ./ ${p.target}${p.redirect}`;
}
