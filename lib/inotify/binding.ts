/**
 * inotify with node-inotify's API (`new Inotify(persistent?)`, `addWatch({ path, watch_for,
 * callback })`, `removeWatch(wd)`, `close()`, the `Inotify.IN_*` constants), on our own N-API addon
 * (native/inotify.c, built to build/Release/inotify.node), since node-inotify does not build on
 * Node 20.
 *
 * Beyond node-inotify:
 * - `addWatch` throws an InotifyError (code ENOENT, ENOSPC, EACCES, ENOTDIR...) instead of
 *   returning -1; paths may be Buffers (exact bytes, for non-UTF-8 names).
 * - `addWatches(paths, mask)` adds many watches in one native call and never throws for a path:
 *   each slot holds the wd or a negative errno. Those watches have no callback: use onBatch.
 * - Events come in batches: one per readable wake-up of the descriptor (everything read until
 *   EAGAIN). For each batch, in this order:
 *     1. `onBatch(events)` with every event of the batch (also those of watches without a
 *        callback, IN_IGNORED and IN_Q_OVERFLOW);
 *     2. then, event by event in kernel order: IN_Q_OVERFLOW (wd -1) calls `onOverflow()`; any
 *        other event calls its watch's callback, if it has one; after an IN_IGNORED event is
 *        dispatched, its wd is forgotten.
 *   close() inside a listener stops the dispatch of the rest of the batch. A listener that throws
 *   does not stop the others: the first error is rethrown once the batch is dispatched (so it
 *   becomes an uncaught exception, as usual), later ones are rethrown from a microtask.
 * - Each event has node-inotify's `watch` and also `wd`, and for named events `name` (UTF-8,
 *   invalid bytes become U+FFFD); a name that is not valid UTF-8 also has `nameBytes`, the exact
 *   bytes from the kernel (a Buffer for every event would cost more than the rest of it).
 * - Read errors go to `onError` (or, without one, to console.error, once); the instance then stops
 *   reading.
 *
 * The addon is loaded on first use, so importing this module never fails by itself.
 */
import fs from 'node:fs';
import util from 'node:util';
import { addonCandidates, embeddedAddon } from '../addon';

/** One kernel event. */
export interface InotifyEvent {
  /** The watch descriptor (node-inotify's name); -1 for IN_Q_OVERFLOW. */
  readonly watch: number;
  /** Same as `watch`. */
  readonly wd: number;
  readonly mask: number;
  /** Links IN_MOVED_FROM and IN_MOVED_TO of one rename; 0 otherwise. */
  readonly cookie: number;
  /** The entry's name, decoded as UTF-8; absent for events about the watched object itself. */
  readonly name?: string;
  /** The entry's name exactly as the kernel gave it, only when it is not valid UTF-8 (then `name` is lossy). */
  readonly nameBytes?: Buffer;
}

export type InotifyCallback = (event: InotifyEvent) => void;

export interface InotifyOptions {
  /** Keep the process alive while open (default true), like node-inotify's argument. */
  readonly persistent?: boolean;
  /** Every batch, before the per-watch callbacks (see the module comment for the order). */
  readonly onBatch?: (events: InotifyEvent[]) => void;
  /** The kernel queue overflowed (IN_Q_OVERFLOW): events were lost. */
  readonly onOverflow?: () => void;
  /** A read (or poll) error on the descriptor; the instance stops reading after it. */
  readonly onError?: (error: Error) => void;
}

export interface AddWatchOptions {
  readonly path: string | Buffer;
  readonly watch_for: number;
  /** Optional here (node-inotify requires it): without it, the events only go to onBatch. */
  readonly callback?: InotifyCallback;
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
  readonly fd: number;
  addWatch(path: string | Buffer, mask: number): number;
  addWatches(paths: ReadonlyArray<string | Buffer>, mask: number): Int32Array;
  removeWatch(wd: number): number;
  subdirectories(path: string | Buffer, statEach: boolean): Buffer | number;
  close(): void;
  ref(): void;
  unref(): void;
}

