/**
 * The event queue with sersync2's rules:
 * - a directory delete erases every queued event under that directory;
 * - an event whose path equals one of the 10 newest queued events is dropped, and that queued
 *   event takes the new operation;
 * - workers take the oldest first.
 * Beyond sersync2:
 * - it is bounded: past `maxLength` the whole queue collapses into one full sync, which covers
 *   everything it held, so memory stays bounded under any flood;
 * - an event is handed out only after `settleMs`, so the IN_CREATE, IN_MODIFY and IN_CLOSE_WRITE
 *   of one `echo > file` merge into one command, as they did in sersync2 (golden case 06); an
 *   IN_CLOSE_WRITE ends such a burst, so an entry that holds one is ready at once (the latency of a
 *   single write is one rsync, not one rsync plus the window);
 * - events on the same path, or one inside the other, are never handed out together.
 */
import type { FullSyncReason, SyncEvent } from '../events/types';
import { isUnderKey, pathKey } from '../paths';
import { BusyPaths, NOTHING_BUSY, type Busy } from './busyPaths';

export interface QueueOptions {
  /** How many of the newest entries a new event is merged with (sersync2: 10). */
  readonly mergeWindow: number;
  /** Entries before the queue collapses into a full sync. */
  readonly maxLength: number;
  /** How long an event waits for the rest of its burst before a worker may take it. */
  readonly settleMs: number;
  readonly now: () => number;
}

export const QUEUE_DEFAULTS: QueueOptions = { mergeWindow: 10, maxLength: 100_000, settleMs: 3, now: () => performance.now() };

/** How many settling entries take() looks past for a ready one, so a burst costs no quadratic scan. */
const SETTLING_LOOKAHEAD = 8;

/** How many entries past the wanted count take() looks at for ones that no running event blocks. */
const LOOKAHEAD = 256;

export type PushResult = 'queued' | 'merged' | 'collapsed';

interface Entry {
  event: SyncEvent;
  readonly at: number;
  /** The path's pathKey, computed once at push (a push compares with up to 10 entries); none for a full sync. */
  readonly key: string | undefined;
}

/** A closeWrite is the last event of a write: nothing more is coming to merge with it. */
function burstEnded(event: SyncEvent): boolean {
  return event.kind === 'sync' && event.cause === 'closeWrite';
}


export class EventQueue {
  private items: Entry[] = [];
  private head = 0;
  private readonly options: QueueOptions;
  /** Events that were folded into a full sync because the queue was full. */
  collapsedEvents = 0;
  /** Set when the last take() stopped at an event still settling: when that one will have settled. */
  private settlesAt: number | undefined;

  constructor(options: Partial<QueueOptions> = {}) {
    this.options = { ...QUEUE_DEFAULTS, ...options };
  }

  get length(): number {
    return this.items.length - this.head;
  }

  push(event: SyncEvent): PushResult {
    if (event.kind === 'full') return this.pushFull(event.reason);
    const key = pathKey(event.path);
    if (event.kind === 'delete' && event.isDir) {
      this.items = this.live().filter((e) => e.key === undefined || !isUnderKey(e.key, key));
      this.head = 0;
    }
    const stop = Math.max(this.head, this.items.length - this.options.mergeWindow);
    for (let i = this.items.length - 1; i >= stop; i--) {
      const queued = this.items[i]!;
      if (queued.key === key) {
        queued.event = event;
        return 'merged';
      }
    }
    if (this.length >= this.options.maxLength) {
      this.collapsedEvents += this.length + 1;
      return this.pushFull('queue-full', true);
    }
    this.items.push({ event, at: this.options.now(), key });
    return 'queued';
  }

  private pushFull(reason: FullSyncReason, collapse = false): PushResult {
    const queuedFull = this.live().filter((e) => e.event.kind === 'full');
    if (collapse || reason === 'overflow') {
      // A full sync covers every path event queued before it.
      this.items = queuedFull;
      this.head = 0;
    }
    if (queuedFull.length === 0) this.items.push({ event: { kind: 'full', reason }, at: this.options.now(), key: undefined });
    return collapse ? 'collapsed' : queuedFull.length > 0 ? 'merged' : 'queued';
  }

  /** The oldest settled event that no running one blocks, removed from the queue. */
  take(busy: Busy = NOTHING_BUSY): SyncEvent | undefined {
    return this.takeUpTo(1, busy)[0];
  }

  /**
   * Up to `max` of the oldest settled events that no running one blocks, removed from the queue
   * in one pass (a batch of thousands costs one scan, not one per event). A full sync is only
   * ever taken alone, and a batch of paths stops at one.
   */
  takeUpTo(max: number, busy: Busy = NOTHING_BUSY): SyncEvent[] {
    const end = Math.min(this.items.length, this.head + max + LOOKAHEAD);
    const settledBefore = this.options.now() - this.options.settleMs;
    this.settlesAt = undefined;
    // Entries still settling, passed over: a later entry inside one of them must wait for it.
    let settling: BusyPaths | undefined;
    const taken: number[] = [];
    for (let i = this.head; i < end && taken.length < max; i++) {
      const candidate = this.items[i]!;
      if (candidate.at > settledBefore) {
        this.settlesAt ??= candidate.at + this.options.settleMs;
        const ready = burstEnded(candidate.event) && !settling?.blocks(candidate.event);
        if (!ready) {
          settling ??= new BusyPaths();
          settling.add([candidate.event]);
          if (settling.size >= SETTLING_LOOKAHEAD) break;
          continue;
        }
      }
      if (candidate.event.kind === 'full') {
        if (taken.length === 0 && !busy.blocks(candidate.event)) taken.push(i);
        break;
      }
      if (!busy.blocks(candidate.event)) taken.push(i);
    }
    return this.remove(taken);
  }

  /** Removes the entries at these ascending indices and returns their events. */
  private remove(indices: readonly number[]): SyncEvent[] {
    const events = indices.map((i) => this.items[i]!.event);
    if (indices.length === 0) return events;
    if (indices[indices.length - 1] === this.head + indices.length - 1) {
      this.head += indices.length;
      if (this.head > 1024 && this.head * 2 > this.items.length) this.compact();
    } else {
      const gone = new Set(indices);
      this.items = this.items.filter((_, i) => i >= this.head && !gone.has(i));
      this.head = 0;
    }
    return events;
  }

  /**
   * When the last take() found nothing because an event was still settling: the milliseconds
   * until it has (at least 1). Undefined otherwise, including when only conflicts held events back,
   * since the end of a running event frees those.
   */
  untilSettled(): number | undefined {
    return this.settlesAt === undefined ? undefined : Math.max(1, this.settlesAt - this.options.now());
  }

  /** Everything still queued, oldest first; the queue is left empty (used when stopping). */
  drain(): SyncEvent[] {
    const rest = this.live().map((e) => e.event);
    this.items = [];
    this.head = 0;
    return rest;
  }

  private live(): Entry[] {
    return this.items.slice(this.head);
  }

  private compact(): void {
    this.items = this.live();
    this.head = 0;
  }
}
