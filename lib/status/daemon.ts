/**
 * The status file and the metrics as the daemon sees them: one collector fed by hooks (per-remote
 * results, finished full syncs, queued events) and read on a timer, on SIGUSR1 and at each scrape.
 * The status file is off unless `--status-file` is given, the metrics unless `--metrics-listen`
 * or `--metrics-file`; the counters are kept either way since they cost nothing.
 */
import type http from 'node:http';
import type { SyncEvent } from '../events/types';
import { MetricsFileWriter } from '../metrics/file';
import type { DaemonMetrics } from '../metrics/metrics';
import { serveMetrics } from '../metrics/server';
import { type CommandResult, succeeded } from '../runner/result';
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
  readonly metricsListen?: { readonly host: string; readonly port: number } | undefined;
  readonly metricsFile?: string | undefined;
}

export class DaemonStatus {
  readonly collector: StatusCollector;
  private writer: StatusFileWriter | undefined;
  private sources: StatusSources | undefined;
  private readonly metrics: DaemonMetrics | undefined;
  private server: http.Server | undefined;
  private metricsFile: MetricsFileWriter | undefined;

  constructor(private readonly o: DaemonStatusOptions) {
    this.collector = new StatusCollector({ version: o.version, config: o.config, watch: o.watch, remotes: o.remotes, intervalSeconds: o.intervalSeconds });
    if (o.metricsListen || o.metricsFile) {
      // Until the watches are in place there is no snapshot: the gauges stay at 0.
      // Loaded only here: prom-client costs start-up time and memory that a daemon without metrics never needs.
      const { DaemonMetrics: Metrics } = require('../metrics/metrics') as typeof import('../metrics/metrics');
      this.metrics = new Metrics(o.remotes, () => this.sources && this.collector.snapshot(this.sources));
      this.collector.observer = this.metrics;
    }
  }

  get file(): string | undefined {
    return this.o.file;
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

  /** Binds --metrics-listen early, so a port in use stops the start with one line (a StartError). */
  async openMetrics(): Promise<void> {
    if (this.metrics && this.o.metricsListen) this.server = await serveMetrics(this.o.metricsListen, this.metrics, this.o.warn);
  }

  /** Starts writing, once the watches are in place: the first file already shows the real watch count. */
  start(sources: StatusSources): void {
    this.sources = sources;
    if (this.metrics && this.o.metricsFile) {
      this.metricsFile = new MetricsFileWriter(this.o.metricsFile, this.o.intervalSeconds * 1000, this.metrics, this.o.warn);
      this.metricsFile.start();
    }
    if (this.o.file === undefined) return;
    this.writer = new StatusFileWriter(this.o.file, this.o.intervalSeconds * 1000, () => this.collector.snapshot(sources), this.o.warn);
    this.writer.start();
  }

  /** SIGUSR1: rewrite now. False when the status file is off or could not be written. */
  writeNow(): boolean {
    void this.metricsFile?.write();
    return this.writer?.write() ?? false;
  }

  /** Idempotent: the daemon's scope calls it too, so a failed start-up closes the metrics server. */
  async stop(): Promise<void> {
    // A last write, so the files show the state at shutdown rather than up to an interval before.
    this.writer?.write();
    this.writer?.stop();
    this.writer = undefined;
    this.server?.close();
    this.server = undefined;
    await this.metricsFile?.stop();
    this.metricsFile = undefined;
  }
}
