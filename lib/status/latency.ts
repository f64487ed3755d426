/**
 * Event-to-spawn latency: from the read of the kernel event to the spawn of its command (Node's
 * spawn included), the overhead the daemon adds on top of rsync itself. The newest samples are
 * kept in a fixed ring, so the figure follows the present and memory stays constant.
 */
export interface LatencySummary {
  /** Samples taken since start (the percentiles cover the newest `window` of them). */
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

export class LatencyRecorder {
  /** Made at the first sample: a host's many configs start with none, and most stay idle. */
  private ring: Float64Array | undefined;
  private total = 0;

  constructor(private readonly window = 4096) {}

  record(ms: number): void {
    this.ring ??= new Float64Array(this.window);
    this.ring[this.total % this.ring.length] = ms;
    this.total++;
  }

  /** Null before the first sample; values in milliseconds, rounded to microseconds. */
  summary(): LatencySummary | null {
    if (this.total === 0 || !this.ring) return null;
    const samples = this.ring.slice(0, Math.min(this.total, this.ring.length)).sort();
    const at = (q: number) => round(samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!);
    return { count: this.total, p50: at(0.5), p95: at(0.95), max: round(samples[samples.length - 1]!) };
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
