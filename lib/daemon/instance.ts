/**
 * One config file running: its parts (parts.ts), its watcher (watch.ts) and its behaviours, all
 * in a scope of its own, so that it starts, stops and is replaced without touching the process's
 * other configs. Its log lines carry its name when the process runs several.
 */
import type { LoadedConfig } from '../config/types';
import { failLogKey } from '../failLog/file';
import type { Logger } from '../log/logger';
import type { InstanceStatus } from '../status/instance';
import { configLines, threadLines } from './banner';
import { Behaviours } from './behaviours/behaviour';
import { Crontab } from './behaviours/crontab';
import { FailLogPeriod } from './behaviours/failLogPeriod';
import { FullSyncAtStart } from './behaviours/fullSyncAtStart';
import { Ready } from './behaviours/ready';
import { StatusWriter } from './behaviours/statusWriter';
import { UnwatchedReport } from './behaviours/unwatchedReport';
import { WatchSetup } from './behaviours/watchSetup';
import type { DaemonContext } from './context';
import { writeRunning } from './leftovers';
import { openParts, type ProcessShare } from './parts';
import { Scope } from './scope';
import { openWatcher } from './watch';

/** A config file as it was read: what a reload compares. */
export interface ConfigSource {
  readonly file: string;
  /** Its name in logs, the status file and the metrics (instanceName.ts). */
  readonly name: string;
  readonly bytes: Buffer;
}

export class Instance {
  private ctx: DaemonContext | undefined;
  /** Which file its fail log is (failLogKey): configs that share one are told apart by it. */
  readonly failLogKey: string;

  constructor(
    readonly source: ConfigSource,
    private readonly loaded: LoadedConfig,
    private readonly share: ProcessShare,
    readonly log: Logger,
    private readonly scope: Scope = new Scope(),
  ) {
    this.failLogKey = failLogKey(loaded.config.sersync.failLog.path);
  }

  /** Its parts, once opened. */
  get context(): DaemonContext | undefined {
    return this.ctx;
  }

  /** Opens and starts everything; a failure closes what was opened and is thrown. */
  async start(): Promise<void> {
    try {
      await this.open();
    } catch (error) {
      await this.hurry();
      throw error;
    }
  }

  private async open(): Promise<void> {
    const { share, log, source } = this;
    const { options } = share;
    const { config, warnings } = this.loaded;
    for (const line of configLines(options, config, source.file)) log.info(line);
    for (const warning of warnings) log.warn(warning);
    const parts = openParts(share, source.name, config, source.file, log, this.scope);
    if (options.plugin) log.info(`start ${options.plugin} interface`);
    else for (const line of threadLines(options.threads, config.sersync.localpath.remotes.length)) log.info(line);

    const setup = new WatchSetup();
    const report = new UnwatchedReport(() => setup.watchedSoFar);
    const watcher = openWatcher(parts, this.scope, { unwatched: (path, code) => report.unwatched(path, code), progress: (count) => setup.progress(count) });
    this.ctx = Object.assign(parts, { watcher });
    // In this order; the stop (the scope's close) stops them backwards, in its first phase. The report
    // listens before the first watch is added.
    await new Behaviours(this.scope).start([report, setup, new FullSyncAtStart(), new Crontab(), new FailLogPeriod(), new StatusWriter(() => report.count), new Ready()], this.ctx);
  }

  /** The SIGHUP line: what it watches, holds, runs and retries. */
  infoLine(): string {
    const ctx = this.ctx;
    if (!ctx) return 'SIGHUP: starting';
    return `SIGHUP: ${ctx.watcher.watchCount} watches, ${ctx.queue.length} queued, ${ctx.pool.inFlight} running, ${ctx.failures.backlog} waiting for retry`;
  }

  /** Its share of the status file and the metrics, once its parts are open. */
  get status(): InstanceStatus | undefined {
    return this.ctx?.status;
  }

  /** The graceful stop: no new events, what runs finishes, what is queued goes to the fail log. */
  close(): Promise<Error[]> {
    return this.scope.close();
  }

  /** Stops at once: what is running goes to the fail log too. */
  leaveNow(): Promise<Error[]> {
    try {
      if (this.ctx) writeRunning(this.ctx.pool.running(), this.ctx.rsync, this.ctx.failLog);
    } catch (error) {
      this.log.error(`cannot write the running commands to ${this.ctx!.failLog.path}: ${(error as Error).message}`);
    }
    return this.hurry();
  }

  /** Stops at once, not waiting for what runs (its part already wrote it down: a start-up left half-way). */
  hurry(): Promise<Error[]> {
    return this.scope.leaveNow();
  }
}
