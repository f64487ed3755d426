/**
 * What a watcher is to the daemon (lib/daemon/watch.ts), whatever it is built on: inotify's
 * (lib/inotify/watcher.ts) today, fanotify's next. The `Watcher` interface, the events it hands up
 * (WatchEvent: entries, overflow, root loss) and what it reports (WatchListener); beside them, what
 * the inotify watcher alone is given (its binding, its mask).
 */
import type { FilterConfig } from '../filter/config';
import type { PathName } from '../paths';
import type { Inotify } from './binding';
import type { Change } from './change';
import type { RootLoss } from './root';

/** The part of the binding the watcher uses; without watchChunk, the start-up walk's syscalls are made on the loop. */
export type InotifyBinding = Pick<Inotify, 'addWatches' | 'removeWatch' | 'subdirectories' | 'close'> & Partial<Pick<Inotify, 'watchChunk'>>;

/** A kernel event on an entry, decoded, with its directory already resolved from the watch descriptor. */
export interface RawEvent {
  /** Relative path of the watched directory ('' for the watch root). */
  readonly dir: PathName;
  readonly name: PathName;
  readonly change: Change;
  readonly isDir: boolean;
  /** The kernel's cookie, which links a movedFrom and its movedTo (0 otherwise); absent on entries found by reading. */
  readonly cookie?: number;
  /** Found by reading a new directory rather than reported by the kernel. */
  readonly scanned?: boolean;
  /** When it was read from the kernel (performance.now()). */
  readonly readAt?: number;
}

/**
 * The watches lost events or track of the tree (it is rebuilt from the disk): a full sync should
 * cover what was missed. `overflow`: the kernel queue overflowed; `strayed`: the tree could not
 * follow the disk (a directory it could not find, a move under its own subtree) with no overflow
 * to explain it.
 */
export interface ResyncEvent {
  readonly change: 'resync';
  readonly reason: 'overflow' | 'strayed';
}

/** The watch root itself was deleted, moved, unmounted or made unreadable: its watches are gone. Once. */
export interface RootGoneEvent {
  readonly change: 'rootGone';
  readonly loss: RootLoss;
}

/** What the watcher hands up, in the order it happened: a change to an entry, or one to the watches themselves. */
export type WatchEvent = RawEvent | ResyncEvent | RootGoneEvent;

/** A watcher of the tree under one root, as the daemon uses it. */
export interface Watcher {
  /**
   * Watches the whole tree, then resolves to how many directories are watched; rejects with a
   * WatchRootError when the root cannot be. The event loop is not held for the walk: events may
   * be handed up before it resolves.
   */
  start(): Promise<number>;
  /** Directories watched now. */
  readonly watchCount: number;
  /** Stops watching at once: nothing is handed up after it; a start() under way resolves. Idempotent. */
  close(): void;
}

/** The tree a watcher watches, and what it leaves out. */
export interface WatchTarget {
  readonly root: string;
  /** `<filter>`: the directories it excludes get no watch (lib/filter/exclude.ts). */
  readonly filter: FilterConfig;
  /** `<fileSystem xfs="true">`: entry types come from lstat, not from readdir. */
  readonly xfs: boolean;
}

/** What a watcher reports to the daemon. */
export interface WatchListener {
  /** Events, in the order they happened, after the watches were updated for them. */
  readonly onEvents: (events: WatchEvent[]) => void;
  /** Watches could not be added (ENOSPC, EACCES...), so part of the tree is not watched. */
  readonly onUnwatched: (path: PathName, code: string) => void;
  /** Called after each directory watched, with the count so far (the start-up progress line). */
  readonly onProgress?: (watches: number) => void;
  /** The watcher can read no more events (a read error on its descriptor). */
  readonly onError?: (error: Error) => void;
}

/** What the inotify watcher is given. */
export interface WatcherOptions extends WatchTarget, WatchListener {
  /** The inotify mask of every watch (the root's: rootMask). */
  readonly mask: number;
}
