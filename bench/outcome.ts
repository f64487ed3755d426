/** What one tool scored on one metric: a number, or why there is none. */
export type Outcome =
  /** `lowerBound`: the tool was stopped by a deadline, so the real figure is at least `value`. */
  | { readonly status: 'ok'; readonly value: number; readonly lowerBound?: boolean }
  /**
   * The deadline passed: `progress` is the share of the work done by then (0..1), `atLeast` the
   * figure the tool would at least have scored (the time waited), both when known.
   */
  | { readonly status: 'timeout'; readonly progress?: number; readonly atLeast?: number }
  | { readonly status: 'error'; readonly message: string }
  | { readonly status: 'n/a'; readonly reason: string };

export const ok = (value: number): Outcome => ({ status: 'ok', value });
export const atLeast = (value: number): Outcome => ({ status: 'ok', value, lowerBound: true });
export const timeout = (progress?: number, atLeastValue?: number): Outcome => ({
  status: 'timeout',
  ...(progress === undefined ? {} : { progress }),
  ...(atLeastValue === undefined ? {} : { atLeast: atLeastValue }),
});
export const failed = (error: unknown): Outcome => ({ status: 'error', message: firstLine(error instanceof Error ? error.message : String(error)) });

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
      return `error: ${o.message}`;
    case 'n/a':
      return `n/a (${o.reason})`;
  }
}
