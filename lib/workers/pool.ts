/**
 * `-n` workers taking events from the queue, oldest first. Events on the same path (or one inside
 * the other) never run at the same time, so a delete cannot overtake the sync queued before it.
 * A worker takes one event at a time (sersync2's way).
 *
 * In batch mode one batch runs at a time, as in lsyncd: up to `maxPaths` settled events, which
 * the handler turns into a few rsyncs per remote, while everything that arrives meanwhile
 * gathers into the next one. A batch rsync is CPU-bound on both ends (with TCP_NODELAY it waits
 * on nothing else), so two small batches at once only slow each other and whatever writes the
 * files (measured: a storm took twice the rsync runs and CPU); a big batch of changes is split
 * among `parallel` rsyncs instead. A large file taken with a batch becomes a job of its own beside
 * it while workers are free: a big upload never holds up the small files behind it. The sizes are
 * read off the event loop (`findLarge`) while the batch already counts as running.
 *
 * The pool starts work when the queue says something was pushed (once per turn of the event
 * loop, so the events of one read merge first), and when a job ends. With other instances in the
 * process (`share`), it may be held to one job at a time while one of them clears a short
 * backlog (lib/workers/share.ts).
 */
import type { PathEvent, SyncEvent } from '../events/types';
import { BusyPaths } from '../queue/busyPaths';
import type { EventQueue, Taken } from '../queue/queue';
import type { WorkShare, Seat } from './share';

/** Handles one job: a single event, or a batch of path events; `covered`: events its commands cover, for the plugin. */
export type EventHandler = (events: readonly SyncEvent[], covered: readonly PathEvent[]) => Promise<void>;

/** Fewest changes in each part of a split batch: below that, one more rsync's start-up outweighs the gain. */
const SPLIT_BATCH_MIN = 500;

export interface BatchOptions {
  /** Most events in one batch. */
  readonly maxPaths: number;
  /** Most rsyncs (per remote) that one big batch of changes is split among. */
  readonly parallel: number;
  /** The events of a batch that are syncs of large files, to be sent apart (lib/workers/largeFiles.ts). */
  readonly findLarge: (events: readonly SyncEvent[]) => Promise<ReadonlySet<SyncEvent>>;
}

const NO_COVERED: readonly PathEvent[] = [];

export class WorkerPool {
  private readonly jobs = new Set<readonly SyncEvent[]>();
  private readonly busy = new BusyPaths();
  /** The jobs of the running batch (not a large file alone, not a full sync), and a batch whose sizes are being read. */
  private readonly batches = new Set<readonly SyncEvent[]>();
  private stopped = false;
  private woken = false;
  private idleWaiters: Array<() => void> = [];
  private settleTimer: NodeJS.Timeout | undefined;
  private readonly seat: Seat | undefined;

  constructor(
    private readonly queue: EventQueue,
    private readonly threads: number,
    private readonly handle: EventHandler,
    private readonly onError: (error: unknown, events: readonly SyncEvent[]) => void,
    private readonly batch?: BatchOptions,
    share?: WorkShare,
  ) {
    queue.onPush(() => this.wake());
    this.seat = share?.join(threads, () => queue.length + this.jobs.size, () => this.wake());
  }

  /** Jobs running now. */
  get inFlight(): number {
    return this.jobs.size;
  }

  /** Seconds the share has held this pool, so that another config's shorter backlog went first; 0 alone in its process. */
  get heldSeconds(): number {
    return this.seat?.heldSeconds() ?? 0;
  }

  /** The events running now. */
  running(): SyncEvent[] {
    return [...this.jobs].flat();
  }

  /** Looks at the queue once the current turn's pushes are done. */
  private wake(): void {
    if (this.woken || this.stopped) return;
    this.woken = true;
    queueMicrotask(() => {
      this.woken = false;
      this.kick();
    });
  }

  /** Starts as many queued events as there are free workers. */
  private kick(): void {
    while (this.mayTake() && this.takeJobs()) {
      // each round started at least one job
    }
    // Events still settling get another look once they have. While a batch runs, its end looks.
    const wait = this.queue.untilSettled();
    if (this.mayTake() && wait !== undefined && !this.settleTimer) {
      this.settleTimer = setTimeout(() => {
        this.settleTimer = undefined;
        this.kick();
      }, Math.ceil(wait));
    }
    if (this.jobs.size === 0) this.notifyIdle();
  }

