/**
 * The figures of the runs behind a cell (bench/repeat.ts): `value` is their median, so ratios and
 * goals read one number, and the min, max and every run stay in the results file.
 */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** One figure per run, in run order (a run without a figure, e.g. one that timed out early, is null). */
  readonly runs: readonly (number | null)[];
}

/** What one tool scored on one metric: a number, or why there is none. */
export type Outcome =
  /** `lowerBound`: the tool was stopped by a deadline, so the real figure is at least `value`. */
  | ({ readonly status: 'ok'; readonly value: number; readonly lowerBound?: boolean } & Partial<Spread>)
  /**
   * The deadline passed: `progress` is the share of the work done by then (0..1), `atLeast` the
   * figure the tool would at least have scored (the time waited), both when known. Over several
   * runs, a cell with any timeout is a timeout, with the runs' figures.
   */
  | ({ readonly status: 'timeout'; readonly progress?: number; readonly atLeast?: number } & Partial<Spread>)
  /** `crashed`: the tool under test exited during the workload (not the bench failing). */
  | { readonly status: 'error'; readonly message: string; readonly crashed?: boolean }
  | { readonly status: 'n/a'; readonly reason: string };

export const ok = (value: number): Outcome => ({ status: 'ok', value });
export const atLeast = (value: number): Outcome => ({ status: 'ok', value, lowerBound: true });
export const timeout = (progress?: number, atLeastValue?: number): Outcome => ({
  status: 'timeout',
  ...(progress === undefined ? {} : { progress }),
  ...(atLeastValue === undefined ? {} : { atLeast: atLeastValue }),
});
export const failed = (error: unknown): Outcome => ({ status: 'error', message: firstLine(error instanceof Error ? error.message : String(error)) });
export const crashed = (error: unknown): Outcome => ({ status: 'error', message: firstLine(error instanceof Error ? error.message : String(error)), crashed: true });

function firstLine(text: string): string {
  return text.split('\n')[0]!.slice(0, 200);
}

/** One outcome in words, for progress lines: `2.310 s`, `timeout (43%)`. */
export function describeOutcome(o: Outcome, unit: string): string {
  switch (o.status) {
    case 'ok':
      return `${o.lowerBound ? '>= ' : ''}${Number.isInteger(o.value) ? o.value : o.value.toFixed(3)} ${unit}`;
    case 'timeout':
      return o.progress === undefined ? 'timeout' : `timeout (${Math.floor(o.progress * 100)}% done)`;
    case 'error':
      return `${o.crashed ? 'crashed' : 'error'}: ${o.message}`;
    case 'n/a':
      return `n/a (${o.reason})`;
  }
}
