/** What flows from the watcher through the queue to the workers. */
import type { PathName } from '../paths';

/** A change to one path, relative to the watch directory (no leading `./` or `/`). */
export interface PathEvent {
  readonly kind: 'sync' | 'delete';
  readonly path: PathName;
  readonly isDir: boolean;
  /** The inotify mask that caused it (the http plugin reports it). */
  readonly mask: number;
  /** When the kernel event behind it was read (performance.now()): the event-to-spawn figure. */
  readonly readAt?: number;
}

/** Why a whole-tree sync was queued instead of single paths. */
export type FullSyncReason = 'overflow' | 'queue-full' | 'unwatched' | 'crontab' | 'recovery';

export interface FullSyncEvent {
  readonly kind: 'full';
  readonly reason: FullSyncReason;
}

export type SyncEvent = PathEvent | FullSyncEvent;

