/** The goals, judged against the table: met, missed, or not measured in this run. */
import type { Outcome } from './outcome';
import type { Row } from './scenarios/types';
import type { ToolId } from './tools/types';

export type Verdict = 'met' | 'missed' | 'not measured';

export interface GoalResult {
  readonly goal: string;
  readonly verdict: Verdict;
  /** The figures behind the verdict. */
  readonly detail: string;
}

interface Goal {
  readonly goal: string;
  judge(cell: (key: string, tool: ToolId) => Outcome | undefined): GoalResult;
}

/** How ours may stand to a peer: at most `factor` times it, or at most `slack` more. */
type Bound = { readonly factor: number } | { readonly slack: number };

/** `ours` against `peer` on row `key`, within `bound`. */
function versus(goal: string, key: string, ours: ToolId, peer: ToolId, bound: Bound, unit: string): Goal {
  const within = (o: number, p: number) => ('factor' in bound ? o / p <= bound.factor : o - p <= bound.slack);
  const compare = (o: number, p: number) => ('factor' in bound ? `${(o / p).toFixed(2)}×` : `${(o - p).toFixed(3)} ${unit} more`);
  return {
    goal,
    judge(cell) {
      const o = cell(key, ours);
      const p = cell(key, peer);
      if (o?.status === 'ok' && !o.lowerBound && p?.status === 'ok' && !p.lowerBound) {
        return { goal, verdict: within(o.value, p.value) ? 'met' : 'missed', detail: `${o.value.toFixed(3)} ${unit} vs ${p.value.toFixed(3)} ${unit}: ${compare(o.value, p.value)}` };
      }
      // A peer that timed out while ours finished: ours is below the bound, and the bound may already decide.
      if (o?.status === 'ok' && !o.lowerBound && p?.status === 'timeout' && p.atLeast !== undefined && within(o.value, p.atLeast)) {
        return { goal, verdict: 'met', detail: `${o.value.toFixed(3)} ${unit} vs more than ${p.atLeast.toFixed(3)} ${unit} (${peer} timed out)` };
      }
      if (o?.status === 'timeout') return { goal, verdict: 'missed', detail: `${ours} timed out` };
      return { goal, verdict: 'not measured', detail: `needs ${key} for ${ours} and ${peer}` };
    },
  };
}

/** `tool` at most `limit` on row `key`. */
function absolute(goal: string, key: string, tool: ToolId, limit: number, unit: string): Goal {
  return {
    goal,
    judge(cell) {
      const o = cell(key, tool);
      if (o?.status === 'ok') return { goal, verdict: o.value <= limit && !o.lowerBound ? 'met' : 'missed', detail: `${o.value.toFixed(3)} ${unit} (limit ${limit} ${unit})` };
      if (o?.status === 'timeout') return { goal, verdict: 'missed', detail: `${tool} timed out` };
      return { goal, verdict: 'not measured', detail: `needs ${key} for ${tool}` };
    },
  };
}

/** What each directory past 20,000 adds to the tool's own memory (RssAnon), at most `limitKib`. */
function perWatch(goal: string, tool: ToolId, limitKib: number): Goal {
  return {
    goal,
    judge(cell) {
      const small = cell('startup-20000.anon', tool);
      const big = cell('startup-100000.anon', tool);
      if (small?.status !== 'ok' || big?.status !== 'ok') return { goal, verdict: 'not measured', detail: `needs startup-20000.anon and startup-100000.anon for ${tool}` };
      const kib = ((big.value - small.value) * 1024) / 80_000;
      return { goal, verdict: kib <= limitKib ? 'met' : 'missed', detail: `${kib.toFixed(3)} KiB per directory (${small.value.toFixed(1)} MB at 20,000, ${big.value.toFixed(1)} MB at 100,000)` };
    },
  };
}

const GOALS: readonly Goal[] = [
  versus('batch burst 2000 ≤ lsyncd', 'burst-2000.time', 'batch', 'lsyncd', { factor: 1 }, 's'),
  versus('batch burst 10000 ≤ lsyncd', 'burst-10000.time', 'batch', 'lsyncd', { factor: 1 }, 's'),
  versus('batch storm 3000 ≤ lsyncd', 'storm.time', 'batch', 'lsyncd', { factor: 1 }, 's'),
  versus('batch latency p50 ≤ lsyncd + 3 ms', 'latency.p50', 'batch', 'lsyncd', { slack: 3 }, 'ms'),
  versus('latency p50 (ours compat) ≤ 1.05 × plain inotifywait loop', 'latency.p50', 'compat', 'loop', { factor: 1.05 }, 'ms'),
  absolute('event read -> spawn p50 ≤ 2 ms (ours compat, inside the process)', 'latency.spawn', 'compat', 2, 'ms'),
  absolute('startup 20,000 dirs ≤ 1.0 s (ours compat)', 'startup-20000.time', 'compat', 1.0, 's'),
  absolute('RSS ≤ 60 MB at 20,000 dirs (ours compat)', 'startup-20000.rss', 'compat', 60, 'MB'),
  perWatch('own memory per watched directory ≤ 0.5 KiB (ours compat, RssAnon from 20,000 to 100,000 dirs)', 'compat', 0.5),
  absolute('RSS ≤ 120 MB at 100,000 dirs (ours compat)', 'startup-100000.rss', 'compat', 120, 'MB'),
];

export function judgeGoals(rows: readonly Row[]): GoalResult[] {
  const byKey = new Map(rows.map((r) => [r.key, r]));
  return GOALS.map((g) => g.judge((key, tool) => byKey.get(key)?.cells[tool]));
}

export function renderGoals(results: readonly GoalResult[]): string {
  return results.map((r) => `- ${r.verdict === 'met' ? 'met   ' : r.verdict === 'missed' ? 'MISSED' : 'n/a   '} ${r.goal}: ${r.detail}`).join('\n');
}
