/**
 * The daemon: config -> watcher -> rules -> queue -> workers -> rsync and plugins -> fail log.
 * This file only wires the parts together and owns the process lifecycle (start, -r, signals).
 */
import fs from 'node:fs';
import type { CliOptions } from '../cli/args';
import { loadConfigFile } from '../config/load';
import type { Config } from '../config/types';
import { classify, watchMask, type EventRules } from '../events/rules';
import type { SyncEvent } from '../events/types';
import { systemClock } from '../clock';
import { CrontabTimer, crontabActive } from '../crontab/timer';
import { failLogEntry, FailLogFile } from '../failLog/file';
import { Failures } from '../failLog/failures';
import { Inotify } from '../inotify/binding';
import { changeMask } from '../inotify/change';
import { Watcher } from '../inotify/watcher';
import { countDirectories, watchLimitMessage } from '../inotify/limits';
import { rootLossMessage } from '../inotify/root';
import { createLogger, flushLogs, type Logger } from '../log/logger';
import { concatPath, joinRel, type PathName } from '../paths';
import { createDelivery, PluginDispatcher, pluginWatch } from '../plugin/hook';
import { EventQueue } from '../queue/queue';
import { commandSettings, rsyncCommands } from '../rsync/command';
import { ProgressLine } from '../progress/line';
import { DaemonStatus } from '../status/daemon';
import { DryRunRunner, ShellRunner, succeeded, type CommandRunner } from '../runner/shell';
import { commandsFor, createHandler, remoteLane } from '../workers/handler';
import { largeFiles, WorkerPool } from '../workers/pool';
import { atLeast, localRsyncVersion } from '../rsync/version';
import { configLines, threadLines } from './banner';
import { detach, isDetachedChild, startupLine, tellParent } from './detach';
import { raiseKernelLimits } from './kernelLimits';
import { operatorMessage, StartError } from './errors';
import { Scope } from './scope';
import { DaemonSignals, type StopSignal } from './signals';

/** Runs until stopped by a signal; resolves to the exit code. */
export async function runDaemon(options: CliOptions, argv: readonly string[]): Promise<number> {
  // A daemon outlives the terminal or pipe it was started from: a closed stdout must not kill it.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
  if (options.daemon && !isDetachedChild()) return detach(process.argv[1]!, argv, options.logFile);
  try {
    const log = createLogger({ level: options.logLevel, file: options.logFile, configFile: options.logConfig, console: isDetachedChild() ? startupLine : undefined });
    return await new Daemon(options, log).run();
  } catch (error) {
    // With -d the waiting parent prints it (a bad --log-config too).
    tellParent({ error: operatorMessage(error) ?? `sersync2: internal error: ${(error as Error).stack}\n` });
    throw error;
  } finally {
    await flushLogs();
  }
}

class Daemon {
  /** Replaced before the first event when batch mode sets its own settling window. */
  private queue = new EventQueue();
  private stopping = false;
  /** What start-up opened: closed when run() ends, so a failed start-up leaves nothing behind. */
  private readonly scope = new Scope();

  constructor(
    private readonly options: CliOptions,
    private readonly log: Logger,
  ) {}

  async run(): Promise<number> {
    const { log } = this;
    const signals = this.scope.add('signal handlers', new DaemonSignals((signal, again) =>
      log.warn(again ? `${signal} again during start-up: leaving now` : `${signal} during start-up: stopping once the current step is done (send it again to leave now)`),
    ), (s) => s.dispose());
    try {
      return await this.start(signals);
    } finally {
      await this.scope.close();
    }
  }

