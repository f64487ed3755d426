/** `<failLog timeToExecute>`: the fail log run again every so many minutes (not with -m: no fail log). */
import type { Failures } from '../../failLog/failures';
import type { DaemonContext } from '../context';
import type { Behaviour } from './behaviour';

export class FailLogPeriod implements Behaviour {
  readonly name = 'fail-log period';
  private failures: Failures | undefined;

  start(ctx: DaemonContext): void {
    this.failures = ctx.failures;
    if (!ctx.options.plugin) ctx.failures.start();
  }

  /** Also ends the retries' backoff timers: what still waits is flushed to the fail log at the end of the stop. */
  stop(): void {
    this.failures?.stop();
  }
}