interface NativeModule {
  readonly InotifyHandle: new (onEvents: NativeCallback, persistent: boolean) => NativeHandle;
  readonly constants: Readonly<Record<string, number>>;
  readonly readBufferSize: number;
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

function constant(name: string): number {
  const value = addon().constants[name];
  if (value === undefined) throw new Error(`the inotify addon does not export ${name}`);
  return value;
}

function describeErrno(errno: number): [string, string] {
  const known = util.getSystemErrorMap().get(-Math.abs(errno));
  return known ?? [`E${Math.abs(errno)}`, `errno ${Math.abs(errno)}`];
}

// ---- the class -------------------------------------------------------------------------------

export class Inotify {
  static get IN_ACCESS(): number { return constant('IN_ACCESS'); }
  static get IN_MODIFY(): number { return constant('IN_MODIFY'); }
  static get IN_ATTRIB(): number { return constant('IN_ATTRIB'); }
  static get IN_CLOSE_WRITE(): number { return constant('IN_CLOSE_WRITE'); }
  static get IN_CLOSE_NOWRITE(): number { return constant('IN_CLOSE_NOWRITE'); }
  static get IN_CLOSE(): number { return constant('IN_CLOSE'); }
  static get IN_OPEN(): number { return constant('IN_OPEN'); }
  static get IN_MOVED_FROM(): number { return constant('IN_MOVED_FROM'); }
  static get IN_MOVED_TO(): number { return constant('IN_MOVED_TO'); }
  static get IN_MOVE(): number { return constant('IN_MOVE'); }
  static get IN_CREATE(): number { return constant('IN_CREATE'); }
  static get IN_DELETE(): number { return constant('IN_DELETE'); }
  static get IN_DELETE_SELF(): number { return constant('IN_DELETE_SELF'); }
  static get IN_MOVE_SELF(): number { return constant('IN_MOVE_SELF'); }
  static get IN_ALL_EVENTS(): number { return constant('IN_ALL_EVENTS'); }
  static get IN_UNMOUNT(): number { return constant('IN_UNMOUNT'); }
  static get IN_Q_OVERFLOW(): number { return constant('IN_Q_OVERFLOW'); }
  static get IN_IGNORED(): number { return constant('IN_IGNORED'); }
  static get IN_ONLYDIR(): number { return constant('IN_ONLYDIR'); }
  static get IN_DONT_FOLLOW(): number { return constant('IN_DONT_FOLLOW'); }
  static get IN_EXCL_UNLINK(): number { return constant('IN_EXCL_UNLINK'); }
  static get IN_MASK_ADD(): number { return constant('IN_MASK_ADD'); }
  static get IN_ISDIR(): number { return constant('IN_ISDIR'); }
  static get IN_ONESHOT(): number { return constant('IN_ONESHOT'); }
  /** Linux 4.18+: fail with EEXIST instead of updating an existing watch. */
  static get IN_MASK_CREATE(): number { return constant('IN_MASK_CREATE'); }

  private readonly handle: NativeHandle;
  /** Live watches this instance knows, with their callback (null: events go to onBatch only). */
  private readonly watches = new Map<number, InotifyCallback | null>();
  private readonly options: InotifyOptions;
  private readonly overflowMask: number;
  private readonly ignoredMask: number;
  private closed = false;
  private errorLogged = false;

  /** `new Inotify()`, `new Inotify(false)` (node-inotify), or `new Inotify({ persistent, onBatch, onOverflow, onError })`. */
  constructor(options: boolean | InotifyOptions = {}) {
    this.options = typeof options === 'boolean' ? { persistent: options } : { ...options };
    const native = addon();
    this.overflowMask = constant('IN_Q_OVERFLOW');
    this.ignoredMask = constant('IN_IGNORED');
    try {
      this.handle = new native.InotifyHandle(this.dispatch, this.options.persistent ?? true);
    } catch (error) {
      const errno = (error as { errno?: unknown }).errno;
      const syscall = (error as { syscall?: unknown }).syscall;
      if (typeof errno === 'number' && typeof syscall === 'string') throw new InotifyError(errno, syscall);
      throw error;
    }
  }

