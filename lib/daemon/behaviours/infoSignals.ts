/** SIGUSR1 writes the status file now; SIGHUP logs the counts (the config is not reloaded, as sersync2). */
import type { DaemonContext } from '../context';
import type { Behaviour } from './behaviour';

export class InfoSignals implements Behaviour {
  readonly name = 'SIGUSR1 and SIGHUP';

  start(ctx: DaemonContext): void {
    const { log, status, watcher, queue, pool, failures } = ctx;
    ctx.signals.onInfo('SIGUSR1', () => (status.writeNow() ? log.debug(`SIGUSR1: status written to ${status.file}`) : status.file === undefined && log.info('SIGUSR1: no status file (start with --status-file FILE)')));
    ctx.signals.onInfo('SIGHUP', () => log.info(`SIGHUP: ${watcher.watchCount} watches, ${queue.length} queued, ${pool.inFlight} running, ${failures.backlog} waiting for retry (the config is not reloaded; restart to apply changes)`));
  }
  // No stop: the handlers go with the scope's signal handlers.
}
