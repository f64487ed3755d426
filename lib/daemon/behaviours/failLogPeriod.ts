/** `<failLog timeToExecute>`: the fail log run again every so many minutes (not with -m: no fail log). */
import type { DaemonContext } from '../context';
import type { Behaviour } from './behaviour';

export class FailLogPeriod implements Behaviour {
  readonly name = 'fail-log period';

  start(ctx: DaemonContext): void {
    if (!ctx.options.plugin) ctx.failures.start();
  }
  // No stop: the retries are stopped, waited for and flushed by their own steps in the scope (parts.ts).
}
