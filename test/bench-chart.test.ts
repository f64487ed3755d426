/** bench/chart.ts: the SVG is well-formed XML and its bars, whiskers and notes say what the figures say. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sax from 'sax';
import { type ChartGroup, renderChart } from '../bench/chart';

interface Node {
  readonly name: string;
  readonly attrs: Record<string, string>;
  readonly children: Node[];
  text: string;
}

/** A strict sax parser (it throws on any well-formedness error) building a small element tree. */
function parse(xml: string): Node {
  const parser = sax.parser(true);
  const root: Node = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: Node[] = [root];
  parser.onopentag = (tag) => {
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(tag.attributes)) attrs[k] = String(v);
    const node: Node = { name: tag.name, attrs, children: [], text: '' };
    stack[stack.length - 1]!.children.push(node);
    stack.push(node);
  };
  parser.onclosetag = () => void stack.pop();
  parser.ontext = (t) => {
    stack[stack.length - 1]!.text += t;
  };
  parser.onerror = (e) => {
    throw e;
  };
  parser.write(xml).close();
  assert.equal(stack.length, 1, 'every element closed');
  return root;
}

function all(node: Node, pred: (n: Node) => boolean, out: Node[] = []): Node[] {
  if (pred(node)) out.push(node);
  for (const c of node.children) all(c, pred, out);
  return out;
}

const byClass = (cls: string) => (n: Node) => n.attrs.class === cls;

/** The row of `tool` in the `index`th panel: rows are named by their <title>. */
function row(doc: Node, index: number, tool: string): Node {
  const panel = all(doc, byClass('panel'))[index];
  assert.ok(panel, `panel ${index} exists`);
  const rows = all(panel, byClass('row')).filter((r) => r.children.some((c) => c.name === 'title' && c.text === tool));
  assert.equal(rows.length, 1, `one row for ${tool}`);
  return rows[0]!;
}

function num(n: Node, attr: string): number {
  const v = Number(n.attrs[attr]);
  assert.ok(Number.isFinite(v), `${n.name}@${attr} is a number: ${n.attrs[attr]}`);
  return v;
}

const TOOLS = ['ours', 'loop', 'lsyncd'];
const GROUPS: ChartGroup[] = [
  {
    scenario: 'burst 2,000',
    panels: [
      {
        title: 'time',
        metric: 'converged (s)',
        bars: [
          { tool: 'ours', value: 2, min: 1.5, max: 2.5 },
          { tool: 'loop', value: 4, min: 3, max: 10 },
          { tool: 'lsyncd', note: 'timeout (5%)' },
        ],
      },
      {
        title: 'CPU',
        metric: 'CPU total (s)',
        bars: [
          { tool: 'lsyncd', value: 1.2345 },
          { tool: 'ours', value: 0.5 },
          { tool: 'loop', value: 1 },
        ],
      },
    ],
  },
];

