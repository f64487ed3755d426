/**
 * One config's share of the status and the metrics: its collector, fed by hooks (per-remote
 * results, finished full syncs, queued events), and the live readings of its parts, given once
 * its watches are in place. The files and the metrics server are the process's (daemon.ts).
 */
import type { SyncEvent } from '../events/types';
import { type CommandResult, succeeded } from '../runner/result';
import type { EventHandler } from '../workers/pool';
import { StatusCollector, type StatusObserver, type StatusSnapshot, type StatusSources } from './collector';

export interface InstanceStatusOptions {
  /** The config's name in the metrics' `config` label and the status file; undefined when the process runs one config. */
  readonly label: string | undefined;
  readonly version: string;
  readonly config: string;
  readonly watch: string;
  /** `ip::module` of each remote, in config order. */
  readonly remotes: readonly string[];
  readonly intervalSeconds: number;
  readonly observer?: StatusObserver | undefined;
}

export class InstanceStatus {
  readonly collector: StatusCollector;
  private sources: StatusSources | undefined;

  constructor(private readonly o: InstanceStatusOptions) {
    this.collector = new StatusCollector({ version: o.version, config: o.config, watch: o.watch, remotes: o.remotes, intervalSeconds: o.intervalSeconds });
    this.collector.observer = o.observer;
  }

  get label(): string | undefined {
    return this.o.label;
  }

  /** Hook for the worker handler and the `-r` full sync: one rsync to a remote finished, timed. */
  readonly recordResult = (result: CommandResult): void => {
    if (result.remote !== undefined) this.collector.recordResult(result.remote, succeeded(result), result.durationMs / 1000);
  };

  /**
   * Hook for the retries and the fail-log reruns: a remote that is back clears its failing state
   * without a new event. Not timed: a retry's duration would blur the histogram of the commands' own.
   */
  readonly recordRetry = (result: CommandResult): void => {
    if (result.remote !== undefined && this.o.remotes.includes(result.remote)) this.collector.recordResult(result.remote, succeeded(result));
  };

  /** Hook for the watcher's events as they are queued. */
  recordEvent(event: SyncEvent): void {
    if (event.kind !== 'full') this.collector.recordEvent(event.kind);
  }

  /** Wraps the worker handler so a queued full sync (crontab, overflow, recovery) is noted when it is done. */
  trackFullSyncs(handler: EventHandler): EventHandler {
    return async (job, covered) => {
      await handler(job, covered);
      for (const event of job) if (event.kind === 'full') this.collector.recordFullSync(event.reason);
    };
  }

  /** Once the watches are in place: from now on its snapshot shows the real watch count. */
  start(sources: StatusSources): void {
    this.sources = sources;
  }

  /** Undefined until start(). */
  snapshot(): StatusSnapshot | undefined {
    return this.sources && this.collector.snapshot(this.sources);
  }
}
