/**
 * The inotify binding, with node-inotify's API (`new Inotify()`, `addWatch({path, watch_for,
 * callback})`, `removeWatch(wd)`, `close()`, the `IN_*` constants), which does not build on
 * Node 20. The native part (native/inotify.c) reads whole batches of raw events; they are parsed
 * here and delivered per watch, and to an optional batch listener.
 */
import fs from 'node:fs';
import path from 'node:path';

/** One kernel event. `name`/`nameBytes` are absent for events on the watched directory itself. */
export interface InotifyEvent {
  /** node-inotify's name for the watch descriptor. */
  readonly watch: number;
  readonly wd: number;
  readonly mask: number;
  readonly cookie: number;
  /** The name decoded as UTF-8 (invalid bytes become U+FFFD); use nameBytes for the exact bytes. */
  readonly name?: string;
  readonly nameBytes?: Buffer;
}

export interface InotifyOptions {
  /** Keep the process alive while open (default true), as node-inotify's `persistent`. */
  readonly persistent?: boolean;
  /** Every batch of one kernel read, before the per-watch callbacks, overflow included. */
  readonly onBatch?: (events: InotifyEvent[]) => void;
  /** The kernel queue overflowed (IN_Q_OVERFLOW): events were lost. */
  readonly onOverflow?: () => void;
  /** A read error on the descriptor. */
  readonly onError?: (error: Error) => void;
}

export interface AddWatchOptions {
  readonly path: string | Buffer;
  readonly watch_for: number;
  readonly callback?: (event: InotifyEvent) => void;
}

/** An error of inotify_add_watch, with a stable `code` (ENOENT, ENOSPC, EACCES, ENOTDIR...). */
export class InotifyError extends Error {
  readonly syscall = 'inotify_add_watch';
  constructor(
    readonly code: string,
    readonly errno: number,
    readonly path: string,
  ) {
    super(`${code}: inotify_add_watch ${path}`);
    this.name = 'InotifyError';
  }
}

/** The native module's exports; typed here because it has no declarations of its own. */
interface NativeHandle {
  readonly __brand: 'inotify';
}
interface NativeModule {
  open(callback: (bytes: Buffer, error: number) => void, persistent: boolean): NativeHandle;
  addWatch(handle: NativeHandle, path: string | Buffer, mask: number): number;
  addWatches(handle: NativeHandle, paths: ReadonlyArray<string | Buffer>, mask: number): Int32Array;
  removeWatch(handle: NativeHandle, wd: number): number;
  close(handle: NativeHandle): void;
  fd(handle: NativeHandle): number;
  constants: Record<string, number>;
}

function loadNative(): NativeModule {
  // Works from lib/inotify (ts-node style) and from dist/lib/inotify (compiled).
  const candidates = [path.resolve(__dirname, '../../build/Release/inotify.node'), path.resolve(__dirname, '../../../build/Release/inotify.node')];
  const found = candidates.find((file) => fs.existsSync(file));
  if (!found) throw new Error(`the inotify addon is not built (looked for ${candidates.join(', ')}); run \`npm ci\` or \`make\``);
  return require(found) as NativeModule;
}

const native = loadNative();
const C = native.constants;
const ERRNO_NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(fs.constants).filter(([k]) => /^E[A-Z]+$/.test(k)).map(([k, v]) => [v, k]));
const UTF8 = new TextDecoder('utf-8');

/** Parses a run of `struct inotify_event` records. */
export function parseEvents(bytes: Buffer): InotifyEvent[] {
  const events: InotifyEvent[] = [];
  for (let offset = 0; offset + 16 <= bytes.length; ) {
    const wd = bytes.readInt32LE(offset);
    const mask = bytes.readUInt32LE(offset + 4);
    const cookie = bytes.readUInt32LE(offset + 8);
    const len = bytes.readUInt32LE(offset + 12);
    const start = offset + 16;
    offset = start + len;
    if (len === 0) {
      events.push({ watch: wd, wd, mask, cookie });
      continue;
    }
    let end = bytes.indexOf(0, start);
    if (end === -1 || end > offset) end = offset;
    // A copy: the batch buffer is not kept alive by one name.
    const nameBytes = Buffer.from(bytes.subarray(start, end));
    events.push({ watch: wd, wd, mask, cookie, name: UTF8.decode(nameBytes), nameBytes });
  }
  return events;
}

