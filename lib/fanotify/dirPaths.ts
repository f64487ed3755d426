/**
 * Where the directory behind a handle key is, relative to the watch root: the fanotify watcher's
 * one lookup per event. A filesystem mark sees the whole filesystem, so most keys of a busy host
 * are outside the root; each key is resolved once (open_by_handle_at, then the kernel's name of
 * the descriptor) and remembered, outside or excluded included, so an event from elsewhere costs
 * one Map lookup.
 *
 * A directory's path changes only when it or one of its ancestors is renamed: the watcher calls
 * forget() then. A deleted directory is empty, so its key is never seen again; the memory is
 * bounded (the oldest entries go first), not exact.
 */
import { excludedAtStart, excludedByFilter } from '../filter/exclude';
import type { FilterConfig } from '../filter/config';
import { ancestorsOf, toPathName, type PathName } from '../paths';

/** A directory's place: `rel` is '' for the root. Gone: deleted (or unreadable) before the event was read. */
export type DirPlace = { readonly kind: 'inside'; readonly rel: PathName } | { readonly kind: 'outside' } | { readonly kind: 'gone' };

/** Keys remembered at most; a directory beyond them is resolved again. */
export const REMEMBERED_DIRS = 65_536;

const OUTSIDE: DirPlace = { kind: 'outside' };
const GONE: DirPlace = { kind: 'gone' };

export class DirPaths {
  private readonly known = new Map<string, DirPlace>();
  private readonly prefix: Buffer;

  constructor(
    /** The root's real path (symlinks resolved), as the kernel names directories. */
    private readonly realRoot: Buffer,
    private readonly filter: FilterConfig,
    /** open_by_handle_at + readlink: the absolute path, or the errno name. */
    private readonly resolve: (key: string) => Buffer | string,
    private readonly limit = REMEMBERED_DIRS,
  ) {
    this.prefix = realRoot.length === 1 ? realRoot : Buffer.concat([realRoot, Buffer.from('/')]);
  }

  placeOf(key: string): DirPlace {
    const known = this.known.get(key);
    if (known) return known;
    const path = this.resolve(key);
    // A directory gone is not remembered: its key says nothing about a later event's.
    if (typeof path === 'string') return GONE;
    const place = this.placeOfPath(path);
    if (this.known.size >= this.limit) this.known.delete(this.known.keys().next().value as string);
    this.known.set(key, place);
    return place;
  }

  /** After a directory inside the root was renamed: every path below it may have changed. */
  forget(): void {
    this.known.clear();
  }

  get size(): number {
    return this.known.size;
  }

  private placeOfPath(path: Buffer): DirPlace {
    if (path.equals(this.realRoot)) return { kind: 'inside', rel: '' };
    if (path.length <= this.prefix.length || !path.subarray(0, this.prefix.length).equals(this.prefix)) return OUTSIDE;
    const rel = toPathName(path.subarray(this.prefix.length));
    return this.excluded(rel) ? OUTSIDE : { kind: 'inside', rel };
  }

  /** A directory the inotify watcher would not watch: it or one of its ancestors is excluded. */
  private excluded(rel: PathName): boolean {
    if (!this.filter.enabled || rel.length === 0) return false;
    for (const dir of [...ancestorsOf(rel), rel]) {
      const [parent, name] = splitLast(dir);
      if (excludedAtStart(this.filter, dir) || excludedByFilter(this.filter, parent, name)) return true;
    }
    return false;
  }
}

/** `a/b/c` as `a/b` and `c`; `c` as '' and `c`. */
export function splitLast(rel: PathName): [PathName, PathName] {
  if (typeof rel === 'string') {
    const slash = rel.lastIndexOf('/');
    return slash < 0 ? ['', rel] : [rel.slice(0, slash), rel.slice(slash + 1)];
  }
  const slash = rel.lastIndexOf(0x2f);
  return slash < 0 ? ['', rel] : [toPathName(rel.subarray(0, slash)), toPathName(rel.subarray(slash + 1))];
}
