/**
 * The daemon's Prometheus metrics, through prom-client (the text format is its business, not
 * ours). Counters and the histogram follow outcomes as the status collector reports them; the
 * gauges are read from one status snapshot per scrape. Labels are remote names (`ip::module`),
 * event kinds and full-sync reasons: never a password, never a path of the tree.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { FullSyncReason } from '../events/types';
import type { StatusObserver, StatusSnapshot } from '../status/collector';

/** Seconds: a small file over loopback takes milliseconds, a full sync of a big tree minutes. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800];
const FULL_SYNC_REASONS: readonly FullSyncReason[] = ['start', 'crontab', 'overflow', 'queue-full', 'unwatched', 'recovery'];

export class DaemonMetrics implements StatusObserver {
  readonly registry = new Registry();
  /** The snapshot of the scrape under way: every gauge of one scrape reads the same one. */
  private current: StatusSnapshot | undefined;
  private readonly commands: Counter<'remote' | 'result'>;
  private readonly durations: Histogram<'remote'>;
  private readonly fullSyncs: Counter<'reason'>;
  private readonly events: Counter<'kind'>;

  constructor(remotes: readonly string[], private readonly snapshot: () => StatusSnapshot | undefined) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.commands = new Counter({ name: 'sersync2_commands_total', help: 'rsync commands finished, per remote; result ok (exit 0 or 23, as sersync2 judges) or failed', labelNames: ['remote', 'result'], registers });
    this.durations = new Histogram({ name: 'sersync2_command_duration_seconds', help: 'How long each rsync command ran, per remote', labelNames: ['remote'], buckets: DURATION_BUCKETS, registers });
    this.fullSyncs = new Counter({ name: 'sersync2_full_syncs_total', help: 'Full syncs of the watch directory finished, by reason', labelNames: ['reason'], registers });
    this.events = new Counter({ name: 'sersync2_events_total', help: 'Events from inotify put into the queue, by kind (sync or delete)', labelNames: ['kind'], registers });
    // Every series exists from the start, so rate() and alerts see 0 rather than nothing.
    for (const remote of remotes) {
      for (const result of ['ok', 'failed']) this.commands.inc({ remote, result }, 0);
      this.durations.zero({ remote });
    }
    for (const reason of FULL_SYNC_REASONS) this.fullSyncs.inc({ reason }, 0);
    for (const kind of ['sync', 'delete']) this.events.inc({ kind }, 0);

    const metrics = this;
    const gauge = (name: string, help: string, value: (s: StatusSnapshot) => number) =>
      new Gauge({ name, help, registers, collect() {
        if (metrics.current) this.set(value(metrics.current));
      } });
    gauge('sersync2_watched_directories', 'Directories with an inotify watch', (s) => s.watches);
    gauge('sersync2_unwatched_directories', 'Directories that could not be watched (a full sync covers them)', (s) => s.unwatched);
    gauge('sersync2_queue_events', 'Events waiting in the queue', (s) => s.queued);
    gauge('sersync2_retry_backlog', 'Failed commands waiting for a retry', (s) => s.retryBacklog);
    gauge('sersync2_fail_log_bytes', 'Size of the fail log (rsync_fail_log.sh)', (s) => s.failLog?.bytes ?? 0);
    const perRemote = (name: string, help: string, at: (r: StatusSnapshot['remotes'][number]) => string | null) =>
      new Gauge({ name, help, labelNames: ['remote'], registers, collect() {
        for (const r of metrics.current?.remotes ?? []) {
          const time = at(r);
          this.set({ remote: r.remote }, time ? Date.parse(time) / 1000 : 0);
        }
      } });
    perRemote('sersync2_last_success_timestamp_seconds', 'When the last rsync to the remote succeeded (Unix time; 0 never)', (r) => r.lastSuccess);
    perRemote('sersync2_last_failure_timestamp_seconds', 'When the last rsync to the remote failed (Unix time; 0 never)', (r) => r.lastFailure);
  }

  result(remote: string, ok: boolean, seconds: number | undefined): void {
    this.commands.inc({ remote, result: ok ? 'ok' : 'failed' });
    if (seconds !== undefined) this.durations.observe({ remote }, seconds);
  }

  fullSync(reason: string): void {
    // 'start (-r)' in the status file; a label value without spaces here.
    this.fullSyncs.inc({ reason: reason.split(' ')[0]! });
  }

  event(kind: 'sync' | 'delete'): void {
    this.events.inc({ kind });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text, with the gauges as of now. */
  async text(): Promise<string> {
    this.current = this.snapshot();
    try {
      return await this.registry.metrics();
    } finally {
      this.current = undefined;
    }
  }
}
