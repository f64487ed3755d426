/**
 * Time, passed in so that schedules can be tested without waiting real minutes.
 * SERSYNC2_MINUTE_MS shortens a "minute" (the unit of timeToExecute and schedule) for tests and demos.
 */
export interface Clock {
  now(): number;
  /** What the callback returns (the promise of the work it starts) is ignored here; a test's clock may await it. */
  setTimeout(callback: () => unknown, ms: number): { unref(): void } & Parameters<typeof clearTimeout>[0];
  clearTimeout(timer: Parameters<typeof clearTimeout>[0]): void;
  /** Milliseconds in one minute of config time. */
  readonly minuteMs: number;
}

export function systemClock(env: NodeJS.ProcessEnv = process.env): Clock {
  const scaled = Number(env.SERSYNC2_MINUTE_MS);
  return {
    now: () => Date.now(),
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (timer) => clearTimeout(timer),
    minuteMs: Number.isFinite(scaled) && scaled > 0 ? scaled : 60_000,
  };
}