  /** The inotify descriptor (for diagnostics), -1 once closed. */
  get fd(): number {
    return this.handle.fd;
  }

  /** Live watches this instance knows (added, not yet removed nor reported IN_IGNORED). */
  get watchCount(): number {
    return this.watches.size;
  }

  /** Adds or updates the watch of a path; returns its wd. Throws InotifyError (syscall inotify_add_watch). */
  addWatch(options: AddWatchOptions): number {
    checkPath(options.path);
    const wd = this.handle.addWatch(options.path, options.watch_for);
    if (wd < 0) throw new InotifyError(wd, 'inotify_add_watch', options.path);
    this.watches.set(wd, options.callback ?? null);
    return wd;
  }

  /**
   * Adds a watch to each path in one native call: per path its wd, or a negative errno (-ENOENT...).
   * These watches have no callback (a path already watched keeps its callback): use onBatch.
   */
  addWatches(paths: ReadonlyArray<string | Buffer>, mask: number): Int32Array {
    if (!Array.isArray(paths)) throw new TypeError('paths must be an array');
    for (const p of paths) checkPath(p);
    const wds = this.handle.addWatches(paths, mask);
    for (const wd of wds) if (wd >= 0 && !this.watches.has(wd)) this.watches.set(wd, null);
    return wds;
  }

  /**
   * The names of the subdirectories of `path`, unsorted, as exact bytes, read natively so that
   * the files of a big tree never become JavaScript objects. Types come from the directory
   * entries; with `statEach` (or where an entry has none) from lstat. Throws an InotifyError
   * (ENOENT, EACCES, ENOTDIR...) when the directory cannot be read.
   */
  subdirectories(path: string | Buffer, statEach = false): Buffer[] {
    checkPath(path);
    const list = this.handle.subdirectories(path, statEach);
    if (typeof list === 'number') throw new InotifyError(list, 'opendir', path);
    const names: Buffer[] = [];
    for (let start = 0; start < list.length; ) {
      const end = list.indexOf(0, start);
      names.push(list.subarray(start, end));
      start = end + 1;
    }
    return names;
  }

  /** Stops a watch. False when it is already gone (removed, or the kernel sent IN_IGNORED), or closed. Never throws. */
  removeWatch(wd: number): boolean {
    if (this.closed) return false;
    const removed = this.handle.removeWatch(wd) === 0;
    // The kernel still queues IN_IGNORED for it; it goes to onBatch only.
    this.watches.delete(wd);
    return removed;
  }

  /** Closes the descriptor and stops reading. Idempotent; allowed inside a listener. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.handle.close();
    this.watches.clear();
  }

  /** Keeps the event loop alive while open (persistent: true). */
  ref(): void {
    this.handle.ref();
  }

  /** Lets the process exit while open (persistent: false). */
  unref(): void {
    this.handle.unref();
  }

  /** Called by the addon once per readable wake-up. */
  private readonly dispatch = (events: InotifyEvent[], errno: number): void => {
    let failed = false;
    let firstError: unknown;
    const fail = (error: unknown): void => {
      if (!failed) {
        failed = true;
        firstError = error;
      } else {
        queueMicrotask(() => {
          throw error;
        });
      }
    };

    if (events.length > 0 && this.options.onBatch) {
      try {
        this.options.onBatch(events);
      } catch (error) {
        fail(error);
      }
    }
    for (const event of events) {
      if (this.closed) break;
      try {
        if (event.mask & this.overflowMask) {
          this.options.onOverflow?.();
          continue;
        }
        this.watches.get(event.wd)?.(event);
      } catch (error) {
        fail(error);
      } finally {
        if (event.mask & this.ignoredMask) this.watches.delete(event.wd);
      }
    }
    if (errno !== 0 && !this.closed) {
      try {
        this.reportError(new InotifyError(errno, 'read'));
      } catch (error) {
        fail(error);
      }
    }
    if (failed) throw firstError;
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

function checkPath(p: unknown): void {
  if (typeof p !== 'string' && !Buffer.isBuffer(p)) throw new TypeError(`an inotify path must be a string or a Buffer, not ${p === null ? 'null' : typeof p}`);
}
