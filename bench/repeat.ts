/**
 * Every figure is the median of several runs, the tools alternated run by run: run k starts with
 * the tool k places further in the list (compat, batch, lsyncd, loop; then batch, lsyncd, loop,
 * compat; ...), so a drift of the machine's speed during a run (30 % here) does not fall on one
 * tool. The runs' results are merged row by row and tool by tool into one cell each.
 */
import type { Outcome } from './outcome';
import type { Row, ScenarioResult } from './scenarios/types';
import type { ToolId } from './tools/types';

/** The tools (or any list, such as a scenario's variants) in run `k`'s order (0-based): the list rotated by k. */
export function rotation<T>(tools: readonly T[], k: number): T[] {
  if (tools.length === 0) return [];
  const s = k % tools.length;
  return [...tools.slice(s), ...tools.slice(0, s)];
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** The number an outcome stands for in one run: its value, or what a timeout at least scored. */
function figure(o: Outcome): number | null {
  if (o.status === 'ok') return o.value;
  if (o.status === 'timeout') return o.atLeast ?? null;
  return null;
}

/** One cell from the runs' cells: an error or n/a wins, then a timeout (with the figures), else the median. */
export function mergeOutcomes(cells: readonly Outcome[]): Outcome {
  const bad = cells.find((c) => c.status === 'error') ?? cells.find((c) => c.status === 'n/a');
  if (bad) return bad;
  const runs = cells.map(figure);
  const known = runs.filter((r): r is number => r !== null);
  const spread = known.length ? { median: median(known), min: Math.min(...known), max: Math.max(...known), runs } : { runs };
  const timeouts = cells.filter((c) => c.status === 'timeout');
  if (timeouts.length > 0) {
    const progress = timeouts.map((t) => t.progress).filter((p): p is number => p !== undefined);
    // The smallest "at least" of the runs that timed out: the figure the cell is surely above.
    const atLeast = timeouts.map(figure).filter((f): f is number => f !== null);
    return { status: 'timeout', ...(progress.length ? { progress: median(progress) } : {}), ...(atLeast.length ? { atLeast: Math.min(...atLeast) } : {}), ...spread };
  }
  const lowerBound = cells.some((c) => c.status === 'ok' && c.lowerBound);
  return { status: 'ok', value: median(known), ...(lowerBound ? { lowerBound } : {}), ...spread };
}

/**
 * The runs of one step merged: rows by key (in the first run's order), lines and notes once each.
 * A single run is merged too, so every cell in the JSON has the same median, min, max and runs.
 */
export function mergeRuns(results: readonly ScenarioResult[]): ScenarioResult {
  const rows: Row[] = [];
  for (const first of results[0]?.rows ?? []) {
    const same = results.map((r) => r.rows.find((x) => x.key === first.key));
    const cells: Partial<Record<ToolId, Outcome>> = {};
    const ids = new Set(same.flatMap((r) => (r ? (Object.keys(r.cells) as ToolId[]) : [])));
    for (const id of ids) {
      const list = same.map((r) => r?.cells[id]).filter((c): c is Outcome => c !== undefined);
      cells[id] = mergeOutcomes(list);
    }
    rows.push({ ...first, cells });
  }
  const unique = (xs: string[]) => [...new Set(xs)];
  return {
    rows,
    lines: unique(results.flatMap((r, k) => r.lines.map((l) => (results.length > 1 ? `run ${k + 1}: ${l}` : l)))),
    notes: unique(results.flatMap((r) => r.notes)),
    details: { runs: results.map((r) => r.details) },
  };
}
