/**
 * The event queue with sersync2's rules:
 * - a directory delete erases every queued event under that directory;
 * - an event whose path equals one of the 10 newest queued events is dropped, and that queued
 *   event takes the new operation;
 * - workers take the oldest first.
 * Beyond sersync2 (COMPATIBILITY.md, "The queue"):
 * - it is bounded: past `maxLength` the whole queue collapses into one full sync, which covers
 *   everything it held, so memory stays bounded under any flood;
 * - an event is handed out only after `settleMs`, so the IN_CREATE, IN_MODIFY and IN_CLOSE_WRITE
 *   of one `echo > file` merge into one command, as they did in sersync2 (golden case 06); an
 *   IN_CLOSE_WRITE ends such a burst, so an entry that holds one is ready at once (the latency of a
 *   single write is one rsync, not one rsync plus the window);
 * - events on the same path, or one inside the other, are never handed out together; one that
 *   must wait for a running event is set aside under what it waits for, and comes back when that
 *   ends, so what waits never holds up unrelated paths behind it;
 * - an event that a queued, not yet started command already covers adds no command: a sync inside
 *   a directory whose recursive command is queued (`coversSubtree`), a sync or delete of a path
 *   with the same command queued; and a delete takes a queued sync of its path, whose command it
 *   covers. A command reads the disk when it starts. The event still reaches the plugin, with the
 *   command that covered it (`Taken.covered`).
 * What a push or a take costs is bounded by the path's depth, the window and the entries it
 * touches: a directory delete visits only the entries under it (lib/queue/pathIndex.ts).
 */
import type { FullSyncReason, PathEvent, SyncEvent } from '../events/types';
import { pathKey } from '../paths';
import { Aside } from './aside';
import { BusyPaths, NOTHING_BUSY, type Busy } from './busyPaths';
import { burstEnded, coverWith, type Entry, takesOver } from './entry';
import { PathIndex } from './pathIndex';

export interface QueueOptions {
  /** How many of the newest entries a new event is merged with (sersync2: 10). */
  readonly mergeWindow: number;
  /** Entries before the queue collapses into a full sync. */
  readonly maxLength: number;
  /** How long an event waits for the rest of its burst before a worker may take it. */
  readonly settleMs: number;
  /** Whether a queued event's command also syncs everything under its path (none: nothing is). */
  readonly coversSubtree?: (event: PathEvent) => boolean;
  /**
   * A queued sync that covers its subtree waits until nothing new arrived inside it for `quietMs`,
   * at most `maxMs` after it was queued (what arrives meanwhile is covered by it). None: no wait.
   */
  readonly subtreeSettle?: { readonly quietMs: number; readonly maxMs: number };
  readonly now: () => number;
}

export const QUEUE_DEFAULTS: QueueOptions = { mergeWindow: 10, maxLength: 100_000, settleMs: 3, now: () => performance.now() };

/** How many settling entries a take looks past for a ready one, so a burst costs no quadratic scan. */
const SETTLING_LOOKAHEAD = 8;

export type PushResult = 'queued' | 'merged' | 'covered' | 'collapsed';

/** What a take hands out: the events to run, and the events their commands cover (for the plugin). */
export interface Taken {
  readonly events: SyncEvent[];
  readonly covered: PathEvent[];
}

export class EventQueue {
  /** Every live entry in arrival order, with gone ones until the next compaction. */
  private items: Entry[] = [];
  /** No entry before this index is waiting. */
  private cursor = 0;
  private live = 0;
  private seq = 0;
  private readonly aside = new Aside();
  private readonly index: PathIndex<Entry>;
  private readonly options: QueueOptions;
  private listener: (() => void) | undefined;
  /** Events that were folded into a full sync because the queue was full. */
  collapsedEvents = 0;
  /** Set when the last take stopped at an event still settling: when that one will have settled. */
  private settlesAt: number | undefined;

