/**
 * SIGTERM or SIGINT: stop taking events, write what is queued to the fail log, let what runs
 * finish, exit 0. A second one: what is still running goes to the fail log, exit 1 at once.
 * Started last: a stop signal that came during start-up is handed over here and stops at once.
 */
import { render } from '../../command/model';
import { commandsFor } from '../../dispatch/plan';
import { failLogEntry } from '../../failLog/file';
import type { DaemonContext } from '../context';
import type { StopSignal } from '../signals';
import type { Behaviour } from './behaviour';

export class Shutdown implements Behaviour {
  readonly name = 'shutdown';

  /** `stopBehaviours` stops the other behaviours (timers, watches), the last started first. */
  constructor(private readonly stopBehaviours: () => Promise<void>) {}

  start(ctx: DaemonContext): void {
    ctx.signals.onStop((signal, again) => void (again ? this.leave(ctx, signal) : this.graceful(ctx, signal)));
  }

  private leave(ctx: DaemonContext, signal: StopSignal): void {
    const { rsync } = ctx;
    ctx.log.warn(`${signal} again: leaving now; what was running is in the fail log`);
    if (rsync) ctx.failLog.append(commandsFor(rsync, ctx.pool.running()).map((c) => failLogEntry('running at shutdown', render(c))));
    ctx.exit(1);
  }

  private async graceful(ctx: DaemonContext, signal: StopSignal): Promise<void> {
    const { log, pool, failures, failLog, rsync } = ctx;
    ctx.stopping = true;
    log.info(`${signal}: stopping; finishing ${pool.inFlight} running events`);
    await this.stopBehaviours();
    pool.stop();
    const queued = ctx.queue.drain();
    if (rsync) failLog.append(commandsFor(rsync, queued).map((c) => failLogEntry('queued at shutdown', render(c))));
    if (queued.length) log.info(`${queued.length} queued events written to ${failLog.path}`);
    await pool.idle();
    await failures.idle();
    await ctx.plugin?.idle();
    failures.flush('retry pending at shutdown');
    await ctx.status.stop();
    log.info('stopped');
    ctx.exit(0);
  }
}
