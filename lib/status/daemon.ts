/**
 * The status file as the daemon sees it: one object fed by hooks (per-remote results, finished
 * full syncs) and read on a timer and on SIGUSR1. Off unless `--status-file` is given; the
 * counters are kept either way since they cost nothing.
 */
import type { SyncEvent } from '../events/types';
import type { EventHandler } from '../workers/pool';
import { StatusCollector, type StatusSources } from './collector';
import { StatusFileWriter } from './writer';

export interface DaemonStatusOptions {
  readonly file: string | undefined;
  readonly intervalSeconds: number;
  readonly version: string;
  readonly config: string;
  readonly watch: string;
  /** `ip::module` of each remote, in config order. */
  readonly remotes: readonly string[];
  readonly warn: (message: string) => void;
}

export class DaemonStatus {
  readonly collector: StatusCollector;
  private writer: StatusFileWriter | undefined;

  constructor(private readonly o: DaemonStatusOptions) {
    this.collector = new StatusCollector({ version: o.version, config: o.config, watch: o.watch, remotes: o.remotes });
  }

  get file(): string | undefined {
    return this.o.file;
  }

  /** Hook for the worker handler: one rsync to a remote finished. */
  readonly recordResult = (remote: string, ok: boolean): void => this.collector.recordResult(remote, ok);

  /** Wraps the worker handler so a queued full sync (crontab, overflow, recovery) is noted when it is done. */
  trackFullSyncs(handler: EventHandler): EventHandler {
    return async (job: readonly SyncEvent[]) => {
      await handler(job);
      for (const event of job) if (event.kind === 'full') this.collector.recordFullSync(event.reason);
    };
  }

  /** Starts writing, once the watches are in place: the first file already shows the real watch count. */
  start(sources: StatusSources): void {
    if (this.o.file === undefined) return;
    this.writer = new StatusFileWriter(this.o.file, this.o.intervalSeconds * 1000, () => this.collector.snapshot(sources), this.o.warn);
    this.writer.start();
  }

  /** SIGUSR1: rewrite now. False when the status file is off or could not be written. */
  writeNow(): boolean {
    return this.writer?.write() ?? false;
  }

  stop(): void {
    // A last write, so the file shows the state at shutdown rather than up to an interval before.
    this.writer?.write();
    this.writer?.stop();
  }
}
