/**
 * SIGUSR1 writes the status file now. SIGHUP logs each config's counts at once (in the order of
 * the loop, so the line follows every event read before it), then reads the config files again
 * (instances.ts: only what changed is touched).
 */
import type { ProcessContext } from '../context';
import type { Behaviour } from './behaviour';

export class InfoSignals implements Behaviour<ProcessContext> {
  readonly name = 'SIGUSR1 and SIGHUP';

  start(ctx: ProcessContext): void {
    const { log, status, instances } = ctx;
    ctx.signals.onInfo('SIGUSR1', () => (status.writeNow() ? log.debug(`SIGUSR1: status written to ${status.file}`) : status.file === undefined && log.info('SIGUSR1: no status file (start with --status-file FILE)')));
    ctx.signals.onInfo('SIGHUP', () => {
      instances.report();
      void instances.reload();
    });
  }
  // No stop: the handlers go with the scope's signal handlers.
}
