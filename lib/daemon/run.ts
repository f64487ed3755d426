/**
 * The daemon: config -> watcher -> rules -> queue -> workers -> rsync and plugins -> fail log.
 * This file only wires: it opens the parts (parts.ts, watch.ts) and starts the behaviours
 * (behaviours/), all in one scope, so whatever start-up opened is closed when the daemon ends or
 * a step of start-up fails.
 */
import type { CliOptions } from '../cli/args';
import { loadConfigFile } from '../config/load';
import { createLogger, flushLogs, type Logger } from '../log/logger';
import { configLines, threadLines } from './banner';
import { Behaviours } from './behaviours/behaviour';
import { Crontab } from './behaviours/crontab';
import { FailLogPeriod } from './behaviours/failLogPeriod';
import { FullSyncAtStart } from './behaviours/fullSyncAtStart';
import { InfoSignals } from './behaviours/infoSignals';
import { Ready } from './behaviours/ready';
import { Shutdown } from './behaviours/shutdown';
import { StatusWriter } from './behaviours/statusWriter';
import { UnwatchedReport } from './behaviours/unwatchedReport';
import { WatchSetup } from './behaviours/watchSetup';
import { detach, isDetachedChild, startupLine, tellParent } from './detach';
import { fileError, operatorMessage } from './errors';
import { raiseKernelLimits } from './kernelLimits';
import { openParts } from './parts';
import { Scope } from './scope';
import { DaemonSignals } from './signals';
import { openWatcher } from './watch';

/** Runs until stopped by a signal; resolves to the exit code. */
export async function runDaemon(options: CliOptions, argv: readonly string[]): Promise<number> {
  // A daemon outlives the terminal or pipe it was started from: a closed stdout must not kill it.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
  if (options.daemon && !isDetachedChild()) return detach(process.argv[1]!, argv, options.logFile);
  try {
    return await runScoped(options, openLog(options));
  } catch (error) {
    // With -d the waiting parent prints it (a bad --log-config too).
    tellParent({ error: operatorMessage(error) ?? `sersync2: internal error: ${(error as Error).stack}\n` });
    throw error;
  } finally {
    await flushLogs();
  }
}

function openLog(options: CliOptions): Logger {
  try {
    return createLogger({ level: options.logLevel, file: options.logFile, configFile: options.logConfig, console: isDetachedChild() ? startupLine : undefined });
  } catch (error) {
    // A --log-file that cannot be written (its directory under a file, read-only...): no stack trace.
    if (options.logFile && (error as NodeJS.ErrnoException).syscall) throw fileError('LOG_FILE', 'log file', options.logFile, error);
    throw error;
  }
}

/** The daemon in its scope: closed when it ends, or at once when a step of start-up throws. */
async function runScoped(options: CliOptions, log: Logger): Promise<number> {
  const scope = new Scope();
  let code: number | undefined;
  try {
    code = await start(options, log, scope);
    return code;
  } finally {
    // A second stop signal or a failed start-up leaves without waiting for what still runs, as the stop's own leave does.
    for (const error of await (code === 0 ? scope.close() : scope.leaveNow())) log.warn(error.message);
  }
}

async function start(options: CliOptions, log: Logger, scope: Scope): Promise<number> {
  // First of all: a stop signal during start-up waits for its end (a second one leaves at once).
  const signals = scope.add('signal handlers', new DaemonSignals((signal, again) =>
    log.warn(again ? `${signal} again during start-up: leaving now` : `${signal} during start-up: stopping once the current step is done (send it again to leave now)`),
  ), { close: (s) => s.dispose() });
  const configFile = options.configFiles[0]!;
  const { config, warnings } = loadConfigFile(configFile, { checkDirectories: true, standalonePlugin: options.plugin });
  log.info('set the system param');
  // SERSYNC2_SYSCTL=0 leaves the kernel limits alone (containers with a read-only /proc/sys, tests).
  if (process.env.SERSYNC2_SYSCTL !== '0') raiseKernelLimits((message) => log.info(message));
  for (const line of configLines(options, config, configFile)) log.info(line);
  for (const warning of warnings) log.warn(warning);

  const { parts, done } = await openParts(options, config, configFile, log, signals, scope);
  if (options.plugin) log.info(`start ${options.plugin} interface`);
  else for (const line of threadLines(options.threads, config.sersync.localpath.remotes.length)) log.info(line);

  const setup = new WatchSetup();
  const report = new UnwatchedReport(() => setup.watchedSoFar);
  const watcher = openWatcher(parts, scope, { unwatched: (path, code) => report.unwatched(path, code), progress: (count) => setup.progress(count) });
  const behaviours = new Behaviours(scope);
  // In this order; the stop (the scope's close) stops them backwards, in its first phase. The report
  // listens before the first watch is added; SIGHUP and SIGUSR1 answer from then on, so a long watch
  // setup can be followed.
  await behaviours.start([
    new InfoSignals(),
    report,
    setup,
    new FullSyncAtStart(),
    new Crontab(),
    new FailLogPeriod(),
    new StatusWriter(() => report.count),
    new Ready(),
    new Shutdown(scope),
  ], Object.assign(parts, { watcher }));
  return await done;
}