  constructor(options: Partial<QueueOptions> = {}) {
    this.options = { ...QUEUE_DEFAULTS, ...options };
    const covers = this.options.coversSubtree;
    this.index = new PathIndex<Entry>((e) => covers !== undefined && e.event.kind !== 'full' && covers(e.event));
  }

  get length(): number {
    return this.live;
  }

  /** Called after each push that queued or changed something (the workers' pool listens). */
  onPush(listener: () => void): void {
    this.listener = listener;
  }

  push(event: SyncEvent): PushResult {
    const result = this.add(event);
    this.listener?.();
    return result;
  }

  private add(event: SyncEvent): PushResult {
    if (event.kind === 'full') return this.pushFull(event.reason);
    const key = pathKey(event.path);
    if (event.kind === 'delete' && event.isDir) for (const entry of this.index.removeUnder(key)) this.drop(entry);
    const recent = this.newestWithKey(key);
    if (recent) {
      this.replace(recent, event);
      return 'merged';
    }
    const cover = event.kind === 'sync' && this.options.coversSubtree ? this.index.coveringAncestor(key) : undefined;
    const same = cover ?? this.index.at(key).find((e) => takesOver(event, e.event));
    if (same) {
      if (same !== cover) this.replace(same, event, true);
      else this.absorb(same, event);
      return 'covered';
    }
    if (this.live >= this.options.maxLength) {
      this.collapsedEvents += this.live + 1;
      return this.pushFull('queue-full', true);
    }
    this.append(event, key);
    return 'queued';
  }

  /** The queued entry on this path among the `mergeWindow` newest, if any. */
  private newestWithKey(key: string): Entry | undefined {
    let seen = 0;
    for (let i = this.items.length - 1; i >= 0 && seen < this.options.mergeWindow; i--) {
      const entry = this.items[i]!;
      if (entry.state === 'gone') continue;
      if (entry.key === key) return entry;
      seen++;
    }
    return undefined;
  }

  /** The entry's command covers the event; a parked one waits on, within its bound. */
  private absorb(entry: Entry, event: PathEvent): void {
    coverWith(entry, event);
    const settle = this.options.subtreeSettle;
    if (settle) entry.due = Math.min(this.options.now() + settle.quietMs, entry.at + settle.maxMs);
  }

  /** The entry takes the new event; `keepOld`: the old one still reaches the plugin (beyond sersync2's window). */
  private replace(entry: Entry, event: PathEvent, keepOld = false): void {
    const before = this.index.covers(entry);
    if (keepOld && entry.event.kind !== 'full') coverWith(entry, entry.event);
    entry.event = event;
    this.index.recount(entry, before);
  }

  private append(event: SyncEvent, key: string | undefined): void {
    const at = this.options.now();
    const entry: Entry = { event, at, seq: this.seq++, key, state: 'waiting', covered: undefined, due: at };
    if (this.lingers(entry)) entry.due = at + this.options.subtreeSettle!.quietMs;
    this.items.push(entry);
    this.live++;
    if (key !== undefined) this.index.add(key, entry);
  }

  /** Whether the entry parks until its subtree is quiet: a sync whose command covers its subtree. */
  private lingers(entry: Entry): boolean {
    return this.options.subtreeSettle !== undefined && entry.event.kind === 'sync' && this.index.covers(entry);
  }

  /** Out of the queue: taken by a worker, or dropped. Its slot in `items` goes at the next compaction. */
  private drop(entry: Entry): void {
    entry.state = 'gone';
    this.live--;
  }

  private pushFull(reason: FullSyncReason, collapse = false): PushResult {
    const queuedFull = this.items.filter((e) => e.state !== 'gone' && e.event.kind === 'full');
    if (collapse || reason === 'overflow') {
      // A full sync covers every path event queued before it.
      this.items = queuedFull;
      this.live = queuedFull.length;
      this.cursor = 0;
      this.index.clear();
      this.aside.clear();
    }
    if (queuedFull.length === 0) this.append({ kind: 'full', reason }, undefined);
    return collapse ? 'collapsed' : queuedFull.length > 0 ? 'merged' : 'queued';
  }

