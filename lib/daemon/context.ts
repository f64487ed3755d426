/** The daemon's parts as the behaviours see them, opened by run.ts in the data path's order. */
import type { CliOptions } from '../cli/args';
import type { Clock } from '../clock';
import type { Config } from '../config/types';
import type { FullSyncReason, SyncEvent } from '../events/types';
import type { Failures } from '../failLog/failures';
import type { FailLogFile } from '../failLog/file';
import type { Watcher } from '../inotify/watcherTypes';
import type { Logger } from '../log/logger';
import type { EventQueue } from '../queue/queue';
import type { CommandRunner } from '../runner/shell';
import type { InstanceStatus } from '../status/instance';
import type { RsyncPlan } from '../dispatch/plan';
import type { WorkerPool } from '../workers/pool';
import type { DaemonStatus } from '../status/daemon';
import type { DaemonSignals } from './signals';

/**
 * What the behaviours use, everything but the watcher, which is opened last, with callbacks into
 * these. What is only closed (the plugin's deliveries, the metrics server) is the scope's alone.
 */
export interface DaemonParts {
  readonly options: CliOptions;
  readonly config: Config;
  readonly log: Logger;
  readonly clock: Clock;
  readonly signals: DaemonSignals;
  readonly runner: CommandRunner;
  readonly failLog: FailLogFile;
  readonly failures: Failures;
  readonly status: InstanceStatus;
  /** Undefined with `-m PLUGIN`: no rsync at all. */
  readonly rsync: RsyncPlan | undefined;
  readonly queue: EventQueue;
  readonly pool: WorkerPool;
  /** The directory watched: the plugin's own `<localpath>` with -m (sersync2's rule), else `<sersync><localpath>`. */
  readonly watch: string;
  /** Notes a watcher event in the status and queues it (the queue wakes the workers). */
  push(event: SyncEvent): void;
  /** Queues a full sync to every remote (none with -m: no remote). */
  fullSync(reason: FullSyncReason): void;
  /** Ends the process (every config in it) with this exit code; the first call wins. */
  exit(code: number): void;
  /** True once exit() was called. */
  readonly exited: boolean;
}

export interface DaemonContext extends DaemonParts {
  readonly watcher: Watcher;
}

/** The configs a process runs, as its own behaviours see them (instances.ts). */
export interface ProcessConfigs {
  /** Commands running, over every config. */
  readonly inFlight: number;
  /** Each config's SIGHUP line, in its own log. */
  report(): void;
  /** Reads the config files again; applies what changed. */
  reload(): Promise<void>;
  /** A second stop signal: every config stops now. */
  leaveAll(): Promise<Error[]>;
}

/** What the process's own behaviours (signals, shutdown) use: the configs it runs, and what they share. */
export interface ProcessContext {
  readonly log: Logger;
  readonly signals: DaemonSignals;
  readonly status: DaemonStatus;
  readonly instances: ProcessConfigs;
  exit(code: number): void;
  readonly exited: boolean;
}
