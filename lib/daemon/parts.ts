/**
 * Opens the daemon's parts in the data path's order, each registered in the scope with its closer
 * as it is opened: a failure at any step closes exactly what the steps before it opened.
 */
import type { CliOptions } from '../cli/args';
import { systemClock } from '../clock';
import type { Config } from '../config/types';
import type { SyncEvent } from '../events/types';
import { Failures } from '../failLog/failures';
import { FailLogFile } from '../failLog/file';
import type { Logger } from '../log/logger';
import { escapeControls } from '../paths';
import { createDelivery, PluginDispatcher, pluginWatch } from '../plugin/hook';
import { EventQueue } from '../queue/queue';
import { readCommand } from '../command/read';
import { commandSettings, commandSource } from '../rsync/command';
import { isRecursive } from '../rsync/params';
import { atLeast, localRsyncVersion } from '../rsync/version';
import { DryRunRunner, ShellRunner, type CommandRunner } from '../runner/shell';
import type { DaemonStatus } from '../status/daemon';
import { type Command, remoteLabel, render } from '../command/model';
import { createHandler } from '../dispatch/handler';
import { largeFileFinder } from '../workers/largeFiles';
import { WorkerPool } from '../workers/pool';
import type { WorkShare } from '../workers/share';
import type { DaemonParts } from './context';
import { fileError, StartError } from './errors';
import { writeQueued } from './leftovers';
import type { Scope } from './scope';
import type { DaemonSignals } from './signals';

/** How long a new directory's command waits for its subtree to be quiet, and at most (compat mode). */
const SUBTREE_SETTLE = { quietMs: 50, maxMs: 1000 };

/** What a config's parts share with the rest of the process. */
export interface ProcessShare {
  readonly options: CliOptions;
  readonly signals: DaemonSignals;
  /** The status file and the metrics: the instance reports there under its name. */
  readonly status: DaemonStatus;
  /** The workers of every config: a long backlog yields to a short one. */
  readonly work: WorkShare;
  /** Ends the process with this exit code; the first call wins. */
  exit(code: number): void;
  readonly exited: boolean;
}

export function openParts(share: ProcessShare, name: string, config: Config, configFile: string, log: Logger, scope: Scope): DaemonParts {
  const { options, signals } = share;
  // Batch commands are long: build the debug line only when it will be written.
  // A name's newline stays escaped in the log line (--dry-run prints the exact command: it is what would run).
  const trace = (command: Command) => (config.debug ? log.info(escapeControls(render(command))) : log.isDebugEnabled() && log.debug(`run: ${escapeControls(render(command))}`));
  const runner: CommandRunner = options.dryRun ? new DryRunRunner((command) => log.info(command)) : new ShellRunner();
  const clock = systemClock();
  const failLog = new FailLogFile(config.sersync.failLog.path);
  if (!options.plugin) openFailLog(failLog, log);
  const pluginName = options.plugin ?? (config.sersync.plugin.enabled ? config.sersync.plugin.name : undefined);
  const plugin = pluginName ? scope.add('plugin', new PluginDispatcher(pluginName, createDelivery(pluginName, { config, runner, trace }), (message) => log.warn(message)), { drain: (p) => p.idle() }) : undefined;
  const batch = !options.plugin && (options.batch || config.sersync.rsync.batch.enabled) ? config.sersync.rsync.batch : undefined;
  const rsync = options.plugin ? undefined : { settings: commandSettings(config), remotes: config.sersync.localpath.remotes, batch: batch !== undefined };
  if (batch) {
    const version = localRsyncVersion();
    if (version && !atLeast(version, 3, 1)) throw new StartError('RSYNC_TOO_OLD', `batch mode needs rsync 3.1 or later here (for --ignore-missing-args); this rsync is ${version.text}: upgrade it, or run without --batch and <batch start="true">`);
    log.info(`batch mode: events settle for ${batch.windowMs} ms, one batch of up to ${batch.maxPaths} at a time, a big one split among ${Math.min(batch.parallel, options.threads)} rsyncs`);
  }
  // Compat mode: a queued directory's recursive command covers the syncs inside it (batch lists every path),
  // and a new directory's waits for its subtree to be quiet (COMPATIBILITY.md, "The queue").
  const covers = rsync && !batch && isRecursive(rsync.settings.rsync.commonParams);
  const queue = batch ? new EventQueue({ settleMs: batch.windowMs }) : new EventQueue(covers ? { coversSubtree: (e) => e.isDir, subtreeSettle: SUBTREE_SETTLE } : {});
  const status = share.status.add(name, { config: configFile, watch: config.sersync.localpath.watch, remotes: rsync ? rsync.remotes.map(remoteLabel) : [] });
  const requestFullSync = () => queue.push({ kind: 'full', reason: 'recovery' });
  const source = rsync && commandSource(rsync.settings, rsync.remotes);
  const readBack = source && ((text: string) => readCommand(text, source));
  const failures = scope.add('fail-log timers', new Failures({ runner, failLog, clock, log, timeToExecute: config.sersync.failLog.timeToExecute, requestFullSync, onRetried: status.recordRetry, readCommand: readBack }), {
    intake: (f) => f.stop(),
    drain: (f) => f.idle(),
    record: (f) => f.flush('retry pending at shutdown'),
  });
  const handler = status.trackFullSyncs(createHandler({ rsync, runner, failures, plugin, trace, onResult: status.recordResult, onSpawned: (ms) => status.collector.eventToSpawn.record(ms) }));
  const watchRoot = config.sersync.localpath.watch;
  const watch = options.plugin ? pluginWatch(config, options.plugin) : watchRoot;
  if (pluginName && pluginWatch(config, pluginName) !== watch) log.warn(`plugin ${pluginName} reports paths under its own <localpath> ${pluginWatch(config, pluginName)}, not ${watch}`);
  const pool = scope.add('workers', new WorkerPool(queue, options.threads, handler, (error) => log.error(`worker: ${(error as Error).message}`), batch && { maxPaths: batch.maxPaths, parallel: batch.parallel, findLarge: largeFileFinder(watchRoot) }, share.work), {
    intake: (p) => p.stop(),
    drain: (p) => p.idle(),
  });
  // Registered after the retries, so the queued events are written first, as they came first.
  scope.add('queue', queue, { record: (q) => writeQueued(q.drain(), rsync, failLog, log) });
  const push = (event: SyncEvent) => {
    status.recordEvent(event);
    if (queue.push(event) === 'collapsed') log.warn(`queue full: ${queue.collapsedEvents} events folded into one full sync`);
  };
  return {
    options, config, log, clock, signals, runner, failLog, failures, status, rsync, queue, pool, push, watch,
    fullSync: (reason) => {
      if (!options.plugin) push({ kind: 'full', reason });
    },
    get exited() {
      return share.exited;
    },
    exit: (code) => share.exit(code),
  };
}

/** Created at start, as sersync2 does; a file left by an interrupted fail-log run is merged back. */
function openFailLog(failLog: FailLogFile, log: Logger): void {
  let recovered: number;
  try {
    failLog.ensure();
    recovered = failLog.recoverAside();
  } catch (error) {
    throw fileError('FAIL_LOG', 'fail log', failLog.path, error);
  }
  if (recovered) log.warn(`${recovered} commands of an interrupted fail-log run were put back into ${failLog.path}`);
}
