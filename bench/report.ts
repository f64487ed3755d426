/**
 * The table: one row per metric, one column per tool, then ours / peer ratios (below 1 means
 * ours is lower: faster, smaller, cheaper). It is a Markdown table, printed as it is and written
 * to the .md results file, so what the terminal shows and what is committed are the same text.
 */
import type { Outcome } from './outcome';
import type { Row, Unit } from './scenarios/types';
import { TOOL_IDS, TOOL_LABELS, type ToolId } from './tools/types';

const RATIOS: ReadonlyArray<readonly [ToolId, ToolId]> = [
  ['compat', 'sersync2'],
  ['compat', 'lsyncd'],
  ['compat', 'loop'],
  ['batch', 'sersync2'],
  ['batch', 'lsyncd'],
  ['batch', 'loop'],
];

const DIGITS: Record<Unit, number> = { s: 2, ms: 1, MB: 1, B: 0, runs: 0, 'CPU s': 2 };

function formatValue(value: number, unit: Unit): string {
  // Sub-second times need more than two decimals to say anything.
  const digits = unit === 's' && value < 0.1 ? 3 : DIGITS[unit];
  return value.toFixed(digits);
}

/** ` (0.33–0.41)` when the cell is the median of several runs. */
function spread(o: Outcome, unit: Unit): string {
  if (o.status !== 'ok' && o.status !== 'timeout') return '';
  if (o.min === undefined || o.max === undefined || (o.runs?.length ?? 0) < 2) return '';
  return ` (${formatValue(o.min, unit)}–${formatValue(o.max, unit)})`;
}

function formatCell(o: Outcome | undefined, unit: Unit): string {
  if (!o) return '-';
  switch (o.status) {
    case 'ok':
      return `${o.lowerBound ? '≥' : ''}${formatValue(o.value, unit)}${spread(o, unit)}`;
    case 'timeout':
      return `${o.progress === undefined ? 'timeout' : `timeout (${Math.floor(o.progress * 100)}%)`}${spread(o, unit)}`;
    case 'error':
      return o.crashed ? 'crashed' : 'error';
    case 'n/a':
      return 'n/a';
  }
}

/** A value and whether it is exact or only a lower bound (a deadline stopped the tool). */
function bound(o: Outcome | undefined): { value: number; exact: boolean } | undefined {
  if (o?.status === 'ok') return { value: o.value, exact: !o.lowerBound };
  if (o?.status === 'timeout' && o.atLeast !== undefined) return { value: o.atLeast, exact: false };
  return undefined;
}

/** ours / peer; "<0.25×" when the peer hit a deadline, ">4.00×" when ours did. */
function ratio(ours: Outcome | undefined, peer: Outcome | undefined): string {
  const o = bound(ours);
  const p = bound(peer);
  if (!o || !p || p.value === 0 || (!o.exact && !p.exact)) return '-';
  const r = (o.value / p.value).toFixed(2);
  if (o.exact && p.exact) return `${r}×`;
  return o.exact ? `<${r}×` : `>${r}×`;
}

function markdownTable(header: readonly string[], body: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

/** Columns shown only when some row has a cell for them (ours on fanotify, where bin/sersync2 has --watcher). */
const OPTIONAL: readonly ToolId[] = ['fanotify'];

export function renderTable(rows: readonly Row[]): string {
  const ids = TOOL_IDS.filter((id) => !OPTIONAL.includes(id) || rows.some((row) => row.cells[id]));
  const header = ['scenario', 'metric', ...ids.map((id) => TOOL_LABELS[id]), ...RATIOS.map(([a, b]) => `${a}/${b}`)];
  const body = rows.map((row) => [
    row.scenario,
    row.metric,
    ...ids.map((id) => formatCell(row.cells[id], row.unit)),
    ...RATIOS.map(([a, b]) => ratio(row.cells[a], row.cells[b])),
  ]);
  return markdownTable(header, body);
}
