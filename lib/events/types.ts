/** What flows from the watcher through the queue to the workers. */
import type { Change } from '../inotify/change';
import type { PathName } from '../paths';

/** A change to one path, relative to the watch directory (no leading `./` or `/`). */
export interface PathEvent {
  readonly kind: 'sync' | 'delete';
  readonly path: PathName;
  readonly isDir: boolean;
  /** The kernel event behind it: the queue ends a burst at a closeWrite, a batch list treats a created directory apart. */
  readonly cause: Change;
  /** When the kernel event behind it was read (performance.now()): the event-to-spawn figure. */
  readonly readAt?: number;
}

/** Why a whole-tree sync was queued instead of single paths. */
/** `start`: the `-r` full sync, run beside the workers (WorkerPool.runAs). */
export type FullSyncReason = 'start' | 'overflow' | 'queue-full' | 'unwatched' | 'crontab' | 'recovery';

export interface FullSyncEvent {
  readonly kind: 'full';
  readonly reason: FullSyncReason;
}

export type SyncEvent = PathEvent | FullSyncEvent;

