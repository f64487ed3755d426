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
 * among `parallel` rsyncs instead. A large file (`isLarge`) taken with a batch becomes a job of
 * its own beside it while workers are free: a big upload never holds up the small files behind it.
 */
import type { SyncEvent } from '../events/types';
import type { PathName } from '../paths';
import { BusyPaths } from '../queue/busyPaths';
import type { EventQueue } from '../queue/queue';

/** Handles one job: a single event, or a batch of path events. */
export type EventHandler = (events: readonly SyncEvent[]) => Promise<void>;

/** Files this large get an rsync of their own in batch mode, so they never hold up the small ones. */
export const LARGE_FILE_BYTES = 8 * 1024 * 1024;

/** The batch-mode rule: a sync of a file of LARGE_FILE_BYTES or more; `sizeOf` reads a relative path's size. */
export function largeFiles(sizeOf: (path: PathName) => number): (event: SyncEvent) => boolean {
  return (e) => e.kind === 'sync' && !e.isDir && sizeOf(e.path) >= LARGE_FILE_BYTES;
}

/** Fewest changes in each part of a split batch: below that, one more rsync's start-up outweighs the gain. */
const SPLIT_BATCH_MIN = 500;

export interface BatchOptions {
  /** Most events in one batch. */
  readonly maxPaths: number;
  /** Most rsyncs (per remote) that one big batch of changes is split among. */
  readonly parallel: number;
  /** Files sent apart from their batch. */
  readonly isLarge: (event: SyncEvent) => boolean;
}

export class WorkerPool {
  private readonly jobs = new Set<readonly SyncEvent[]>();
  private readonly busy = new BusyPaths();
  /** The jobs of the running batch (not a large file alone, not a full sync). */
  private readonly batches = new Set<readonly SyncEvent[]>();
  private stopped = false;
  private idleWaiters: Array<() => void> = [];
  private settleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly queue: EventQueue,
    private readonly threads: number,
    private readonly handle: EventHandler,
    private readonly onError: (error: unknown, events: readonly SyncEvent[]) => void,
    private readonly batch?: BatchOptions,
  ) {}

  /** Jobs running now. */
  get inFlight(): number {
    return this.jobs.size;
  }

  /** The events running now. */
  running(): SyncEvent[] {
    return [...this.jobs].flat();
  }

  /** Starts as many queued events as there are free workers. Call after every push. */
  kick(): void {
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

  /** A worker is free, and in batch mode no batch is running. */
  private mayTake(): boolean {
    return !this.stopped && this.jobs.size < this.threads && !(this.batch && this.batches.size > 0);
  }

  /** Takes and starts the next job (with its large files beside it); false when none could start. */
  private takeJobs(): boolean {
    const batch = this.batch;
    if (!batch) {
      const event = this.queue.take(this.busy);
      if (event) this.start([event]);
      return event !== undefined;
    }
    const events = this.queue.takeUpTo(batch.maxPaths, this.busy);
    if (events.length === 0) return false;
    if (events[0]!.kind === 'full') {
      this.start(events);
      return true;
    }
    let free = this.threads - this.jobs.size - 1;
    const listed = events.filter((event) => {
      if (free <= 0 || !batch.isLarge(event)) return true;
      free--;
      this.start([event]);
      return false;
    });
    for (const part of this.split(listed)) this.start(part, true);
    return true;
  }

  /**
   * A big batch of changes alone is split among up to `parallel` rsyncs: the receiving side of
   * one rsync is one process, so two of them use two cores. Batches with deletes stay whole
   * (their `--delete` must not race a separate sync inside a deleted directory).
   */
  private split(listed: SyncEvent[]): SyncEvent[][] {
    const parts = Math.min(this.batch!.parallel, this.threads - this.jobs.size, Math.floor(listed.length / SPLIT_BATCH_MIN));
    if (listed.length === 0) return [];
    if (parts < 2 || listed.some((e) => e.kind !== 'sync')) return [listed];
    const size = Math.ceil(listed.length / parts);
    return Array.from({ length: parts }, (_, i) => listed.slice(i * size, (i + 1) * size)).filter((part) => part.length > 0);
  }

  private start(job: readonly SyncEvent[], isBatch = false): void {
    this.jobs.add(job);
    if (isBatch) this.batches.add(job);
    this.busy.add(job);
    this.handle(job)
      .catch((error: unknown) => this.onError(error, job))
      .finally(() => {
        this.jobs.delete(job);
        this.batches.delete(job);
        this.busy.remove(job);
        this.kick();
      });
  }

  /** Stops starting new events; what is queued stays in the queue. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.settleTimer);
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