  /** Workers free now: of `-n`, or of one while the share holds this pool. */
  private free(): number {
    return (this.seat ? this.seat.allowed() : this.threads) - this.jobs.size;
  }

  /** A worker is free, and in batch mode no batch is running. */
  private mayTake(): boolean {
    return !this.stopped && !(this.batch && this.batches.size > 0) && this.free() > 0;
  }

  /** Takes and starts the next job (with its large files beside it); false when none could start. */
  private takeJobs(): boolean {
    const batch = this.batch;
    const taken = this.queue.takeUpTo(batch ? batch.maxPaths : 1, this.busy);
    if (taken.events.length === 0) return false;
    if (!batch || taken.events[0]!.kind === 'full') this.start(taken.events, taken.covered);
    else if (this.free() > 1) this.sendLargeApart(batch, taken);
    else this.startBatch(taken.events, taken.covered);
    return true;
  }

  /**
   * Reads the batch's file sizes off the event loop, then starts its large files as jobs of
   * their own while workers are free, and the rest as the batch. Meanwhile the batch counts as
   * running, so nothing it conflicts with starts and no second batch is taken.
   */
  private sendLargeApart(batch: BatchOptions, taken: Taken): void {
    const reserved = taken.events;
    this.reserve(reserved, true);
    void batch
      .findLarge(reserved)
      .catch(() => new Set<SyncEvent>())
      .then((large) => {
        this.unreserve(reserved);
        let free = this.free() - 1;
        const listed = reserved.filter((event) => {
          if (free <= 0 || !large.has(event)) return true;
          free--;
          this.start([event], NO_COVERED);
          return false;
        });
        this.startBatch(listed, taken.covered);
        // What came while the sizes were read may start now (a large file alone leaves no batch running).
        this.kick();
      });
  }

  private startBatch(listed: readonly SyncEvent[], covered: readonly PathEvent[]): void {
    for (const [i, part] of this.split(listed).entries()) this.start(part, i === 0 ? covered : NO_COVERED, true);
  }

  /**
   * A big batch of changes alone is split among up to `parallel` rsyncs: the receiving side of
   * one rsync is one process, so two of them use two cores. Batches with deletes stay whole
   * (their `--delete` must not race a separate sync inside a deleted directory).
   */
  private split(listed: readonly SyncEvent[]): (readonly SyncEvent[])[] {
    const parts = Math.min(this.batch!.parallel, this.free(), Math.floor(listed.length / SPLIT_BATCH_MIN));
    if (listed.length === 0) return [];
    if (parts < 2 || listed.some((e) => e.kind !== 'sync')) return [listed];
    const size = Math.ceil(listed.length / parts);
    return Array.from({ length: parts }, (_, i) => listed.slice(i * size, (i + 1) * size)).filter((part) => part.length > 0);
  }

  private reserve(job: readonly SyncEvent[], isBatch: boolean): void {
    this.jobs.add(job);
    if (isBatch) this.batches.add(job);
    this.busy.add(job);
    this.seat?.set(this.jobs.size);
  }

  private unreserve(job: readonly SyncEvent[]): void {
    this.jobs.delete(job);
    this.batches.delete(job);
    this.busy.remove(job);
    this.seat?.set(this.jobs.size);
  }

  private start(job: readonly SyncEvent[], covered: readonly PathEvent[], isBatch = false): void {
    this.reserve(job, isBatch);
    this.handle(job, covered)
      .catch((error: unknown) => this.onError(error, job))
      .finally(() => {
        this.unreserve(job);
        this.queue.release(job);
        this.kick();
      });
  }

  /**
   * Runs `work` as a job of these events beside the handler's (the `-r` full sync, whose commands
   * the start-up runs itself): nothing it conflicts with starts meanwhile, as for any job.
   */
  async runAs<T>(job: readonly SyncEvent[], work: () => Promise<T>): Promise<T> {
    this.reserve(job, false);
    try {
      return await work();
    } finally {
      this.unreserve(job);
      this.queue.release(job);
      this.kick();
    }
  }

  /** Stops starting new events; what is queued stays in the queue. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.settleTimer);
    this.seat?.leave();
  }

  /** Resolves once no event is running (immediately when none is). */
  idle(): Promise<void> {
    if (this.jobs.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
