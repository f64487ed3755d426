/**
 * The daemon: config -> watcher -> rules -> queue -> workers -> rsync and plugins -> fail log, once
 * per config file (instance.ts), several in one process (instances.ts). This file only wires the
 * process: its signals, the kernel limits, the status file and the metrics, the configs, and the
 * behaviours of the process (SIGHUP, SIGUSR1, the stop), all in one scope, so whatever start-up
 * opened is closed when the daemon ends or a step of start-up fails.
 */
import { performance } from 'node:perf_hooks';
import type { CliOptions } from '../cli/args';
import { configDirFiles } from '../cli/configDir';
import { createLogger, flushLogs, type Logger } from '../log/logger';
import { DaemonStatus } from '../status/daemon';
import { WorkShare } from '../workers/share';
import { Behaviours } from './behaviours/behaviour';
import { InfoSignals } from './behaviours/infoSignals';
import { Shutdown } from './behaviours/shutdown';
import type { ProcessContext } from './context';
import { detach, isDetachedChild, startupLine, tellParent } from './detach';
import { fileError, operatorMessage } from './errors';
import { Instances } from './instances';
import { limitsFor, raiseKernelLimits } from './kernelLimits';
import { Scope } from './scope';
import { DaemonSignals, type SignalSource } from './signals';

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
    code = await (await startDaemon(options, log, scope)).done;
    return code;
  } finally {
    // A second stop signal or a failed start-up leaves without waiting for what still runs, as the stop's own leave does.
    for (const error of await (code === 0 ? scope.close() : scope.leaveNow())) log.warn(error.message);
  }
}

/** What a test may put in place of the process's own: its signals, the scope of each config. */
export interface DaemonSeams {
  readonly signalSource?: SignalSource;
  readonly newScope?: () => Scope;
}

/** The daemon started, in `scope`: its configs, and the exit code once it ends. */
export interface StartedDaemon {
  readonly instances: Instances;
  readonly done: Promise<number>;
}

export async function startDaemon(options: CliOptions, log: Logger, scope: Scope, seams: DaemonSeams = {}): Promise<StartedDaemon> {
  // First of all: a stop signal during start-up waits for its end (a second one leaves at once).
  const signals = scope.add('signal handlers', new DaemonSignals((signal, again) =>
    log.warn(again ? `${signal} again during start-up: leaving now` : `${signal} during start-up: stopping once the current step is done (send it again to leave now)`),
  seams.signalSource), { close: (s) => s.dispose() });
  const several = options.configDir !== undefined || options.configFiles.length > 1;
  const files = () => (options.configDir === undefined ? { files: options.configFiles, unusable: [] } : configDirFiles(options.configDir));
  const status = scope.add('status and metrics', new DaemonStatus({ file: options.statusFile, intervalSeconds: options.statusInterval, version: packageVersion(), warn: (message) => log.warn(message), metricsListen: options.metricsListen, metricsFile: options.metricsFile, several }), { close: (s) => s.stop() });
  let exited = false;
  let resolveDone: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => (resolveDone = resolve));
  const share = {
    options, signals, status, work: new WorkShare(),
    exit: (code: number) => {
      exited = true;
      resolveDone(code);
    },
    get exited() {
      return exited;
    },
  };
  const instances = new Instances(share, log, files, several, seams.newScope);
  // The classic single config's errors come before anything else, as sersync2's did.
  const plan = instances.readAll();
  log.info('set the system param');
  // SERSYNC2_SYSCTL=0 leaves the kernel limits alone (containers with a read-only /proc/sys, tests).
  if (process.env.SERSYNC2_SYSCTL !== '0') raiseKernelLimits((message) => log.info(message), limitsFor(options.watcher, several));
  await status.openMetrics();
  // Each config's close is the first step of the stop, all side by side; waited for again in the
  // record phase, which leaving now does not cut short; the status's last write follows.
  scope.add('configs', instances, {
    drain: (i) => void i.closeAll(),
    record: async (i) => {
      for (const error of await i.closeAll()) log.warn(error.message);
    },
  });
  // Leaving the process now (a start-up abandoned, a second signal) leaves every config now.
  void scope.leaving.then(() => instances.hurryAll());
  const ctx: ProcessContext = { log, signals, status, instances, exit: share.exit, get exited() {
    return exited;
  } };
  const behaviours = new Behaviours(scope);
  // SIGHUP and SIGUSR1 answer from the start, so a long watch set-up can be followed.
  await behaviours.start([new InfoSignals()], ctx);
  await instances.startAll(plan);
  if (!exited) {
    status.start();
    tellParent({ ready: true });
    releaseStartUpGarbage(log);
  }
  await behaviours.start([new Shutdown(scope)], ctx);
  return { instances, done };
}

/**
 * The start-up walks leave their garbage (each chunk's paths and listings, the tree's outgrown
 * arrays) in V8's old generation until its next full collection, 10 s or more later: at 1,000,000
 * directories that is 100 MB of RssAnon beside the 90 MB the daemon keeps. One collection now,
 * about 70 ms there, when the process was started with --expose-gc (bin/sersync2's #! line).
 */
function releaseStartUpGarbage(log: Logger): void {
  if (!globalThis.gc) return;
  const mb = (bytes: number) => (bytes / 1048576).toFixed(1);
  const before = process.memoryUsage().heapTotal;
  const t0 = performance.now();
  globalThis.gc();
  log.debug(`start-up garbage collected: V8 heap ${mb(before)} -> ${mb(process.memoryUsage().heapTotal)} MB in ${Math.round(performance.now() - t0)} ms`);
}

/** Read here rather than from cli/main, which loads the daemon: no import cycle. */
function packageVersion(): string {
  return (require('../../../package.json') as { version: string }).version;
}
