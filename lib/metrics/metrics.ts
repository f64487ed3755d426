/**
 * The daemon's Prometheus metrics, through prom-client (the text format is its business, not
 * ours). Counters and the histogram follow outcomes as the status collector reports them; the
 * gauges are read from one status snapshot per instance per scrape. Labels are remote names
 * (`ip::module`), event kinds, full-sync reasons and, with several configs in one process, the
 * config's name (`config`, not `instance`: Prometheus keeps that label for the scrape target):
 * never a password, never a path.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { FullSyncReason } from '../events/types';
import type { StatusObserver, StatusSnapshot } from '../status/collector';

/** One config's snapshot as a scrape reads it; `label` is undefined when the process runs one config. */
export interface LabelledSnapshot {
  readonly label: string | undefined;
  readonly snapshot: StatusSnapshot;
}

/** Seconds: a small file over loopback takes milliseconds, a full sync of a big tree minutes. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800];
const FULL_SYNC_REASONS: readonly FullSyncReason[] = ['start', 'crontab', 'overflow', 'queue-full', 'unwatched', 'recovery'];

export class DaemonMetrics {
  readonly registry = new Registry();
  /** The snapshots of the scrape under way: every gauge of one scrape reads the same ones. */
  private current: readonly LabelledSnapshot[] = [];
  private readonly commands: Counter<'config' | 'remote' | 'result'>;
  private readonly durations: Histogram<'config' | 'remote'>;
  private readonly fullSyncs: Counter<'config' | 'reason'>;
  private readonly events: Counter<'config' | 'kind'>;

  constructor(private readonly snapshots: () => readonly LabelledSnapshot[]) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.commands = new Counter({ name: 'sersync2_commands_total', help: 'rsync commands finished, per remote; result ok (exit 0 or 23, as sersync2 judges) or failed', labelNames: ['config', 'remote', 'result'], registers });
    this.durations = new Histogram({ name: 'sersync2_command_duration_seconds', help: 'How long each rsync command ran, per remote', labelNames: ['config', 'remote'], buckets: DURATION_BUCKETS, registers });
    this.fullSyncs = new Counter({ name: 'sersync2_full_syncs_total', help: 'Full syncs of the watch directory finished, by reason', labelNames: ['config', 'reason'], registers });
    this.events = new Counter({ name: 'sersync2_events_total', help: 'Events from inotify put into the queue, by kind (sync or delete)', labelNames: ['config', 'kind'], registers });

    const metrics = this;
    const gauge = (name: string, help: string, value: (s: StatusSnapshot) => number) =>
      new Gauge({ name, help, labelNames: ['config'], registers, collect() {
        this.reset();
        // Until the watches are in place there is no snapshot: the gauge reads 0.
        if (metrics.current.length === 0) this.set(0);
        for (const { label, snapshot } of metrics.current) this.set(labelled(label, {}), value(snapshot));
      } });
    gauge('sersync2_watched_directories', 'Directories with an inotify watch', (s) => s.watches);
    gauge('sersync2_unwatched_directories', 'Directories that could not be watched (a full sync covers them)', (s) => s.unwatched);
    gauge('sersync2_queue_events', 'Events waiting in the queue', (s) => s.queued);
    gauge('sersync2_retry_backlog', 'Failed commands waiting for a retry', (s) => s.retryBacklog);
    gauge('sersync2_fail_log_bytes', 'Size of the fail log (rsync_fail_log.sh)', (s) => s.failLog?.bytes ?? 0);
    // Read from the snapshot like the gauges, but only ever grows: a counter, for rate().
    new Counter({ name: 'sersync2_held_seconds_total', help: "Seconds the config started no second command so that another config's shorter backlog in the process went first", labelNames: ['config'], registers, collect() {
      this.reset();
      if (metrics.current.length === 0) this.inc(0);
      for (const { label, snapshot } of metrics.current) this.inc(labelled(label, {}), snapshot.heldSeconds);
    } });
    const perRemote = (name: string, help: string, at: (r: StatusSnapshot['remotes'][number]) => string | null) =>
      new Gauge({ name, help, labelNames: ['config', 'remote'], registers, collect() {
        this.reset();
        for (const { label, snapshot } of metrics.current) {
          for (const r of snapshot.remotes) {
            const time = at(r);
            this.set(labelled(label, { remote: r.remote }), time ? Date.parse(time) / 1000 : 0);
          }
        }
      } });
    perRemote('sersync2_last_success_timestamp_seconds', 'When the last rsync to the remote succeeded (Unix time; 0 never)', (r) => r.lastSuccess);
    perRemote('sersync2_last_failure_timestamp_seconds', 'When the last rsync to the remote failed (Unix time; 0 never)', (r) => r.lastFailure);
  }

  /**
   * What one config's status reports its outcomes to; its series exist from now on, at 0, so
   * rate() and alerts see 0 rather than nothing. `label` undefined: the process runs one config.
   */
  observer(label: string | undefined, remotes: readonly string[]): StatusObserver {
    const { commands, durations, fullSyncs, events } = this;
    for (const remote of remotes) {
      for (const result of ['ok', 'failed']) commands.inc(labelled(label, { remote, result }), 0);
      durations.zero(labelled(label, { remote }));
    }
    for (const reason of FULL_SYNC_REASONS) fullSyncs.inc(labelled(label, { reason }), 0);
    for (const kind of ['sync', 'delete']) events.inc(labelled(label, { kind }), 0);
    return {
      result(remote, ok, seconds) {
        commands.inc(labelled(label, { remote, result: ok ? 'ok' : 'failed' }));
        if (seconds !== undefined) durations.observe(labelled(label, { remote }), seconds);
      },
      // 'start (-r)' in the status file; a label value without spaces here.
      fullSync: (reason) => fullSyncs.inc(labelled(label, { reason: reason.split(' ')[0]! })),
      event: (kind) => events.inc(labelled(label, { kind })),
    };
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text, with the gauges as of now. */
  async text(): Promise<string> {
    this.current = this.snapshots();
    try {
      return await this.registry.metrics();
    } finally {
      this.current = [];
    }
  }
}

/** The labels of a series, with the config's name when the process runs several. */
function labelled<T extends Record<string, string>>(label: string | undefined, labels: T): T & { config?: string } {
  return label === undefined ? labels : { ...labels, config: label };
}
