/**
 * inotify on our own N-API addon (native/inotify.c, built to build/Release/inotify.node), since
 * node-inotify does not build on Node 20. One API, the one the watcher uses, with node-inotify's
 * names where the contract is the same (`removeWatch(wd)`, `close()`, `persistent`, an event's
 * `mask`, `cookie`, `name`); the mask bits are lib/inotify/mask.ts's `IN`. Unlike node-inotify:
 * - `addWatches(paths, mask)` adds many watches in one native call and never throws for a path:
 *   each slot holds the wd or a negative errno (ENOENT for a directory gone meanwhile is normal).
 *   Paths may be Buffers (exact bytes, for non-UTF-8 names). `watchChunk(paths, mask)` does the
 *   same, then reads each directory watched for its subdirectories, on a libuv thread (the
 *   start-up walk: its syscalls leave the event loop), and may go on below them.
 * - Events come in batches, to `onBatch`: one call per readable wake-up of the descriptor, with
 *   everything read until EAGAIN, in kernel order, IN_IGNORED and IN_Q_OVERFLOW (wd -1) included.
 *   There are no per-watch callbacks: the watcher resolves a wd itself. close() inside onBatch is
 *   allowed.
 * - A named event's `name` is UTF-8 (invalid bytes become U+FFFD); a name that is not valid UTF-8
 *   by lib/paths.ts's rule also has `nameBytes`, the exact bytes from the kernel (a Buffer for
 *   every event would cost more than the rest of it).
 * - Events read from the kernel whose objects could not be built (a failed N-API call) come as
 *   one IN_Q_OVERFLOW event (wd -1) instead, as if the kernel had dropped them: never a silent loss.
 * - Read errors go to `onError` (or, without one, to console.error, once); the instance then stops
 *   reading.
 *
 * The addon is loaded on first use, so importing this module never fails by itself.
 */
import fs from 'node:fs';
import util from 'node:util';
import { addonCandidates, embeddedAddon } from '../addon';
import type { PathName } from '../paths';

/** One kernel event. */
export interface InotifyEvent {
  /** The watch descriptor; -1 for IN_Q_OVERFLOW. */
  readonly wd: number;
  readonly mask: number;
  /** Links IN_MOVED_FROM and IN_MOVED_TO of one rename; 0 otherwise. */
  readonly cookie: number;
  /** The entry's name, decoded as UTF-8; absent for events about the watched object itself. */
  readonly name?: string;
  /** The entry's name exactly as the kernel gave it, only when it is not valid UTF-8 (then `name` is lossy). */
  readonly nameBytes?: Buffer;
}

export interface InotifyOptions {
  /** Keep the process alive while open (default true), like node-inotify's argument. */
  readonly persistent?: boolean;
  /** Every batch of events (see the module comment). */
  readonly onBatch: (events: InotifyEvent[]) => void;
  /** A read (or poll) error on the descriptor; the instance stops reading after it. */
  readonly onError?: (error: Error) => void;
}

/** A failed system call: `code` is the errno name (ENOENT...), `errno` its negative number as in Node's errors. */
export class InotifyError extends Error {
  readonly code: string;
  readonly errno: number;
  readonly syscall: string;
  readonly path?: string | Buffer;

  constructor(errno: number, syscall: string, filePath?: string | Buffer) {
    const [code, description] = describeErrno(errno);
    super(`${code}: ${description}, ${syscall}${filePath === undefined ? '' : ` '${String(filePath)}'`}`);
    this.name = 'InotifyError';
    this.code = code;
    this.errno = -Math.abs(errno);
    this.syscall = syscall;
    if (filePath !== undefined) this.path = filePath;
  }
}

// ---- the addon -------------------------------------------------------------------------------

type NativeCallback = (events: InotifyEvent[], errno: number) => void;

interface NativeHandle {
  addWatches(paths: ReadonlyArray<string | Buffer>, mask: number): Int32Array;
  removeWatch(wd: number): number;
  /** Each name a string when it is UTF-8, else a Buffer of its bytes (native/names.c). */
  subdirectories(path: string | Buffer, statEach: boolean): PathName[] | number;
  watchChunk(paths: ReadonlyArray<string | Buffer> | string, mask: number, statEach: boolean, count: number, deeperMask?: number, budget?: number): Promise<NativeChunk>;
  close(): void;
  /** Only with SERSYNC2_INOTIFY_TEST_HOOKS=1 in the environment when the addon loads. */
  failNextBatch?(): void;
}

