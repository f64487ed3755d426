/** The status file and the metrics file, written from when the watches are in place (the real watch count) on. */
import type { DaemonContext } from '../context';
import type { Behaviour } from './behaviour';

export class StatusWriter implements Behaviour {
  readonly name = 'status writer';

  /** `unwatched` counts the directories the watches could not cover. */
  constructor(private readonly unwatched: () => number) {}

  start(ctx: DaemonContext): void {
    const { options, queue, pool, failures, failLog } = ctx;
    ctx.status.start({ watches: () => ctx.watcher.watchCount, unwatched: this.unwatched, queued: () => queue.length, inFlight: () => pool.inFlight, retryBacklog: () => failures.backlog, heldSeconds: () => pool.heldSeconds, failLogPath: options.plugin ? undefined : failLog.path });
  }
  // No stop: the last write comes once the stop has drained everything (DaemonStatus.stop, also in the scope).
}
