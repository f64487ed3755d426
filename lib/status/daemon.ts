/**
 * The status file and the metrics as the process writes and serves them, over its configs'
 * InstanceStatus (instance.ts): read on a timer, on SIGUSR1 and at each scrape. With one config
 * the status file is that config's snapshot, as ever; with several, one file lists each by name
 * (a HostSnapshot), with the files that were refused. The status file is off unless
 * `--status-file` is given, the metrics unless `--metrics-listen` or `--metrics-file`.
 */
import type http from 'node:http';
import { MetricsFileWriter } from '../metrics/file';
import type { DaemonMetrics, LabelledSnapshot } from '../metrics/metrics';
import { serveMetrics } from '../metrics/server';
import type { StatusSnapshot } from './collector';
import { InstanceStatus, type InstanceStatusOptions } from './instance';
import type { HostSnapshot, RefusedConfig, StatusFile } from './host';
import { StatusFileWriter } from './writer';

export interface DaemonStatusOptions {
  readonly file: string | undefined;
  readonly intervalSeconds: number;
  readonly version: string;
  readonly warn: (message: string) => void;
  readonly metricsListen?: { readonly host: string; readonly port: number } | undefined;
  readonly metricsFile?: string | undefined;
  /** Several configs in this process: the status file is a HostSnapshot, the metrics carry `config`. */
  readonly several: boolean;
}

export class DaemonStatus {
  private readonly instances = new Set<InstanceStatus>();
  private readonly refusedConfigs = new Map<string, RefusedConfig>();
  private writer: StatusFileWriter | undefined;
  private readonly metrics: DaemonMetrics | undefined;
  private server: http.Server | undefined;
  private metricsFile: MetricsFileWriter | undefined;
  private readonly startedAt = new Date();

  constructor(private readonly o: DaemonStatusOptions) {
    if (o.metricsListen || o.metricsFile) {
      // Loaded only here: prom-client costs start-up time and memory that a daemon without metrics never needs.
      const { DaemonMetrics: Metrics } = require('../metrics/metrics') as typeof import('../metrics/metrics');
      this.metrics = new Metrics(() => this.labelledSnapshots());
    }
  }

  get file(): string | undefined {
    return this.o.file;
  }

  /** A config's status, reported from now on (once it is started). */
  add(name: string, info: Pick<InstanceStatusOptions, 'config' | 'watch' | 'remotes'>): InstanceStatus {
    const label = this.o.several ? name : undefined;
    const status = new InstanceStatus({ ...info, label, version: this.o.version, intervalSeconds: this.o.intervalSeconds, observer: this.metrics?.observer(label, info.remotes) });
    this.instances.add(status);
    this.refusedConfigs.delete(info.config);
    return status;
  }

  /** A config stopped: no longer reported. */
  remove(status: InstanceStatus | undefined): void {
    if (status) this.instances.delete(status);
  }

  /** A config file that does not run, and why (one line), until it runs or a reload no longer refuses it. */
  refused(config: RefusedConfig): void {
    this.refusedConfigs.set(config.config, config);
  }

  /** A reload reads every file again: what it still refuses it says again, what is gone is gone. */
  forgetRefused(): void {
    this.refusedConfigs.clear();
  }

  /** Binds --metrics-listen early, so a port in use stops the start with one line (a StartError). */
  async openMetrics(): Promise<void> {
    if (this.metrics && this.o.metricsListen) this.server = await serveMetrics(this.o.metricsListen, this.metrics, this.o.warn);
  }

  /** Starts writing, once start-up is done: the first file already shows the real watch counts. */
  start(): void {
    if (this.metrics && this.o.metricsFile) {
      this.metricsFile = new MetricsFileWriter(this.o.metricsFile, this.o.intervalSeconds * 1000, this.metrics, this.o.warn);
      this.metricsFile.start();
    }
    if (this.o.file === undefined) return;
    this.writer = new StatusFileWriter(this.o.file, this.o.intervalSeconds * 1000, () => this.snapshot(), this.o.warn);
    this.writer.start();
  }

  /** What the status file holds now; undefined with one config before it is started. */
  snapshot(): StatusFile | undefined {
    const started = this.labelledSnapshots();
    if (!this.o.several) return started[0]?.snapshot;
    const host: HostSnapshot = {
      format: 1,
      program: 'sersync2',
      version: this.o.version,
      pid: process.pid,
      startedAt: this.startedAt.toISOString(),
      writtenAt: new Date().toISOString(),
      intervalSeconds: this.o.intervalSeconds,
      instances: started.map(({ label, snapshot }) => ({ name: label!, ...snapshot })),
      refused: [...this.refusedConfigs.values()],
    };
    return host;
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

  private labelledSnapshots(): LabelledSnapshot[] {
    const out: LabelledSnapshot[] = [];
    for (const status of this.instances) {
      const snapshot: StatusSnapshot | undefined = status.snapshot();
      if (snapshot) out.push({ label: status.label, snapshot });
    }
    return out;
  }
}
