/**
 * The chart's input from the table's rows: one group per scenario with two panels, its headline
 * figure (time to converge, p50 latency or time until watching) and the CPU total, each bar the
 * median with its min–max. Kept apart from chart.ts, which knows nothing of the bench's rows.
 */
import type { ChartBar, ChartGroup } from './chart';
import { describeOutcome, type Outcome } from './outcome';
import type { Row } from './scenarios/types';
import { TOOL_IDS, TOOL_LABELS } from './tools/types';

/** The first of these a scenario has is its headline panel. */
const HEADLINES = ['converged (s)', 'p50 (ms)', 'all watched (s)'];
const CPU = 'CPU total (s)';

function barOf(tool: string, o: Outcome | undefined): ChartBar {
  if (!o) return { tool, note: 'not run' };
  if (o.status === 'ok' && !o.lowerBound) return { tool, value: o.value, ...(o.min === undefined ? {} : { min: o.min }), ...(o.max === undefined ? {} : { max: o.max }) };
  return { tool, note: describeOutcome(o, '').trim() };
}

export function chartGroups(rows: readonly Row[]): ChartGroup[] {
  const scenarios = [...new Set(rows.map((r) => r.scenario))];
  const groups: ChartGroup[] = [];
  for (const scenario of scenarios) {
    const mine = rows.filter((r) => r.scenario === scenario);
    const headline = HEADLINES.map((m) => mine.find((r) => r.metric === m)).find((r) => r !== undefined);
    const cpu = mine.find((r) => r.metric === CPU);
    const panels = [headline, cpu]
      .filter((r): r is Row => r !== undefined)
      .map((r) => ({ title: r === cpu ? 'CPU' : r.metric.startsWith('p50') ? 'latency' : 'time', metric: r.metric, bars: TOOL_IDS.map((id) => barOf(TOOL_LABELS[id], r.cells[id])) }));
    if (panels.length > 0) groups.push({ scenario, panels });
  }
  return groups;
}

export const CHART_TOOLS: readonly string[] = TOOL_IDS.map((id) => TOOL_LABELS[id]);
