/**
 * The tail of a storm: when each entry of the final tree first appeared right on the remote, as
 * the convergence poller saw it (type, size, link target: bench/converge.ts's fingerprints), and
 * from that the arrival of the median entry and of the last one after the workload's end. The
 * issue's goal: the last entry arrives within 2 s of the median one, i.e. no straggler waits
 * long behind the rest. Pure: the poller feeds it, a test can too.
 */
import { summarize } from './stats';

/** Relative path -> fingerprint, as converge.ts makes them. */
export type Fingerprints = ReadonlyMap<string, string>;

export interface Tail {
  /** Seconds from the end of the workload until half the entries had arrived (the median entry, nearest rank). */
  readonly medianS: number;
  /** Seconds from the end of the workload until the last entry arrived. */
  readonly lastS: number;
  /** lastS - medianS. */
  readonly gapS: number;
  readonly entries: number;
}

export class Arrivals {
  private readonly first = new Map<string, number>();

  /** One poll at time `at` (ms): every local entry the remote has right now, and had not before, arrives at `at`. */
  see(local: Fingerprints, remote: Fingerprints, at: number): void {
    for (const [key, value] of local) if (!this.first.has(key) && remote.get(key) === value) this.first.set(key, at);
  }

  /**
   * The tail relative to `end` (ms, the workload's last operation), once every entry of `local`
   * has arrived; undefined before. Entries right at the first poll count as arrived then: the
   * poller starts at the end of the workload, so nothing arrives before it.
   */
  tail(local: Fingerprints, end: number): Tail | undefined {
    const times: number[] = [];
    for (const key of local.keys()) {
      const at = this.first.get(key);
      if (at === undefined) return undefined;
      times.push(Math.max(0, at - end) / 1000);
    }
    const s = summarize(times);
    if (!s) return { medianS: 0, lastS: 0, gapS: 0, entries: 0 };
    return { medianS: s.p50, lastS: s.max, gapS: s.max - s.p50, entries: s.count };
  }
}
