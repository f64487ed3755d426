/** What the watcher (lib/inotify/watcher.ts) is given: its binding, the kernel's events, its options. */
import type { FilterConfig } from '../filter/config';
import type { PathName } from '../paths';
import type { Inotify } from './binding';
import type { Change } from './change';
import type { RootLoss } from './root';

/** The part of the binding the watcher uses. */
export type InotifyBinding = Pick<Inotify, 'addWatches' | 'removeWatch' | 'subdirectories' | 'close'>;

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

export interface WatcherOptions {
  readonly root: string;
  readonly mask: number;
  /** `<filter>`: the directories it excludes get no watch (lib/filter/exclude.ts). */
  readonly filter: FilterConfig;
  /** `<fileSystem xfs="true">`: entry types come from lstat, not from readdir. */
  readonly xfs: boolean;
  /** Events of one kernel read, in order, after the watches were updated for them. */
  readonly onEvents: (events: WatchEvent[]) => void;
  /** Watches could not be added (ENOSPC, EACCES...), so part of the tree is not watched. */
  readonly onUnwatched: (path: PathName, code: string) => void;
  /** Called after each directory watched, with the count so far (the start-up progress line). */
  readonly onProgress?: (watches: number) => void;
}
