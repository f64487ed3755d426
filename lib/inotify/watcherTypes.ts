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

export interface WatcherOptions {
  readonly root: string;
  readonly mask: number;
  /** `<filter>`: the directories it excludes get no watch (lib/filter/exclude.ts). */
  readonly filter: FilterConfig;
  /** `<fileSystem xfs="true">`: entry types come from lstat, not from readdir. */
  readonly xfs: boolean;
  /** Events of one kernel read, in order, after the watches were updated for them. */
  readonly onEvents: (events: RawEvent[]) => void;
  /** The kernel queue overflowed: events were lost. */
  readonly onOverflow: () => void;
  /** Watches could not be added (ENOSPC, EACCES...), so part of the tree is not watched. */
  readonly onUnwatched: (path: PathName, code: string) => void;
  /** The watch root itself was deleted, moved, unmounted or made unreadable: its watches are gone. Called once. */
  readonly onRootGone: (loss: RootLoss) => void;
  /** Called after each directory watched, with the count so far (the start-up progress line). */
  readonly onProgress?: (watches: number) => void;
  /**
   * The tree could not follow the disk (a directory it could not find, a move under its own
   * subtree) without lost events to explain it: it is rebuilt from the disk, and a full sync
   * should cover what it may have missed.
   */
  readonly onResync?: () => void;
}
