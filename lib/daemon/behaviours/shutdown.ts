/**
 * SIGTERM or SIGINT: the scope's close (stop taking events, let what runs finish, write what is
 * queued to the fail log, the last status write), then exit 0. A second one: what is still running
 * goes to the fail log, the close stops waiting for it, exit 1 at once.
 * Started last: a stop signal that came during start-up is handed over here and stops at once.
 */
import type { DaemonContext } from '../context';
import { writeRunning } from '../leftovers';
import type { Scope } from '../scope';
import type { StopSignal } from '../signals';
import type { Behaviour } from './behaviour';

export class Shutdown implements Behaviour {
  readonly name = 'shutdown';

  /** `scope` holds every part of the daemon: its close is the stop. */
  constructor(private readonly scope: Scope) {}

  start(ctx: DaemonContext): void {
    ctx.signals.onStop((signal, again) => void (again ? this.leave(ctx, signal) : this.graceful(ctx, signal)));
  }

  private leave(ctx: DaemonContext, signal: StopSignal): void {
    ctx.log.warn(`${signal} again: leaving now; what was running is in the fail log`);
    writeRunning(ctx.pool.running(), ctx.rsync, ctx.failLog);
    void this.scope.leaveNow();
    ctx.exit(1);
  }

  private async graceful(ctx: DaemonContext, signal: StopSignal): Promise<void> {
    ctx.log.info(`${signal}: stopping; finishing ${ctx.pool.inFlight} running events`);
    // Its errors are logged where the daemon ends (run.ts), which awaits the same close.
    await this.scope.close();
    if (ctx.exited) return;
    ctx.log.info('stopped');
    ctx.exit(0);
  }
}
