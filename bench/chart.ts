/**
 * The bench's chart: hand-written SVG 1.1, so a results file can carry its picture without a
 * plotting package. One row per scenario, its panels (time, CPU) side by side, a horizontal bar per
 * tool (the median) with a whisker for min..max. Pure and deterministic: same input, same bytes,
 * so a re-rendered chart only shows up in a diff when a figure changed.
 */

export interface ChartBar {
  readonly tool: string;
  /** median */
  readonly value?: number;
  readonly min?: number;
  readonly max?: number;
  /** shown instead of a bar, e.g. "timeout (5%)" */
  readonly note?: string;
}

export interface ChartPanel {
  readonly title: string;
  /** e.g. "converged (s)" or "CPU total (s)" */
  readonly metric: string;
  readonly bars: readonly ChartBar[];
}

export interface ChartGroup {
  readonly scenario: string;
  readonly panels: readonly ChartPanel[];
}

const WIDTH = 900;
const MARGIN = 12;
const PANEL_GAP = 24;
const TITLE_H = 34;
const LEGEND_H = 24;
const SCENARIO_H = 22;
const PANEL_TITLE_H = 18;
const ROW_H = 20;
const BAR_H = 12;
const AXIS_H = 18;
const GROUP_GAP = 14;
/** Room for the printed median right of the bars. */
const VALUE_W = 64;
/**
 * No text metrics without a renderer: an 11 px sans-serif character is taken as at most 6.5 px
 * wide, so the tool names left of the bars get room for the longest one.
 */
const CHAR_W = 6.5;
const GRID_TICKS = 4;
const NOTE_FILL = '#888888';
/**
 * Okabe–Ito colours: told apart by readers with the common colour-vision deficiencies. Its yellow
 * is left out: too faint on white.
 */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#000000'];

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Every text, in content or attribute, goes through here: tool and scenario names are data. */
function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
}

/** Coordinates to 2 decimals: short output, and no float noise that would vary the bytes. */
function px(n: number): string {
  return String(Number(n.toFixed(2)));
}

/** 3 significant digits, without the exponent toPrecision gives from 1,000 up. */
function formatValue(n: number): string {
  return String(Number(n.toPrecision(3)));
}

/** The unit is what the metric names in its last parentheses: "CPU total (s)" -> "s". */
function unitOf(metric: string): string {
  const m = /\(([^()]*)\)\s*$/.exec(metric);
  return m ? m[1]!.trim() : '';
}

function finite(n: number | undefined): n is number {
  return typeof n === 'number' && Number.isFinite(n);
}

/** A gridline step of 1, 2 or 5 times a power of ten: ticks a reader can add up at a glance. */
function niceStep(max: number): number {
  const raw = max / GRID_TICKS;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const f = raw / pow;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * pow;
}

/** The panel's scale ends at its largest max (or median, for a bar without a range). */
function panelMax(panel: ChartPanel): number {
  let max = 0;
  for (const b of panel.bars) {
    for (const v of [b.value, b.min, b.max]) if (finite(v) && v > max) max = v;
  }
  // All notes or all zeros: any positive scale will do, nothing is drawn to it.
  return max > 0 ? max : 1;
}

function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${px(x)}" y="${px(y)}"${attrs ? ` ${attrs}` : ''}>${escapeXml(content)}</text>`;
}

function line(x1: number, y1: number, x2: number, y2: number): string {
  return `<line x1="${px(x1)}" y1="${px(y1)}" x2="${px(x2)}" y2="${px(y2)}"/>`;
}

/**
 * The tools in the order given, then any tool a bar names that the list lacks, in first-seen
 * order: each keeps one colour and one row position across the whole chart.
 */
function toolOrder(groups: readonly ChartGroup[], tools: readonly string[]): string[] {
  const order = [...new Set(tools)];
  const seen = new Set(order);
  for (const g of groups) {
    for (const p of g.panels) {
      for (const b of p.bars) {
        if (!seen.has(b.tool)) {
          seen.add(b.tool);
          order.push(b.tool);
        }
      }
    }
  }
  return order;
}

interface Layout {
  readonly tools: readonly string[];
  readonly colour: (tool: string) => string;
  readonly labelW: number;
}

