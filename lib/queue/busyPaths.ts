/**
 * The paths of the events that are running now, indexed so that "may this event start?" costs
 * one lookup per path component instead of a scan of everything running: a batch of thousands of
 * paths is checked against thousands running in linear time.
 *
 * Two events conflict when either is a full sync, or they name the same path, or one is inside
 * the other. Paths are compared by pathKey, their bytes (a UTF-8 directory holding a non-UTF-8
 * name is still its ancestor).
 */
import type { SyncEvent } from '../events/types';
import { ancestorsOf, pathKey } from '../paths';

/** What a queue needs to know of the running events. */
export interface Busy {
  /**
   * Why an event may not start now: a block key (see blockKeysFreedBy), or undefined when it
   * may. `key` is the event's pathKey (unused for a full sync).
   */
  blocker(event: SyncEvent, key: string | undefined): string | undefined;
}

export const NOTHING_BUSY: Busy = { blocker: () => undefined };

/** Block keys hold no NUL: a path cannot. */
const FULL_BLOCK = '\0full';
const CONTAINS = '\0in:';

/**
 * The block keys that may have let events wait behind these, once they end: each path itself
 * (an event on it or inside it waits on its key), `CONTAINS` each ancestor (an event on an
 * ancestor contains it), and a full sync's key.
 */
export function blockKeysFreedBy(events: readonly SyncEvent[]): string[] {
  const keys: string[] = [];
  for (const event of events) {
    if (event.kind === 'full') {
      keys.push(FULL_BLOCK);
      continue;
    }
    const key = pathKey(event.path);
    keys.push(key);
    for (const ancestor of ancestorsOf(key)) keys.push(CONTAINS + ancestor);
  }
  return keys;
}

function bump(map: Map<string, number>, key: string, by: number): void {
  const n = (map.get(key) ?? 0) + by;
  if (n > 0) map.set(key, n);
  else map.delete(key);
}

export class BusyPaths implements Busy {
  private fullSyncs = 0;
  /** Running paths, with how many running events name each. */
  private readonly paths = new Map<string, number>();
  /** Strict ancestors of running paths: a new event on one of these would contain a running one. */
  private readonly containers = new Map<string, number>();
  private events = 0;

  static of(events: readonly SyncEvent[]): BusyPaths {
    const busy = new BusyPaths();
    busy.add(events);
    return busy;
  }

  get size(): number {
    return this.events;
  }

  add(events: readonly SyncEvent[]): void {
    this.count(events, 1);
  }

  remove(events: readonly SyncEvent[]): void {
    this.count(events, -1);
  }

  blocks(event: SyncEvent): boolean {
    return this.blocker(event, event.kind === 'full' ? undefined : pathKey(event.path)) !== undefined;
  }

  blocker(event: SyncEvent, key: string | undefined): string | undefined {
    if (this.events === 0) return undefined;
    if (event.kind === 'full' || this.fullSyncs > 0 || key === undefined) return FULL_BLOCK;
    if (this.paths.has(key)) return key;
    if (this.containers.has(key)) return CONTAINS + key;
    return ancestorsOf(key).find((ancestor) => this.paths.has(ancestor));
  }

  private count(events: readonly SyncEvent[], by: 1 | -1): void {
    for (const event of events) {
      this.events += by;
      if (event.kind === 'full') {
        this.fullSyncs += by;
        continue;
      }
      const key = pathKey(event.path);
      bump(this.paths, key, by);
      for (const ancestor of ancestorsOf(key)) bump(this.containers, ancestor, by);
    }
  }
}
