/** What a scenario hands to the report: table rows, lines to print under the table, details for the JSON. */
import type { Cleanup } from '../cleanup';
import type { BenchOptions } from '../options';
import type { Outcome } from '../outcome';
import type { Tool, ToolId } from '../tools/types';

export type Unit = 's' | 'ms' | 'MB' | 'B' | 'runs' | 'CPU s';

export interface Row {
  /** Stable key, for the goals and for comparing results files: `burst-2000.time`. */
  readonly key: string;
  /** First column: `burst 2000`. */
  readonly scenario: string;
  /** Second column: `converged (s)`. */
  readonly metric: string;
  readonly unit: Unit;
  readonly cells: Partial<Record<ToolId, Outcome>>;
}

export interface ScenarioResult {
  readonly rows: Row[];
  /** Printed under the table as they are (the compat overhead lines, runs per burst). */
  readonly lines: string[];
  /** What was measured and how, printed once under the table. */
  readonly notes: string[];
  /** Anything else worth keeping in the JSON. */
  readonly details: Record<string, unknown>;
}

export interface ScenarioContext {
  readonly cleanup: Cleanup;
  readonly options: BenchOptions;
  /** This run's temporary directory. */
  readonly root: string;
  readonly tools: readonly Tool[];
  /** Progress, on stderr, so a 10-minute run is not silent. */
  log(line: string): void;
}

/** One row's cells from per-tool results: `pick` takes the row's figure from each tool's result. */
export function cellsOf<R>(results: Partial<Record<ToolId, R>>, pick: (r: R) => Outcome | undefined): Partial<Record<ToolId, Outcome>> {
  const out: Partial<Record<ToolId, Outcome>> = {};
  for (const [id, r] of Object.entries(results) as [ToolId, R][]) {
    const cell = pick(r);
    if (cell) out[id] = cell;
  }
  return out;
}