function renderPanel(panel: ChartPanel, x: number, y: number, w: number, { tools, colour, labelW }: Layout): string[] {
  const out: string[] = [];
  const plotX = x + labelW;
  const plotW = Math.max(1, w - labelW - VALUE_W);
  const plotTop = y + PANEL_TITLE_H;
  const plotBottom = plotTop + tools.length * ROW_H;
  const max = panelMax(panel);
  const scale = (v: number) => plotX + (Math.max(0, v) / max) * plotW;
  const unit = unitOf(panel.metric);

  out.push(`<g class="panel">`);
  out.push(text(x, y + 12, `${panel.title} — ${panel.metric}`, 'font-size="12" font-weight="bold"'));

  // Gridlines first, so bars and whiskers are drawn over them.
  const step = niceStep(max);
  // Multiples of the step, not a running sum: no float drift into the labels.
  const ticks: number[] = [];
  for (let k = 0; k * step <= max * (1 + 1e-9); k++) ticks.push(k * step);
  out.push(`<g class="grid" stroke="#dddddd" stroke-width="1">`);
  for (const t of ticks) out.push(line(scale(t), plotTop, scale(t), plotBottom));
  out.push('</g>');
  out.push(`<g class="ticks" font-size="10" fill="#555555" text-anchor="middle">`);
  for (const t of ticks) out.push(text(scale(t), plotBottom + 12, formatValue(t)));
  out.push('</g>');

  tools.forEach((tool, i) => {
    const bar = panel.bars.find((b) => b.tool === tool);
    const rowY = plotTop + i * ROW_H;
    const mid = rowY + ROW_H / 2;
    // The tool's name is the row's <title>, so a reader (or a test) can tell which row is whose.
    out.push(`<g class="row"><title>${escapeXml(tool)}</title>`);
    out.push(text(plotX - 6, mid + 4, tool, 'font-size="11" text-anchor="end"'));
    if (bar === undefined || !finite(bar.value)) {
      out.push(text(plotX + 4, mid + 4, bar?.note ?? 'no data', `class="note" font-size="11" fill="${NOTE_FILL}"`));
    } else {
      const end = scale(bar.value);
      out.push(`<rect class="bar" x="${px(plotX)}" y="${px(mid - BAR_H / 2)}" width="${px(end - plotX)}" height="${BAR_H}" fill="${colour(tool)}"/>`);
      let labelX = end;
      if (finite(bar.min) || finite(bar.max)) {
        // A range with one end missing is drawn from the median to the end that is known.
        const lo = scale(finite(bar.min) ? bar.min : bar.value);
        const hi = scale(finite(bar.max) ? bar.max : bar.value);
        const cap = BAR_H / 2 + 2;
        out.push(`<g class="whisker" stroke="#333333" stroke-width="1.5">`);
        out.push(line(lo, mid, hi, mid), line(lo, mid - cap, lo, mid + cap), line(hi, mid - cap, hi, mid + cap));
        out.push('</g>');
        labelX = Math.max(labelX, hi);
      }
      // After the whisker's end, so the whisker never runs through the number.
      const label = unit ? `${formatValue(bar.value)} ${unit}` : formatValue(bar.value);
      out.push(text(labelX + 4, mid + 4, label, 'class="value" font-size="11"'));
    }
    out.push('</g>');
  });
  out.push('</g>');
  return out;
}

export function renderChart(title: string, groups: readonly ChartGroup[], tools: readonly string[]): string {
  const order = toolOrder(groups, tools);
  const colour = (tool: string) => PALETTE[order.indexOf(tool) % PALETTE.length]!;
  const body: string[] = [];
  let y = MARGIN;

  body.push(text(WIDTH / 2, y + 18, title, 'class="title" font-size="16" font-weight="bold" text-anchor="middle"'));
  y += TITLE_H;

  if (groups.length > 0) {
    // The legend: one swatch per tool, spaced evenly along the top.
    const slot = (WIDTH - 2 * MARGIN) / Math.max(1, order.length);
    body.push(`<g class="legend" font-size="11">`);
    order.forEach((tool, i) => {
      const lx = MARGIN + i * slot;
      body.push(`<rect x="${px(lx)}" y="${px(y)}" width="12" height="12" fill="${colour(tool)}"/>`);
      body.push(text(lx + 17, y + 10, tool));
    });
    body.push('</g>');
    y += LEGEND_H;
  }

  for (const g of groups) {
    body.push(`<g class="group">`);
    body.push(text(MARGIN, y + 15, g.scenario, 'class="scenario" font-size="14" font-weight="bold"'));
    y += SCENARIO_H;
    const n = Math.max(1, g.panels.length);
    const panelW = (WIDTH - 2 * MARGIN - (n - 1) * PANEL_GAP) / n;
    // At most 40 % of the panel, so a very long name still leaves the bars their room.
    const longest = Math.max(0, ...order.map((t) => t.length));
    const layout: Layout = { tools: order, colour, labelW: Math.min(panelW * 0.4, longest * CHAR_W + 10) };
    g.panels.forEach((p, i) => {
      body.push(...renderPanel(p, MARGIN + i * (panelW + PANEL_GAP), y, panelW, layout));
    });
    // A group without panels still takes its header line only.
    if (g.panels.length > 0) y += PANEL_TITLE_H + order.length * ROW_H + AXIS_H;
    y += GROUP_GAP;
    body.push('</g>');
  }

  const height = Math.ceil(y + MARGIN);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">`,
    // An opaque background: on GitHub's dark theme a transparent SVG would show black text on black.
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