/** native/watch_chunk.c's result: per path, its wd, its read's errno, and how many of the names are its. */
interface NativeChunk {
  readonly wds: Int32Array;
  readonly rcs: Int32Array;
  readonly counts: Uint32Array;
  /** As subdirectories() gives them, path after path. */
  readonly names: readonly PathName[];
}

/**
 * What watchChunk() did, per directory: its wd (or -errno), and its subdirectories' names or the
 * -errno of its read (or of its watch). The paths given come first; a job that went deeper has one
 * more per directory it did below them, in the order of their names in these lists.
 */
export interface ChunkListing {
  readonly wds: Int32Array;
  readonly lists: ReadonlyArray<readonly PathName[] | number>;
}

/** How far a watchChunk() job goes below its paths: `budget` directories in all, watched with `mask`. */
export interface Deeper {
  readonly mask: number;
  readonly budget: number;
}

/** Text paths joined already, each one ended by a NUL: how the walk hands over a chunk, without a string per path. */
export interface JoinedPaths {
  readonly joined: string;
  readonly count: number;
}

/** The list of every directory not read (a leaf, by its link count): most of a big tree's. */
const NO_NAMES: readonly PathName[] = Object.freeze([]);

interface NativeModule {
  readonly InotifyHandle: new (onEvents: NativeCallback, persistent: boolean) => NativeHandle;
  largeFiles(root: string, list: Buffer, threshold: number): Promise<Uint32Array>;
}

/**
 * The same addon's large-file test (native/sizes.c), for batch mode: the indices of the paths in
 * `list` (relative to `root`, each ended by a NUL) that are regular files of `threshold` bytes or
 * more, found by lstat on a libuv thread. A path gone is not large; so is every path when `root`
 * cannot be opened.
 */
export function largeFilesUnder(root: string, list: Buffer, threshold: number): Promise<Uint32Array> {
  return addon().largeFiles(root, list, threshold);
}

let loaded: NativeModule | undefined;

function addon(): NativeModule {
  loaded ??= embeddedAddon<NativeModule>('inotify');
  if (loaded) return loaded;
  const candidates = addonCandidates('inotify');
  const found = candidates.find((file) => fs.existsSync(file));
  if (!found) {
    throw Object.assign(new Error(`the inotify addon is not built (looked for ${candidates.join(', ')}); build it with \`npm install\` or \`node-gyp rebuild\``), {
      code: 'ERR_INOTIFY_ADDON_MISSING',
    });
  }
  loaded = require(found) as NativeModule;
  return loaded;
}

function describeErrno(errno: number): [string, string] {
  const known = util.getSystemErrorMap().get(-Math.abs(errno));
  return known ?? [`E${Math.abs(errno)}`, `errno ${Math.abs(errno)}`];
}

// ---- the class -------------------------------------------------------------------------------

export class Inotify {
  private readonly handle: NativeHandle;
  private readonly options: InotifyOptions;
  private closed = false;
  private errorLogged = false;

  constructor(options: InotifyOptions) {
    this.options = { ...options };
    const native = addon();
    try {
      this.handle = new native.InotifyHandle(this.dispatch, this.options.persistent ?? true);
    } catch (error) {
      const errno = (error as { errno?: unknown }).errno;
      const syscall = (error as { syscall?: unknown }).syscall;
      if (typeof errno === 'number' && typeof syscall === 'string') throw new InotifyError(errno, syscall);
      throw error;
    }
  }

  /** Adds a watch to each path in one native call: per path its wd, or a negative errno (-ENOENT...). */
  addWatches(paths: ReadonlyArray<string | Buffer>, mask: number): Int32Array {
    if (!Array.isArray(paths)) throw new TypeError('paths must be an array');
    for (const p of paths) checkPath(p);
    return this.handle.addWatches(paths, mask);
  }

  /**
   * The names of the subdirectories of `path`, unsorted, read natively so that the files of a big
   * tree never become JavaScript objects: text where they are UTF-8, their exact bytes otherwise.
   * Types come from the directory entries; with `statEach` (or where an entry has none) from
   * lstat. Throws an InotifyError (ENOENT, EACCES, ENOTDIR...) when the directory cannot be read.
   */
  subdirectories(path: string | Buffer, statEach = false): PathName[] {
    checkPath(path);
    const list = this.handle.subdirectories(path, statEach);
    if (typeof list === 'number') throw new InotifyError(list, 'opendir', path);
    return list;
  }

