/**
 * `-n` workers taking events from the queue, oldest first. Events on the same path (or one inside
 * the other) never run at the same time, so a delete cannot overtake the sync queued before it.
 * A worker takes one event at a time (sersync2's way).
 *
 * In batch mode a job is up to `maxPaths` settled events, which the handler turns into a few
 * rsyncs per remote, and at most `lanes` batches run at once: a batch rsync is CPU-bound on both
 * ends (with TCP_NODELAY it waits on nothing else), so more at once only slow each other and
 * whatever writes the files, while everything that arrives meanwhile gathers into the next batch.
 * A large file (`isLarge`) taken with a batch becomes a job of its own, beside the lanes, while
 * workers are free: a big upload never holds up the small files behind it.
 */
import type { SyncEvent } from '../events/types';
import { BusyPaths } from '../queue/busyPaths';
import type { EventQueue } from '../queue/queue';

/** Handles one job: a single event, or a batch of path events. */
export type EventHandler = (events: readonly SyncEvent[]) => Promise<void>;

export interface BatchOptions {
  /** Most events in one batch. */
  readonly maxPaths: number;
  /** Most batches running at once. */
  readonly lanes: number;
  /** Files sent apart from their batch. */
  readonly isLarge: (event: SyncEvent) => boolean;
}

export class WorkerPool {
  private readonly jobs = new Set<readonly SyncEvent[]>();
  private readonly busy = new BusyPaths();
  /** The jobs that are batches (not a large file alone, not a full sync). */
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
    while (!this.stopped && this.jobs.size < this.threads && this.takeJobs()) {
      // each round started at least one job
    }
    // Events still settling get another look once they have.
    const wait = this.queue.untilSettled();
    if (!this.stopped && wait !== undefined && !this.settleTimer && this.jobs.size < this.threads) {
      this.settleTimer = setTimeout(() => {
        this.settleTimer = undefined;
        this.kick();
      }, Math.ceil(wait));
    }
    if (this.jobs.size === 0) this.notifyIdle();
  }

  /** Takes and starts the next job (with its large files beside it); false when none could start. */
  private takeJobs(): boolean {
    const batch = this.batch;
    if (!batch) {
      const event = this.queue.take(this.busy);
      if (event) this.start([event]);
      return event !== undefined;
    }
    if (this.batches.size >= batch.lanes) return false;
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
    if (listed.length > 0) this.start(listed, true);
    return true;
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
