/** Polling with a deadline, on performance.now(): every wait in the bench ends. */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `probe` every `everyMs` until it is true (returns true) or `deadlineMs` passed (false). */
export async function waitUntil(probe: () => boolean, deadlineMs: number, everyMs: number): Promise<boolean> {
  const deadline = performance.now() + deadlineMs;
  for (;;) {
    if (probe()) return true;
    if (performance.now() > deadline) return false;
    await sleep(everyMs);
  }
}

export { sleep };