test('the output is well-formed SVG 1.1 with no script and no external reference', () => {
  const svg = renderChart('bench', GROUPS, TOOLS);
  const doc = parse(svg);
  const root = doc.children[0]!;
  assert.equal(root.name, 'svg');
  assert.equal(root.attrs.xmlns, 'http://www.w3.org/2000/svg');
  assert.equal(root.attrs.version, '1.1');
  assert.equal(all(doc, (n) => n.name === 'script' || n.name === 'image').length, 0);
  assert.doesNotMatch(svg, /href|url\(/);
});

test("a bar's width is proportional to its median within a panel", () => {
  const doc = parse(renderChart('bench', GROUPS, TOOLS));
  const bar = (tool: string) => all(row(doc, 0, tool), byClass('bar'))[0]!;
  const ours = bar('ours');
  const loop = bar('loop');
  assert.ok(num(ours, 'width') > 0);
  assert.ok(Math.abs(num(loop, 'width') / num(ours, 'width') - 2) < 0.01, 'value 4 is twice value 2');
  assert.equal(num(ours, 'x'), num(loop, 'x'), 'bars start at the same zero');
  // The scale ends at the largest max (10): the loop's median 4 fills 0.4 of it, so its whisker's
  // end (10) is 2.5 times the bar's width from zero.
  const whisker = all(row(doc, 0, 'loop'), byClass('whisker'))[0]!.children[0]!;
  assert.ok(Math.abs((num(whisker, 'x2') - num(loop, 'x')) / num(loop, 'width') - 2.5) < 0.01);
  // Each panel has its own scale: in the CPU panel the largest value (1.2345) is the scale's end,
  // so 1 (the loop) is not drawn at the time panel's width for 1.
  const cpuLoop = all(row(doc, 1, 'loop'), byClass('bar'))[0]!;
  const cpuMax = all(row(doc, 1, 'lsyncd'), byClass('bar'))[0]!;
  assert.ok(Math.abs(num(cpuLoop, 'width') / num(cpuMax, 'width') - 1 / 1.2345) < 0.01);
  assert.ok(num(cpuMax, 'width') > num(loop, 'width'), 'the CPU panel scales to its own max');
});

test('the whisker spans min..max with a cap at each end', () => {
  const doc = parse(renderChart('bench', GROUPS, TOOLS));
  const r = row(doc, 0, 'ours');
  const bar = all(r, byClass('bar'))[0]!;
  const perUnit = num(bar, 'width') / 2;
  const zero = num(bar, 'x');
  const lines = all(r, byClass('whisker'))[0]!.children;
  assert.equal(lines.length, 3, 'a span and two caps');
  const [span, capLo, capHi] = lines as [Node, Node, Node];
  assert.ok(Math.abs(num(span, 'x1') - (zero + 1.5 * perUnit)) < 0.02, 'starts at min 1.5');
  assert.ok(Math.abs(num(span, 'x2') - (zero + 2.5 * perUnit)) < 0.02, 'ends at max 2.5');
  assert.equal(num(capLo, 'x1'), num(span, 'x1'));
  assert.equal(num(capHi, 'x1'), num(span, 'x2'));
  assert.ok(num(capLo, 'y2') - num(capLo, 'y1') > 0, 'the cap is vertical');
  assert.equal(all(row(doc, 1, 'ours'), byClass('whisker')).length, 0, 'no range, no whisker');
});

test('the median is printed with 3 significant digits and the unit of the metric', () => {
  const doc = parse(renderChart('bench', GROUPS, TOOLS));
  assert.equal(all(row(doc, 1, 'lsyncd'), byClass('value'))[0]!.text, '1.23 s');
  assert.equal(all(row(doc, 0, 'loop'), byClass('value'))[0]!.text, '4 s');
});

test('a note replaces a missing bar, in grey', () => {
  const doc = parse(renderChart('bench', GROUPS, TOOLS));
  const r = row(doc, 0, 'lsyncd');
  assert.equal(all(r, byClass('bar')).length, 0);
  const note = all(r, byClass('note'));
  assert.equal(note.length, 1);
  assert.equal(note[0]!.text, 'timeout (5%)');
  assert.equal(note[0]!.attrs.fill, '#888888');
  assert.equal(all(row(doc, 0, 'ours'), byClass('note')).length, 0, 'a bar with a value has no note');
});

test('every text is escaped for XML', () => {
  const nasty = `a<b&c"d'e>`;
  const groups: ChartGroup[] = [
    { scenario: nasty, panels: [{ title: nasty, metric: `m (${nasty})`, bars: [{ tool: nasty, value: 1 }, { tool: 'x', note: nasty }] }] },
  ];
  const svg = renderChart(nasty, groups, [nasty, 'x']);
  assert.doesNotMatch(svg, /a<b/);
  assert.match(svg, /a&lt;b&amp;c&quot;d&apos;e&gt;/);
  const doc = parse(svg);
  assert.equal(all(doc, byClass('title'))[0]!.text, nasty);
  assert.equal(all(doc, byClass('scenario'))[0]!.text, nasty);
  assert.equal(all(row(doc, 0, 'x'), byClass('note'))[0]!.text, nasty);
  assert.equal(all(row(doc, 0, nasty), byClass('value'))[0]!.text, `1 ${nasty}`);
});

test('the same input gives the same bytes; a different figure gives different ones', () => {
  const a = renderChart('bench', GROUPS, TOOLS);
  const b = renderChart('bench', structuredClone(GROUPS), [...TOOLS]);
  assert.equal(a, b);
  const changed = structuredClone(GROUPS);
  (changed[0]!.panels[0]!.bars[0] as { value: number }).value = 2.2;
  assert.notEqual(renderChart('bench', changed, TOOLS), a);
});

test('a tool keeps its colour in every panel, and the legend shows it', () => {
  const doc = parse(renderChart('bench', GROUPS, TOOLS));
  const fill = (panel: number, tool: string) => all(row(doc, panel, tool), byClass('bar'))[0]!.attrs.fill;
  assert.equal(fill(0, 'ours'), fill(1, 'ours'));
  assert.notEqual(fill(0, 'ours'), fill(0, 'loop'));
  const legend = all(doc, byClass('legend'))[0]!;
  assert.deepEqual(
    all(legend, (n) => n.name === 'text').map((t) => t.text),
    TOOLS,
  );
});

test('no groups: a valid SVG with just the title', () => {
  const doc = parse(renderChart('nothing measured', [], TOOLS));
  const texts = all(doc, (n) => n.name === 'text');
  assert.deepEqual(
    texts.map((t) => t.text),
    ['nothing measured'],
  );
  assert.equal(all(doc, (n) => n.attrs.class === 'bar' || n.attrs.class === 'legend').length, 0);
  assert.ok(num(doc.children[0]!, 'height') > 0);
});
