/**
 * The kernel's inotify limits, set once for every tool alike. The idle scenario watches
 * 4 x 100,000 directories at once (the default max_user_watches is often lower), and a burst of
 * 10,000 files queues ~30,000 events (above the default max_queued_events of 16,384, where
 * inotifywait and lsyncd would lose events). The values are sersync2's own (what ours sets at
 * start as root; SERSYNC2_SYSCTL=0 keeps it from doing so during the bench). What was there
 * before is put back at the end, unless someone changed it meanwhile. The reference sersync2
 * writes these values at every start, even over higher ones, so a higher value is put back too.
 */
import fs from 'node:fs';

const WANTED = { max_user_watches: 50_000_000, max_queued_events: 327_679 } as const;

type Limit = keyof typeof WANTED;

export interface KernelLimits {
  /** The values in force during the run. */
  readonly inForce: Record<Limit, number>;
  /** What could not be raised (not root, read-only /proc/sys), for the results' notes. */
  readonly problems: readonly string[];
  restore(): void;
}

const file = (limit: Limit) => `/proc/sys/fs/inotify/${limit}`;

function read(limit: Limit): number {
  return Number(fs.readFileSync(file(limit), 'utf8').trim());
}

export function raiseInotifyLimits(): KernelLimits {
  const before = new Map<Limit, number>();
  const problems: string[] = [];
  for (const limit of Object.keys(WANTED) as Limit[]) {
    const current = read(limit);
    if (current === WANTED[limit]) continue;
    before.set(limit, current);
    if (current > WANTED[limit]) continue;
    try {
      fs.writeFileSync(file(limit), `${WANTED[limit]}\n`);
    } catch (error) {
      before.delete(limit);
      problems.push(`${limit} stays ${current} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); run as root to raise it to ${WANTED[limit]}`);
    }
  }
  const inForce = { max_user_watches: read('max_user_watches'), max_queued_events: read('max_queued_events') };
  return {
    inForce,
    problems,
    restore: () => {
      for (const [limit, value] of before) {
        try {
          if (read(limit) === WANTED[limit]) fs.writeFileSync(file(limit), `${value}\n`);
        } catch {
          // best effort: a limit left raised harms nothing
        }
      }
      before.clear();
    },
  };
}
