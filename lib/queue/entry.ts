/** A queued event as the queue keeps it (lib/queue/queue.ts), and the rules that compare entries. */
import type { PathEvent, SyncEvent } from '../events/types';

/**
 * waiting: in arrival order; held: set aside until the command it conflicts with ends; parked: a
 * directory's command waiting for its subtree to be quiet; released: back, oldest first; gone:
 * handed out or dropped.
 */
export type State = 'waiting' | 'held' | 'parked' | 'released' | 'gone';

export interface Entry {
  event: SyncEvent;
  readonly at: number;
  readonly seq: number;
  /** The path's pathKey, computed once at push; none for a full sync. */
  readonly key: string | undefined;
  state: State;
  /** Events that this entry's command covers, pushed after it. */
  covered: PathEvent[] | undefined;
  /** A parked entry: when it may be handed out. */
  due: number;
}

/** A closeWrite is the last event of a write: nothing more is coming to merge with it. */
export function burstEnded(event: SyncEvent): boolean {
  return event.kind === 'sync' && event.cause === 'closeWrite';
}

/** The entry's command covers this event too: it reaches the plugin with the entry. */
export function coverWith(entry: Entry, event: PathEvent): void {
  if (entry.covered) entry.covered.push(event);
  else entry.covered = [event];
}

/**
 * Whether a new event's command on a path also does what a queued one on the same path was for,
 * so the queued entry may take the new event: the same command string (lib/command/model.ts),
 * or a delete after a sync (a delete is a filtered sync of the path: it sends it when it exists,
 * and its whole tree for a directory).
 */
export function takesOver(event: PathEvent, queued: SyncEvent): boolean {
  if (queued.kind === 'full') return false;
  if (event.kind === 'delete') return queued.kind === 'sync' || queued.isDir === event.isDir;
  return queued.kind === 'sync';
}
