/**
 * The queue's entries that are out of arrival order (lib/queue/queue.ts):
 * - held: an entry that conflicts with a running command (or a parked one) waits under the block
 *   key it conflicts on (lib/queue/busyPaths.ts) until that command ends;
 * - parked: a directory's command that covers its subtree waits until nothing new has arrived
 *   inside it for a while, so a tree being written (`mkdir` then files, `tar x`, `cp -a`) costs
 *   one command; what conflicts with it meanwhile is held under it;
 * - released: entries back from either, handed out oldest first.
 */
import type { SyncEvent } from '../events/types';
import { BusyPaths, blockKeysFreedBy } from './busyPaths';
import type { Entry } from './entry';
import { SeqHeap } from './seqHeap';

export class Aside {
  private readonly released = new SeqHeap<Entry>();
  private readonly held = new Map<string, Entry[]>();
  private parked: Entry[] = [];
  private parkedPaths = new BusyPaths();

  hold(entry: Entry, blocker: string): void {
    entry.state = 'held';
    const list = this.held.get(blocker);
    if (list) list.push(entry);
    else this.held.set(blocker, [entry]);
  }

  /** What waited on these events' paths comes back; true when anything did. */
  release(events: readonly SyncEvent[]): boolean {
    let any = false;
    for (const key of blockKeysFreedBy(events)) {
      const list = this.held.get(key);
      if (!list) continue;
      this.held.delete(key);
      for (const entry of list) {
        if (entry.state !== 'held') continue;
        entry.state = 'released';
        this.released.push(entry);
        any = true;
      }
    }
    return any;
  }

  /** The oldest released entry still queued. */
  nextReleased(): Entry | undefined {
    while (this.released.peek()?.state === 'gone') this.released.pop();
    return this.released.peek();
  }

  popReleased(): Entry | undefined {
    return this.released.pop();
  }

  park(entry: Entry): void {
    entry.state = 'parked';
    this.parked.push(entry);
    this.parkedPaths.add([entry.event]);
  }

  /** The block key of a parked entry that this one conflicts with, if any. */
  parkedBlocker(entry: Entry): string | undefined {
    return this.parkedPaths.size === 0 ? undefined : this.parkedPaths.blocker(entry.event, entry.key);
  }

  /** Parked entries that are due (or dropped) leave; the due ones come back with the released. */
  unpark(now: number): void {
    if (this.parked.length === 0) return;
    this.parked = this.parked.filter((entry) => {
      if (entry.state === 'parked' && entry.due > now) return true;
      this.parkedPaths.remove([entry.event]);
      if (entry.state === 'parked') {
        entry.state = 'released';
        this.released.push(entry);
      } else {
        // Dropped while parked: what it held back comes back now.
        this.release([entry.event]);
      }
      return false;
    });
  }

  /** When the first parked entry is due. */
  nextDue(): number | undefined {
    let due: number | undefined;
    for (const entry of this.parked) if (entry.state === 'parked' && (due === undefined || entry.due < due)) due = entry.due;
    return due;
  }

  clear(): void {
    this.released.clear();
    this.held.clear();
    this.parked = [];
    this.parkedPaths = new BusyPaths();
  }
}