export class Inotify {
  static readonly IN_ACCESS = C.IN_ACCESS!;
  static readonly IN_MODIFY = C.IN_MODIFY!;
  static readonly IN_ATTRIB = C.IN_ATTRIB!;
  static readonly IN_CLOSE_WRITE = C.IN_CLOSE_WRITE!;
  static readonly IN_CLOSE_NOWRITE = C.IN_CLOSE_NOWRITE!;
  static readonly IN_CLOSE = C.IN_CLOSE!;
  static readonly IN_OPEN = C.IN_OPEN!;
  static readonly IN_MOVED_FROM = C.IN_MOVED_FROM!;
  static readonly IN_MOVED_TO = C.IN_MOVED_TO!;
  static readonly IN_MOVE = C.IN_MOVE!;
  static readonly IN_CREATE = C.IN_CREATE!;
  static readonly IN_DELETE = C.IN_DELETE!;
  static readonly IN_DELETE_SELF = C.IN_DELETE_SELF!;
  static readonly IN_MOVE_SELF = C.IN_MOVE_SELF!;
  static readonly IN_ALL_EVENTS = C.IN_ALL_EVENTS!;
  static readonly IN_UNMOUNT = C.IN_UNMOUNT!;
  static readonly IN_Q_OVERFLOW = C.IN_Q_OVERFLOW!;
  static readonly IN_IGNORED = C.IN_IGNORED!;
  static readonly IN_ONLYDIR = C.IN_ONLYDIR!;
  static readonly IN_DONT_FOLLOW = C.IN_DONT_FOLLOW!;
  static readonly IN_EXCL_UNLINK = C.IN_EXCL_UNLINK!;
  static readonly IN_MASK_ADD = C.IN_MASK_ADD!;
  static readonly IN_ISDIR = C.IN_ISDIR!;
  static readonly IN_ONESHOT = C.IN_ONESHOT!;

  private handle: NativeHandle | undefined;
  private readonly callbacks = new Map<number, (event: InotifyEvent) => void>();
  private readonly options: InotifyOptions;

  /** `new Inotify()`, `new Inotify(false)` (node-inotify), or `new Inotify({ ...options })`. */
  constructor(options: boolean | InotifyOptions = {}) {
    this.options = typeof options === 'boolean' ? { persistent: options } : options;
    this.handle = native.open((bytes, error) => this.onRead(bytes, error), this.options.persistent ?? true);
  }

  /** The descriptor, or -1 once closed. */
  get fd(): number {
    return this.handle ? native.fd(this.handle) : -1;
  }

  /** Watches this instance knows to be live (with or without a callback). */
  get watchCount(): number {
    return this.callbacks.size;
  }

  /** Adds (or updates) a watch; returns its descriptor; throws InotifyError. */
  addWatch(options: AddWatchOptions): number {
    const wd = native.addWatch(this.open(), options.path, options.watch_for);
    if (wd < 0) throw new InotifyError(ERRNO_NAMES[-wd] ?? `errno ${-wd}`, -wd, String(options.path));
    this.callbacks.set(wd, options.callback ?? noop);
    return wd;
  }

  /** Adds many watches in one native call: per path its wd, or a negative errno. Events go to onBatch. */
  addWatches(paths: ReadonlyArray<string | Buffer>, mask: number): Int32Array {
    const wds = native.addWatches(this.open(), paths, mask);
    for (const wd of wds) if (wd >= 0 && !this.callbacks.has(wd)) this.callbacks.set(wd, noop);
    return wds;
  }

  /** False when the watch was already gone (the kernel removed it, or it was removed before). */
  removeWatch(wd: number): boolean {
    if (!this.handle) return false;
    const known = this.callbacks.delete(wd);
    return native.removeWatch(this.handle, wd) === 0 && known;
  }

  /** Idempotent; safe inside a callback. */
  close(): void {
    if (!this.handle) return;
    native.close(this.handle);
    this.handle = undefined;
    this.callbacks.clear();
  }

  private open(): NativeHandle {
    if (!this.handle) throw Object.assign(new Error('the inotify instance is closed'), { code: 'ERR_INOTIFY_CLOSED' });
    return this.handle;
  }

  private onRead(bytes: Buffer, error: number): void {
    if (error) {
      const err = Object.assign(new Error(`inotify read failed: ${ERRNO_NAMES[error] ?? error}`), { code: ERRNO_NAMES[error] });
      if (this.options.onError) this.options.onError(err);
      else process.emitWarning(err);
    }
    if (bytes.length === 0) return;
    const events = parseEvents(bytes);
    this.options.onBatch?.(events);
    for (const event of events) {
      if (!this.handle) return;
      if (event.mask & Inotify.IN_Q_OVERFLOW) {
        this.options.onOverflow?.();
        continue;
      }
      this.callbacks.get(event.wd)?.(event);
      if (event.mask & Inotify.IN_IGNORED) this.callbacks.delete(event.wd);
    }
  }
}

function noop(): void {}