  /**
   * addWatches(paths, mask), then subdirectories() of each directory watched, in that order, on a
   * libuv thread: the start-up walk's syscalls leave the event loop, and several configs' walks
   * share the cores. The paths come as an array, or as text joined already. Never rejects for a path.
   * With `deeper`, the job goes on below them, breadth first (watched with its mask, each batch
   * before it is read), until it has done `budget` directories in all: a small tree in one job.
   */
  async watchChunk(paths: ReadonlyArray<string | Buffer> | JoinedPaths, mask: number, statEach = false, deeper?: Deeper): Promise<ChunkListing> {
    const { given, count } = chunkPaths(paths);
    const job = deeper ? this.handle.watchChunk(given, mask, statEach, count, deeper.mask, deeper.budget) : this.handle.watchChunk(given, mask, statEach, count);
    return chunkListing(await job);
  }

  /** Stops a watch. False when it is already gone (removed, or the kernel sent IN_IGNORED), or closed. Never throws. */
  removeWatch(wd: number): boolean {
    if (this.closed) return false;
    // The kernel still queues IN_IGNORED for it.
    return this.handle.removeWatch(wd) === 0;
  }

  /**
   * Test hook: the next read's events fail to become objects, as when an N-API call fails, so they
   * reach onBatch as one overflow. The addon has it only when SERSYNC2_INOTIFY_TEST_HOOKS=1 was in
   * the environment when it loaded; otherwise this throws (code ERR_INOTIFY_TEST_HOOKS_OFF).
   */
  failNextBatch(): void {
    if (!this.handle.failNextBatch) {
      throw Object.assign(new Error('the inotify test hooks are off (set SERSYNC2_INOTIFY_TEST_HOOKS=1 before the addon loads)'), { code: 'ERR_INOTIFY_TEST_HOOKS_OFF' });
    }
    this.handle.failNextBatch();
  }

  /** Closes the descriptor and stops reading. Idempotent; allowed inside onBatch. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.handle.close();
  }

  /** Called by the addon once per readable wake-up. */
  private readonly dispatch = (events: InotifyEvent[], errno: number): void => {
    try {
      if (events.length > 0) this.options.onBatch(events);
    } finally {
      if (errno !== 0 && !this.closed) this.reportError(new InotifyError(errno, 'read'));
    }
  };

  private reportError(error: InotifyError): void {
    if (this.options.onError) {
      this.options.onError(error);
    } else if (!this.errorLogged) {
      this.errorLogged = true;
      console.error(`inotify: ${error.message}; no more events are read`);
    }
  }
}

/** The addon's flat answer as one list per path. */
function chunkListing({ wds, rcs, counts, names }: NativeChunk): ChunkListing {
  // Its length at once: grown by push, its backing store was copied a few times over per chunk.
  const lists = new Array<readonly PathName[] | number>(wds.length);
  let start = 0;
  for (let i = 0; i < wds.length; i++) {
    const n = counts[i]!;
    lists[i] = rcs[i]! < 0 ? rcs[i]! : n === 0 ? NO_NAMES : names.slice(start, start + n);
    start += n;
  }
  return { wds, lists };
}

/** What the addon takes: text paths as one string (one copy into it, not one per path; a path with a NUL inside is refused there), else the array. */
function chunkPaths(paths: ReadonlyArray<string | Buffer> | JoinedPaths): { given: string | ReadonlyArray<string | Buffer>; count: number } {
  if (!Array.isArray(paths)) {
    const { joined, count } = paths as JoinedPaths;
    if (typeof joined !== 'string' || !Number.isInteger(count)) throw new TypeError('paths must be an array, or { joined, count }');
    return { given: joined, count };
  }
  let text = true;
  for (const p of paths) {
    checkPath(p);
    text &&= typeof p === 'string';
  }
  return { given: text && paths.length > 0 ? `${paths.join('\0')}\0` : paths, count: paths.length };
}

function checkPath(p: unknown): void {
  if (typeof p !== 'string' && !Buffer.isBuffer(p)) throw new TypeError(`an inotify path must be a string or a Buffer, not ${p === null ? 'null' : typeof p}`);
}
