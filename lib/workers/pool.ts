/**
 * `-n` workers taking events from the queue, oldest first. Events on the same path (or one inside
 * the other) never run at the same time, so a delete cannot overtake the sync queued before it.
 * A worker takes one event at a time (sersync2's way), or with `batchSize` > 1 up to that many
 * settled events at once, which batch mode turns into one rsync per remote.
 */
import type { SyncEvent } from '../events/types';
import type { EventQueue } from '../queue/queue';

/** Handles one job: a single event, or a batch of path events. */
export type EventHandler = (events: readonly SyncEvent[]) => Promise<void>;

export class WorkerPool {
  private readonly jobs = new Set<readonly SyncEvent[]>();
  private stopped = false;
  private idleWaiters: Array<() => void> = [];
  private settleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly queue: EventQueue,
    private readonly threads: number,
    private readonly handle: EventHandler,
    private readonly onError: (error: unknown, events: readonly SyncEvent[]) => void,
    private readonly batchSize = 1,
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
    while (!this.stopped && this.jobs.size < this.threads) {
      const job = this.takeJob();
      if (job.length === 0) break;
      this.start(job);
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

  /** A full sync always runs alone; path events are gathered up to batchSize. */
  private takeJob(): SyncEvent[] {
    const busy = this.running();
    const job: SyncEvent[] = [];
    while (job.length < this.batchSize) {
      const event = this.queue.take(busy, job.length > 0);
      if (!event) break;
      if (event.kind === 'full') return [event];
      job.push(event);
    }
    return job;
  }

  private start(job: readonly SyncEvent[]): void {
    this.jobs.add(job);
    this.handle(job)
      .catch((error: unknown) => this.onError(error, job))
      .finally(() => {
        this.jobs.delete(job);
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
