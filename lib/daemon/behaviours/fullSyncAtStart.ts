/**
 * `-r`: one full sync to every remote, after the watches are in place so nothing is missed
 * meanwhile; the events of that time wait for it, as for any running full sync. A second stop
 * signal abandons it: its commands go to the fail log, exit 1.
 */
import { type RsyncCommand, render } from '../../command/model';
import { failLogEntry } from '../../failLog/file';
import { ProgressLine } from '../../progress/line';
import { rsyncCommands } from '../../rsync/command';
import { succeeded } from '../../runner/result';
import type { DaemonContext } from '../context';
import type { Behaviour } from './behaviour';

export class FullSyncAtStart implements Behaviour {
  readonly name = '-r full sync';

  async start(ctx: DaemonContext): Promise<void> {
    const { options, config, log, rsync } = ctx;
    if (!options.fullSyncAtStart || !rsync) return;
    if (config.filter.enabled) {
      log.info('************************attention***********************************');
      log.info('you set the filter so the "-r " can not work');
      return;
    }
    const commands = rsyncCommands(rsync.settings, rsync.remotes, { kind: 'full' });
    // A job of the pool, so that no event's command overlaps it: an older transfer must never land last.
    const running = ctx.pool.runAs([{ kind: 'full', reason: 'start' }], () => this.run(ctx, commands));
    const left = await Promise.race([running.then(() => false), ctx.signals.secondStop().then(() => true)]);
    if (left) {
      ctx.failLog.append(commands.map((c) => failLogEntry('running at shutdown', render(c))));
      ctx.exit(1);
    }
  }

  private async run(ctx: DaemonContext, commands: readonly RsyncCommand[]): Promise<void> {
    const { log, status } = ctx;
    log.info('------------------------------------------');
    log.info('rsync the directory recursivly to the remote servers once');
    log.info('working please wait...');
    let done = 0;
    const running = Promise.all(
      commands.map(async (command) => {
        log.info(`execute command: ${render(command)}`);
        const result = await ctx.runner.run(command);
        done++;
        // The result names its remote: the status counts it there, and a failure is retried in that remote's lane.
        status.recordResult(result);
        if (!succeeded(result)) ctx.failures.failed(result);
      }),
    );
    // Started after the command lines are printed, so they stay above the progress line.
    const progress = new ProgressLine(process.stdout, (seconds) => `full sync: ${done} of ${commands.length} remotes done, ${seconds} s`);
    progress.start();
    try {
      await running;
    } finally {
      progress.stop();
    }
    status.collector.recordFullSync('start (-r)');
  }
}
