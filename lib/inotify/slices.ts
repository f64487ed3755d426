/**
 * The watcher's work in order, one task after the other, in slices of the event loop. A task is a
 * generator that yields where it may pause; it runs until it ends or SLICE_MS have passed, then
 * goes on from setImmediate. A small task ends inside the call that pushed it (a read's new
 * directories are watched when handleBatch returns); a big walk hands the loop back every few
 * milliseconds, so timers, signals and sockets are served. Kernel reads that come meanwhile wait
 * their turn behind it, each pushed as a task: nothing is lost, and nothing overtakes the walk.
 */
import { performance } from 'node:perf_hooks';

/** How long a slice may hold the event loop: one step (a directory read) may overrun it. */
export const SLICE_MS = 10;

interface Task {
  readonly steps: Iterator<void, void>;
  /** Called once, when the task ended, threw (`error`), or was dropped by clear(). */
  readonly settle: ((error?: unknown) => void) | undefined;
}

export class Slices {
  private tasks: Task[] = [];
  private running = false;
  private scheduled: NodeJS.Immediate | undefined;

  /** Queues a task; runs it at once when nothing is under way. A task that throws with no `settle` throws out of the slice it ran in. */
  push(steps: Iterator<void, void>, settle?: (error?: unknown) => void): void {
    this.tasks.push({ steps, settle });
    if (!this.running && !this.scheduled) this.run();
  }

  /** Drops every task, the one under way too (it is not resumed); each one's settle is called. */
  clear(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
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
        let done: boolean | undefined;
        try {
          done = task.steps.next().done;
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
        if (done) {
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

  private resumeLater(): void {
    if (this.tasks.length > 0 && !this.scheduled) this.scheduled = setImmediate(() => this.run());
  }
}