  /**
   * Up to `max` of the oldest settled events that no running one blocks, removed from the queue
   * in one pass. An event that a running one blocks is set aside until that one ends (release).
   * A full sync is only ever taken alone, and nothing after a waiting full sync is taken before it.
   */
  takeUpTo(max: number, busy: Busy = NOTHING_BUSY): Taken {
    const now = this.options.now();
    const settledBefore = now - this.options.settleMs;
    this.settlesAt = undefined;
    this.aside.unpark(now);
    // Entries still settling, passed over: a later entry inside one of them must wait for it.
    let settling: BusyPaths | undefined;
    const taken: Entry[] = [];
    let i = this.cursor;
    while (taken.length < max) {
      while (i < this.items.length && this.items[i]!.state !== 'waiting') i++;
      const waiting = this.items[i];
      const back = this.aside.nextReleased();
      // A released entry was settled when it was set aside, and so is every older waiting one.
      const candidate = back && (!waiting || back.seq < waiting.seq) ? this.aside.popReleased()! : waiting;
      if (!candidate) break;
      if (candidate === waiting) i++;
      if (candidate.state === 'waiting' && this.lingers(candidate) && candidate.due > now) {
        this.aside.park(candidate);
        continue;
      }
      if (candidate.state === 'waiting' && candidate.at > settledBefore) {
        this.settlesAt ??= candidate.at + this.options.settleMs;
        if (!burstEnded(candidate.event) || settling?.blocks(candidate.event)) {
          settling ??= new BusyPaths();
          settling.add([candidate.event]);
          if (settling.size >= SETTLING_LOOKAHEAD) break;
          continue;
        }
      }
      const blocker = busy.blocker(candidate.event, candidate.key) ?? this.aside.parkedBlocker(candidate);
      if (candidate.event.kind === 'full') {
        if (taken.length === 0 && blocker === undefined) taken.push(candidate);
        break;
      }
      if (blocker === undefined) taken.push(candidate);
      else this.aside.hold(candidate, blocker);
    }
    this.advanceCursor();
    return this.handOut(taken);
  }

  /** The events of a job that ended: what waited on them comes back, oldest first. */
  release(events: readonly SyncEvent[]): void {
    if (this.aside.release(events)) this.listener?.();
  }

  private handOut(taken: readonly Entry[]): Taken {
    const covered: PathEvent[] = [];
    for (const entry of taken) {
      this.drop(entry);
      this.index.remove(entry);
      if (entry.covered) covered.push(...entry.covered);
    }
    return { events: taken.map((e) => e.event), covered };
  }

  private advanceCursor(): void {
    while (this.cursor < this.items.length && this.items[this.cursor]!.state !== 'waiting') this.cursor++;
    const gone = this.items.length - this.live;
    if (gone > 1024 && gone * 2 > this.items.length) {
      this.items = this.items.filter((e) => e.state !== 'gone');
      this.cursor = 0;
      this.advanceCursor();
    }
  }

  /**
   * When the last take left events that are still settling, or parked directories: the
   * milliseconds until the first of them may go (at least 1). Undefined otherwise, including when
   * only conflicts held events back, since the end of a running event frees those.
   */
  untilSettled(): number | undefined {
    const due = this.aside.nextDue();
    const at = this.settlesAt === undefined ? due : due === undefined ? this.settlesAt : Math.min(due, this.settlesAt);
    return at === undefined ? undefined : Math.max(1, at - this.options.now());
  }

  /** Everything still queued, oldest first; the queue is left empty (used when stopping). */
  drain(): SyncEvent[] {
    const rest = this.items.filter((e) => e.state !== 'gone').map((e) => e.event);
    this.items = [];
    this.live = 0;
    this.cursor = 0;
    this.index.clear();
    this.aside.clear();
    return rest;
  }
}
