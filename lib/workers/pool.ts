/**
 * `-n` workers taking events from the queue, oldest first. Events on the same path (or one inside
 * the other) never run at the same time, so a delete cannot overtake the sync queued before it.
 */
import type { SyncEvent } from '../events/types';
import type { EventQueue } from '../queue/queue';

export type EventHandler = (event: SyncEvent) => Promise<void>;

export class WorkerPool {
  private readonly active: SyncEvent[] = [];
  private stopped = false;
  private idleWaiters: Array<() => void> = [];
  private settleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly queue: EventQueue,
    private readonly threads: number,
    private readonly handle: EventHandler,
    private readonly onError: (error: unknown, event: SyncEvent) => void,
  ) {}

  get inFlight(): number {
    return this.active.length;
  }

  /** The events running now. */
  running(): readonly SyncEvent[] {
    return [...this.active];
  }

  /** Starts as many queued events as there are free workers. Call after every push. */
  kick(): void {
    while (!this.stopped && this.active.length < this.threads) {
      const event = this.queue.take(this.active);
      if (!event) break;
      this.start(event);
    }
    // Events still settling get another look once they have.
    const wait = this.queue.untilSettled();
    if (!this.stopped && wait !== undefined && !this.settleTimer && this.active.length < this.threads) {
      this.settleTimer = setTimeout(() => {
        this.settleTimer = undefined;
        this.kick();
      }, Math.ceil(wait));
    }
    if (this.active.length === 0) this.notifyIdle();
  }

  private start(event: SyncEvent): void {
    this.active.push(event);
    this.handle(event)
      .catch((error: unknown) => this.onError(error, event))
      .finally(() => {
        this.active.splice(this.active.indexOf(event), 1);
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
    if (this.active.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
