/**
 * The watcher's work in order, one task after the other, in slices of the event loop. A task is a
 * generator that yields where it may pause; it runs until it ends or SLICE_MS have passed, then
 * goes on from setImmediate. A small task ends inside the call that pushed it (a read's new
 * directories are watched when handleBatch returns); a big walk hands the loop back every few
 * milliseconds, so timers, signals and sockets are served. Kernel reads that come meanwhile wait
 * their turn behind it, each pushed as a task: nothing is lost, and nothing overtakes the walk.
 * A step may also yield a promise (work on a libuv thread): the task, and every task behind it,
 * waits for it to settle, then goes on from setImmediate.
 */
import { performance } from 'node:perf_hooks';

/** How long a slice may hold the event loop: one step (a directory read) may overrun it. */
export const SLICE_MS = 10;

/** What a task's step yields: nothing (it may pause here), or a promise to wait for; it never rejects (see Pending). */
export type Step = void | Promise<void>;

/** A promise a task waits for: it yields `done`, then takes `value()` (which throws what the promise rejected with). */
export class Pending<T> {
  readonly done: Promise<void>;
  private outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;

  constructor(promise: Promise<T>) {
    this.done = promise.then(
      (value) => {
        this.outcome = { ok: true, value };
      },
      (error: unknown) => {
        this.outcome = { ok: false, error };
      },
    );
  }

  value(): T {
    const outcome = this.outcome;
    if (!outcome) throw new Error('Pending.value() before the promise settled');
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }
}

interface Task {
  readonly steps: Iterator<Step, void>;
  /** Called once, when the task ended, threw (`error`), or was dropped by clear(). */
  readonly settle: ((error?: unknown) => void) | undefined;
}

export class Slices {
  private tasks: Task[] = [];
  private running = false;
  private scheduled: NodeJS.Immediate | undefined;
  /** What the task under way waits for. */
  private waiting: Promise<void> | undefined;

  /** Queues a task; runs it at once when nothing is under way. A task that throws with no `settle` throws out of the slice it ran in. */
  push(steps: Iterator<Step, void>, settle?: (error?: unknown) => void): void {
    this.tasks.push({ steps, settle });
    if (!this.running && !this.scheduled && !this.waiting) this.run();
  }

  /** Drops every task, the one under way too (it is not resumed); each one's settle is called. */
  clear(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    this.waiting = undefined;
    const dropped = this.tasks;
    this.tasks = [];
    for (const task of dropped) task.settle?.();
  }

  private run(): void {
    this.scheduled = undefined;
    this.running = true;
    const until = performance.now() + SLICE_MS;
    try {
      for (let task = this.tasks[0]; task; task = this.tasks[0]) {
        let step: IteratorResult<Step, void>;
        try {
          step = task.steps.next();
        } catch (error) {
          if (this.tasks[0] === task) this.tasks.shift();
          if (!task.settle) {
            this.resumeLater();
            throw error;
          }
          task.settle(error);
          continue;
        }
        if (this.tasks[0] !== task) continue; // cleared by the step itself (the watcher closed)
        if (!step.done && step.value instanceof Promise) {
          this.wait(step.value);
          return;
        }
        if (step.done) {
          this.tasks.shift();
          task.settle?.();
        } else if (performance.now() >= until) {
          this.resumeLater();
          return;
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** Goes on once `promise` settles, unless clear() came first. */
  private wait(promise: Promise<void>): void {
    this.waiting = promise;
    void promise.then(() => {
      if (this.waiting !== promise) return;
      this.waiting = undefined;
      this.resumeLater();
    });
  }

  private resumeLater(): void {
    if (this.tasks.length > 0 && !this.scheduled) this.scheduled = setImmediate(() => this.run());
  }
}
