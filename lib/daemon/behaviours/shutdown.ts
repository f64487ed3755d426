/**
 * SIGTERM or SIGINT: the process scope's close, whose first step is each config's own graceful
 * close (stop taking events, let what runs finish, write what is queued to the fail log), side by
 * side; then the last status write; exit 0. A second one: what is still running goes to the fail
 * logs, the close stops waiting for it, exit 1 at once.
 * Started last: a stop signal that came during start-up is handed over here and stops at once.
 */
import type { ProcessContext } from '../context';
import type { Scope } from '../scope';
import type { StopSignal } from '../signals';
import type { Behaviour } from './behaviour';

export class Shutdown implements Behaviour<ProcessContext> {
  readonly name = 'shutdown';

  /** `scope` holds the process's parts, the configs among them: its close is the stop. */
  constructor(private readonly scope: Scope) {}

  start(ctx: ProcessContext): void {
    ctx.signals.onStop((signal, again) => void (again ? this.leave(ctx, signal) : this.graceful(ctx, signal)));
  }

  private leave(ctx: ProcessContext, signal: StopSignal): void {
    ctx.log.warn(`${signal} again: leaving now; what was running is in the fail log`);
    void ctx.instances.leaveAll();
    void this.scope.leaveNow();
    ctx.exit(1);
  }

  private async graceful(ctx: ProcessContext, signal: StopSignal): Promise<void> {
    ctx.log.info(`${signal}: stopping; finishing ${ctx.instances.inFlight} running events`);
    // Its errors are logged where the daemon ends (run.ts), which awaits the same close.
    await this.scope.close();
    if (ctx.exited) return;
    ctx.log.info('stopped');
    ctx.exit(0);
  }
}
