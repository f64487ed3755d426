/**
 * What the status file shows, gathered from small hooks: the daemon's parts keep their own
 * counters (queue length, workers in flight, watches, retry backlog) and are only read here; the
 * per-remote outcomes and the full-sync times are pushed in, since nothing else keeps them.
 */
import fs from 'node:fs';
import { LatencyRecorder, type LatencySummary } from './latency';

/** Live readings of the daemon's parts, taken each time a snapshot is made. */
export interface StatusSources {
  readonly watches: () => number;
  /** Directories that could not be watched (out of watches, permissions): a full sync covers them. */
  readonly unwatched: () => number;
  readonly queued: () => number;
  readonly inFlight: () => number;
  readonly retryBacklog: () => number;
  /** Seconds the config started no second command so that another config's shorter backlog went first (lib/workers/share.ts). */
  readonly heldSeconds: () => number;
  readonly failLogPath: string | undefined;
}

export interface RemoteStatus {
  /** `ip::module`, as in the rsync command. */
  readonly remote: string;
  readonly successes: number;
  readonly failures: number;
  readonly lastSuccess: string | null;
  readonly lastFailure: string | null;
  /** The first failure since the last success (or since start): how long the remote has been failing. */
  readonly failingSince: string | null;
}

/** The JSON written to the status file; `format` changes only when a field changes meaning. */
export interface StatusSnapshot {
  readonly format: 1;
  readonly program: 'sersync2';
  readonly version: string;
  readonly pid: number;
  readonly startedAt: string;
  readonly writtenAt: string;
  /** How often the file is rewritten: a file older than 3 intervals means the daemon is gone or stuck. */
  readonly intervalSeconds: number;
  readonly config: string;
  readonly watch: string;
  readonly watches: number;
  readonly unwatched: number;
  readonly queued: number;
  readonly inFlight: number;
  readonly retryBacklog: number;
  /** Seconds held, in all, since start: 0 for a config alone in its process. */
  readonly heldSeconds: number;
  readonly failLog: { readonly path: string; readonly bytes: number } | null;
  readonly lastFullSync: { readonly at: string; readonly reason: string } | null;
  readonly remotes: readonly RemoteStatus[];
  /** Milliseconds from the read of a kernel event to the spawn of its command; null before the first. */
  readonly eventToSpawnMs: LatencySummary | null;
}

interface RemoteCounters {
  successes: number;
  failures: number;
  lastSuccess: Date | undefined;
  lastFailure: Date | undefined;
  failingSince: Date | undefined;
}

/** Told of each outcome as it happens (the metrics' counters and histogram). */
export interface StatusObserver {
  result(remote: string, ok: boolean, seconds: number | undefined): void;
  fullSync(reason: string): void;
  event(kind: 'sync' | 'delete'): void;
}

export class StatusCollector {
  private readonly remotes = new Map<string, RemoteCounters>();
  private lastFullSync: { at: Date; reason: string } | undefined;
  private readonly startedAt: Date;
  readonly eventToSpawn = new LatencyRecorder();
  observer: StatusObserver | undefined;

  constructor(
    private readonly info: { readonly version: string; readonly config: string; readonly watch: string; readonly remotes: readonly string[]; readonly intervalSeconds: number },
    private readonly now: () => Date = () => new Date(),
  ) {
    this.startedAt = now();
    // Every configured remote is listed from the start, so "never succeeded" is visible as null.
    for (const remote of info.remotes) this.counters(remote);
  }

  /** One rsync to `remote` finished (in `seconds`, when timed); `ok` as sersync2 judges it (exit 0 or 23). */
  recordResult(remote: string, ok: boolean, seconds?: number): void {
    const c = this.counters(remote);
    if (ok) {
      c.successes++;
      c.lastSuccess = this.now();
      c.failingSince = undefined;
    } else {
      c.failures++;
      c.lastFailure = this.now();
      c.failingSince ??= c.lastFailure;
    }
    this.observer?.result(remote, ok, seconds);
  }

  /** A full sync (`-r`, crontab, recovery) finished, whatever its outcome; the per-remote counters say how it went. */
  recordFullSync(reason: string): void {
    this.lastFullSync = { at: this.now(), reason };
    this.observer?.fullSync(reason);
  }

  /** An event from the watcher went into the queue. */
  recordEvent(kind: 'sync' | 'delete'): void {
    this.observer?.event(kind);
  }

  snapshot(sources: StatusSources): StatusSnapshot {
    const iso = (d: Date | undefined) => (d ? d.toISOString() : null);
    return {
      format: 1,
      program: 'sersync2',
      version: this.info.version,
      pid: process.pid,
      startedAt: this.startedAt.toISOString(),
      writtenAt: this.now().toISOString(),
      intervalSeconds: this.info.intervalSeconds,
      config: this.info.config,
      watch: this.info.watch,
      watches: sources.watches(),
      unwatched: sources.unwatched(),
      queued: sources.queued(),
      inFlight: sources.inFlight(),
      retryBacklog: sources.retryBacklog(),
      heldSeconds: Math.round(sources.heldSeconds() * 1000) / 1000,
      failLog: sources.failLogPath === undefined ? null : { path: sources.failLogPath, bytes: sizeOf(sources.failLogPath) },
      lastFullSync: this.lastFullSync ? { at: this.lastFullSync.at.toISOString(), reason: this.lastFullSync.reason } : null,
      remotes: [...this.remotes].map(([remote, c]) => ({ remote, successes: c.successes, failures: c.failures, lastSuccess: iso(c.lastSuccess), lastFailure: iso(c.lastFailure), failingSince: iso(c.failingSince) })),
      eventToSpawnMs: this.eventToSpawn.summary(),
    };
  }

  private counters(remote: string): RemoteCounters {
    let c = this.remotes.get(remote);
    if (!c) {
      c = { successes: 0, failures: 0, lastSuccess: undefined, lastFailure: undefined, failingSince: undefined };
      this.remotes.set(remote, c);
    }
    return c;
  }
}

/** 0 when the fail log does not exist (yet): an empty fail log and a missing one mean the same here. */
function sizeOf(path: string): number {
  try {
    return fs.statSync(path).size;
  } catch {
    return 0;
  }
}