  private async start(signals: DaemonSignals): Promise<number> {
    const { options, log } = this;
    const configFile = options.configFiles[0]!;
    const { config, warnings } = loadConfigFile(configFile, { checkDirectories: true, standalonePlugin: options.plugin });
    log.info('set the system param');
    // SERSYNC2_SYSCTL=0 leaves the kernel limits alone (containers with a read-only /proc/sys, tests).
    if (process.env.SERSYNC2_SYSCTL !== '0') raiseKernelLimits((message) => log.info(message));
    for (const line of configLines(options, config, configFile)) log.info(line);
    for (const warning of warnings) log.warn(warning);

    // Batch commands are long: build the debug line only when it will be written.
    const trace = (command: string) => (config.debug ? log.info(command) : log.isDebugEnabled() && log.debug(`run: ${command}`));
    const runner: CommandRunner = options.dryRun ? new DryRunRunner((command) => log.info(command)) : new ShellRunner();
    const clock = systemClock();
    const failLog = new FailLogFile(config.sersync.failLog.path);
    if (!options.plugin) {
      failLog.ensure();
      const recovered = failLog.recoverAside();
      if (recovered) log.warn(`${recovered} commands of an interrupted fail-log run were put back into ${failLog.path}`);
    }
    const requestFullSync = () => {
      this.queue.push({ kind: 'full', reason: 'recovery' });
      pool.kick();
    };
    const failures = new Failures({ runner, failLog, clock, log, timeToExecute: config.sersync.failLog.timeToExecute, requestFullSync, onRetried: (lane, ok) => status.recordRetry(lane, ok) });
    this.scope.defer('fail-log timers', () => failures.stop());
    const pluginName = options.plugin ?? (config.sersync.plugin.enabled ? config.sersync.plugin.name : undefined);
    const plugin = pluginName ? new PluginDispatcher(pluginName, createDelivery(pluginName, { config, runner, trace }), (message) => log.warn(message)) : undefined;
    const rsync = options.plugin ? undefined : { settings: commandSettings(config), remotes: config.sersync.localpath.remotes };
    const batch = !options.plugin && (options.batch || config.sersync.rsync.batch.enabled) ? config.sersync.rsync.batch : undefined;
    if (batch) {
      const version = localRsyncVersion();
      if (version && !atLeast(version, 3, 1)) throw new StartError('RSYNC_TOO_OLD', `batch mode needs rsync 3.1 or later here (for --ignore-missing-args); this rsync is ${version.text}: upgrade it, or run without --batch and <batch start="true">`);
      log.info(`batch mode: events settle for ${batch.windowMs} ms, one batch of up to ${batch.maxPaths} at a time, a big one split among ${Math.min(batch.parallel, options.threads)} rsyncs`);
      this.queue = new EventQueue({ settleMs: batch.windowMs });
    }
    const status = new DaemonStatus({ file: options.statusFile, intervalSeconds: options.statusInterval, version: packageVersion(), config: configFile, watch: config.sersync.localpath.watch, remotes: rsync ? rsync.remotes.map(remoteLane) : [], warn: (message) => log.warn(message), metricsListen: options.metricsListen, metricsFile: options.metricsFile });
    await status.openMetrics();
    this.scope.defer('status and metrics', () => status.stop());
    const handler = status.trackFullSyncs(createHandler({ rsync, runner, failures, plugin, trace, batch: batch !== undefined, onResult: status.recordResult, onSpawned: (ms) => status.collector.eventToSpawn.record(ms) }));
    const pool = new WorkerPool(this.queue, options.threads, handler, (error) => log.error(`worker: ${(error as Error).message}`), batch && { maxPaths: batch.maxPaths, parallel: batch.parallel, isLarge: largeFiles((rel) => fileSize(concatPath(config.sersync.localpath.watch, '/', rel))) });
    this.scope.defer('workers', () => pool.stop());
    // With -m, the plugin's own <localpath> is watched (sersync2's rule); otherwise <sersync><localpath>.
    const watch = options.plugin ? pluginWatch(config, options.plugin) : config.sersync.localpath.watch;
    if (pluginName && pluginWatch(config, pluginName) !== watch) log.warn(`plugin ${pluginName} reports paths under its own <localpath> ${pluginWatch(config, pluginName)}, not ${watch}`);

    if (options.plugin) log.info(`start ${options.plugin} interface`);
    else for (const line of threadLines(options.threads, config.sersync.localpath.remotes.length)) log.info(line);

    const rules: EventRules = { inotify: config.inotify, filter: config.filter, isSpecialCreation: (rel) => isSpecialCreation(watch, rel) };
    const push = (event: SyncEvent) => {
      status.recordEvent(event);
      if (this.queue.push(event) === 'collapsed') log.warn(`queue full: ${this.queue.collapsedEvents} events folded into one full sync`);
    };
    // On a terminal, big trees show how far the watch setup is; the first line after 200 ms.
    let watchedSoFar = 0;
    let unwatchedDirs = 0;
    let unwatchedOther = 0;
    let unwatchedTimer: NodeJS.Timeout | undefined;
    this.scope.defer('out-of-watches report', () => clearTimeout(unwatchedTimer));
    let setupProgress: ProgressLine | undefined = new ProgressLine(process.stdout, (seconds) => `setting up watches: ${watchedSoFar} directories, ${seconds} s`);
    const inotify = new Inotify({
      persistent: true,
      onBatch: (batch) => watcher.handleBatch(batch),
      onError: (error) => log.error(`inotify: ${error.message}`),
    });
    this.scope.defer('inotify', () => inotify.close());
    const watcher = new Watcher(inotify, {
      root: watch,
      mask: watchMask(config.inotify),
      filter: config.filter,
      xfs: config.fileSystem.xfs,
      onEvents: (events) => {
        if (this.stopping) return;
        for (const raw of events) {
          if (config.debug) log.info(`inotify name:${describe(raw.dir, raw.name)}\tmask:${changeMask(raw.change, raw.isDir)}`);
          const event = classify(rules, raw);
          if (event) push(event);
        }
        pool.kick();
      },
      onOverflow: () => {
        log.warn('inotify queue overflow: events were lost; running a full sync to every remote');
        if (!options.plugin) push({ kind: 'full', reason: 'overflow' });
        pool.kick();
      },
      onUnwatched: (path, code) => {
        if (code === 'ENOSPC') {
          // Out of watches: one summary (at once, then every 10 minutes) instead of a line per directory.
          unwatchedDirs += countDirectories(concatPath(watch, path.length ? '/' : '', path));
          if (!unwatchedTimer) {
            const report = (): void => {
              if (this.stopping) return;
              log.error(watchLimitMessage(unwatchedDirs, watchedSoFar));
              if (!options.plugin) push({ kind: 'full', reason: 'unwatched' });
              pool.kick();
              unwatchedTimer = setTimeout(report, 10 * clock.minuteMs).unref();
            };
            unwatchedTimer = setTimeout(report, 0).unref();
          }
          return;
        }
        unwatchedOther++;
        log.error(`cannot watch ${describe(watch, path)}: ${code}; a full sync covers it`);
        if (!options.plugin) push({ kind: 'full', reason: 'unwatched' });
        pool.kick();
      },
      onRootGone: (loss) => log.error(rootLossMessage(watch, loss)),
      onResync: () => {
        log.warn('the watches lost track of the tree: rebuilt from the disk; running a full sync to every remote');
        if (!options.plugin) push({ kind: 'full', reason: 'unwatched' });
        pool.kick();
      },
      onProgress: (count) => {
        watchedSoFar = count;
        setupProgress?.tick();
      },
    });

    const watched = watcher.start();
    setupProgress.finish();
    setupProgress = undefined;
    log.debug(`watching ${watched} directories`);

    if (options.fullSyncAtStart && !options.plugin) {
      if (config.filter.enabled) {
        log.info('************************attention***********************************');
        log.info('you set the filter so the "-r " can not work');
      } else {
        const commands = rsyncCommands(commandSettings(config), config.sersync.localpath.remotes, { kind: 'full' });
        const left = await Promise.race([this.fullSyncAtStart(commands, config, runner, failures.failed.bind(failures), status).then(() => false), signals.secondStop().then(() => true)]);
        if (left) {
          failLog.append(commands.map((c) => failLogEntry('running at shutdown', c)));
          return 1;
        }
      }
    }
    const crontab = config.sersync.crontab;
    const crontabTimer = !options.plugin && crontabActive(crontab, config.filter.enabled) ? new CrontabTimer(crontab.schedule, clock, () => {
      log.info('crontab: full sync of every remote');
      push({ kind: 'full', reason: 'crontab' });
      pool.kick();
    }) : undefined;
    crontabTimer?.start();
    this.scope.defer('crontab', () => crontabTimer?.stop());
    if (!options.plugin) failures.start();

    log.info('run the sersync: ');
    log.info(`watch path is: ${watch}`);
    tellParent({ ready: true });
    status.start({ watches: () => watcher.watchCount, unwatched: () => unwatchedDirs + unwatchedOther, queued: () => this.queue.length, inFlight: () => pool.inFlight, retryBacklog: () => failures.backlog, failLogPath: options.plugin ? undefined : failLog.path });
    pool.kick();

    return new Promise<number>((resolve) => {
      const stop = async (signal: StopSignal, again: boolean) => {
        if (again) {
          log.warn(`${signal} again: leaving now; what was running is in the fail log`);
          failLog.append(pool.running().flatMap((event) => commandsFor({ rsync }, event).map((c) => failLogEntry('running at shutdown', c))));
          resolve(1);
          return;
        }
        this.stopping = true;
        log.info(`${signal}: stopping; finishing ${pool.inFlight} running events`);
        crontabTimer?.stop();
        failures.stop();
        watcher.close();
        pool.stop();
        const queued = this.queue.drain();
        if (rsync) failLog.append(queued.flatMap((event) => commandsFor({ rsync }, event).map((c) => failLogEntry('queued at shutdown', c))));
        if (queued.length) log.info(`${queued.length} queued events written to ${failLog.path}`);
        await pool.idle();
        await failures.idle();
        await plugin?.idle();
        failures.flush('retry pending at shutdown');
        await status.stop();
        log.info('stopped');
        resolve(0);
      };
      signals.onInfo('SIGUSR1', () => (status.writeNow() ? log.debug(`SIGUSR1: status written to ${status.file}`) : status.file === undefined && log.info('SIGUSR1: no status file (start with --status-file FILE)')));
      signals.onInfo('SIGHUP', () => log.info(`SIGHUP: ${watcher.watchCount} watches, ${this.queue.length} queued, ${pool.inFlight} running, ${failures.backlog} waiting for retry (the config is not reloaded; restart to apply changes)`));
      // Last: a stop signal that came during start-up is handed over here and stops at once.
      signals.onStop((signal, again) => void stop(signal, again));
    });
  }

  /** `-r`: one full sync to every remote, after the watches are in place so nothing is missed meanwhile. */
  private async fullSyncAtStart(commands: readonly string[], config: Config, runner: CommandRunner, failed: (command: string, status: number) => void, status: DaemonStatus): Promise<void> {
    this.log.info('------------------------------------------');
    this.log.info('rsync the directory recursivly to the remote servers once');
    this.log.info('working please wait...');
    const remotes = config.sersync.localpath.remotes;
    let done = 0;
    const running = Promise.all(
      commands.map(async (command, i) => {
        this.log.info(`execute command: ${command}`);
        const started = performance.now();
        const result = await runner.run(command);
        done++;
        // rsyncCommands gives one command per remote, in the remotes' order.
        status.recordResult(remoteLane(remotes[i]!), succeeded(result), (performance.now() - started) / 1000);
        if (!succeeded(result)) failed(command, result);
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

/** Read here rather than from cli/main, which loads this module: no import cycle. */
function packageVersion(): string {
  return (require('../../../package.json') as { version: string }).version;
}

/** 0 for a path that is gone (no exception: in a storm most are). */
function fileSize(path: PathName): number {
  try {
    return fs.statSync(path, { throwIfNoEntry: false })?.size ?? 0;
  } catch {
    return 0;
  }
}

function describe(dir: PathName, name: PathName): string {
  const path = joinRel(dir, name);
  return typeof path === 'string' ? path : JSON.stringify(path.toString('latin1'));
}

/** A creation that will never be followed by IN_CLOSE_WRITE: a symlink, a hard link, a fifo or a device. */
function isSpecialCreation(watch: string, rel: PathName): boolean {
  try {
    const st = fs.lstatSync(concatPath(watch, '/', rel));
    return !st.isFile() || st.nlink > 1;
  } catch {
    return false;
  }
}
