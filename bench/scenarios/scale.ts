/**
 * scale (issue 23): a tree of N directories (BENCH_SCALE_DIRS) on tmpfs; for each tool, the
 * seconds from spawn until every directory is watched (its own marker), its CPU until then, its
 * memory and the kernel's slab growth a settle later, and whether one file written after that
 * reaches the remote. Each tool also runs once on a tree of 1 directory, so that its memory per
 * directory is (RssAnon at N − RssAnon at 1) / (N − 1): the goals, stated for 1,000,000
 * directories, are judged on that, extrapolated linearly, whatever N the run used.
 */
import fs from 'node:fs';
import path from 'node:path';
import { cpuMark } from '../cpu';
import { describeOutcome, ok, type Outcome } from '../outcome';
import { memory } from '../proc';
import type { Tool, ToolId } from '../tools/types';
import { sleep, waitUntil } from '../wait';
import { makeDirTree } from '../workload/dirTree';
import { inSandbox, outcomeOf } from './sandbox';
import { cellsOf, type ScenarioContext, type ScenarioResult } from './types';

/** The tools the scenario compares: ours (on inotify, and on fanotify when named), inotifywait -mr and sersync2. */
export const SCALE_TOOLS: readonly ToolId[] = ['compat', 'loop', 'sersync2', 'fanotify'];
/** The size the goals are stated for. */
export const GOAL_DIRS = 1_000_000;
const MIRROR_DEADLINE_MS = 20_000;

interface Measured {
  readonly seconds: number;
  readonly cpu: number;
  readonly anonMb: number;
  readonly rssMb: number;
  readonly slabMb: number;
  readonly mirroredS: number | undefined;
}

interface ToolScale {
  readonly watching: Outcome;
  readonly cpu: Outcome;
  readonly rss: Outcome;
  readonly anon: Outcome;
  readonly slab: Outcome;
  readonly mirrored: Outcome;
  readonly perDir: Outcome;
  readonly at1m: Outcome;
  readonly timeAt1m: Outcome;
}

/** The kernel's slab (reclaimable and not) from /proc/meminfo, MB: global, so other work on the machine shows in it too. */
function slabMb(): number {
  const m = /^Slab:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/meminfo', 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

async function measure(ctx: ScenarioContext, tool: Tool, dirs: number): Promise<Measured> {
  const { deadlineMs, settleMs } = ctx.options.scale;
  let slabBefore = 0;
  const prepare = (watch: string) => {
    if (dirs > 1) makeDirTree(watch, dirs - 1); // and the root: `dirs` in all
    slabBefore = slabMb();
  };
  return inSandbox(ctx, `scale-${dirs}`, tool, { statusFile: false, waitReady: false, prepare }, async (running, ws) => {
    const ms = await running.watching(deadlineMs);
    // Spawned from zero: the tool's CPU so far is its start-up's.
    const cpu = cpuMark(running.pid, ws.daemon.pid).tool;
    await sleep(settleMs);
    const m = memory(running.pid);
    if (!m) throw new Error(`${tool.id} exited after start-up; ${running.tail()}`);
    const slab = slabMb() - slabBefore;
    let mirroredS: number | undefined;
    if (dirs > 1) {
      // One file in the deepest kind of directory, after all is watched: is the tree mirrored from there on?
      const rel = path.join('site0', 'page0', 'after-ready.txt');
      const t0 = performance.now();
      fs.writeFileSync(path.join(ws.watch, rel), 'after ready\n');
      const arrived = await waitUntil(() => fs.existsSync(path.join(ws.daemon.dir, rel)), MIRROR_DEADLINE_MS, 20);
      mirroredS = arrived ? (performance.now() - t0) / 1000 : undefined;
    }
    return { seconds: ms / 1000, cpu, anonMb: m.anonMb, rssMb: m.rssMb, slabMb: slab, mirroredS };
  });
}

export async function scale(ctx: ScenarioContext): Promise<ScenarioResult> {
  const { dirs } = ctx.options.scale;
  const scenario = `scale ${dirs} dirs`;
  const tools = ctx.tools.filter((t) => SCALE_TOOLS.includes(t.id));
  const fanotify = tools.some((t) => t.id === 'fanotify');
  const results: Partial<Record<ToolId, ToolScale>> = {};
  for (const tool of tools) {
    try {
      const base = await measure(ctx, tool, 1);
      const big = await measure(ctx, tool, dirs);
      const perDirB = ((big.anonMb - base.anonMb) * 1048576) / (dirs - 1);
      results[tool.id] = {
        watching: ok(big.seconds),
        cpu: ok(big.cpu),
        rss: ok(big.rssMb),
        anon: ok(big.anonMb),
        slab: ok(big.slabMb),
        mirrored: big.mirroredS === undefined ? { status: 'timeout' } : ok(big.mirroredS),
        perDir: ok(perDirB),
        at1m: ok(base.anonMb + (perDirB * (GOAL_DIRS - 1)) / 1048576),
        timeAt1m: ok((big.seconds * GOAL_DIRS) / dirs),
      };
    } catch (error) {
      const o = outcomeOf(ctx, `${scenario}: ${tool.id}`, error);
      results[tool.id] = { watching: o, cpu: o, rss: o, anon: o, slab: o, mirrored: o, perDir: o, at1m: o, timeAt1m: o };
    }
    const r = results[tool.id]!;
    ctx.log(`${scenario}: ${tool.id}: ${describeOutcome(r.watching, 's')}, RssAnon ${describeOutcome(r.anon, 'MB')}, ${describeOutcome(r.perDir, 'B')} per directory`);
  }
  const cells = (pick: (r: ToolScale) => Outcome) => cellsOf(results, pick);
  const key = `scale-${dirs}`;
  return {
    rows: [
      { key: `${key}.time`, scenario, metric: 'all watched (s)', unit: 's', cells: cells((r) => r.watching) },
      { key: `${key}.cpu`, scenario, metric: 'CPU until watched (s)', unit: 'CPU s', cells: cells((r) => r.cpu) },
      { key: `${key}.rss`, scenario, metric: 'VmRSS (MB)', unit: 'MB', cells: cells((r) => r.rss) },
      { key: `${key}.anon`, scenario, metric: 'RssAnon (MB)', unit: 'MB', cells: cells((r) => r.anon) },
      { key: 'scale.per-dir', scenario, metric: 'own memory per directory (B)', unit: 'B', cells: cells((r) => r.perDir) },
      { key: 'scale.anon-1m', scenario, metric: 'RssAnon at 1,000,000, extrapolated (MB)', unit: 'MB', cells: cells((r) => r.at1m) },
      { key: 'scale.time-1m', scenario, metric: 'all watched at 1,000,000, extrapolated (s)', unit: 's', cells: cells((r) => r.timeAt1m) },
      { key: `${key}.slab`, scenario, metric: 'kernel slab growth (MB)', unit: 'MB', cells: cells((r) => r.slab) },
      { key: `${key}.mirrored`, scenario, metric: 'a write after ready mirrored (s)', unit: 's', cells: cells((r) => r.mirrored) },
    ],
    lines: [],
    notes: [
      `scale N dirs: the start-up tree's shape (top directories of 100), N = BENCH_SCALE_DIRS (${dirs} here), on ${ctx.root}; each tool watches it after a run on a tree of 1 directory (its baseline). All watched: each tool's own marker, as in startup (ours: "watch path is"; inotifywait -mr: "Watches established."; sersync2: the end of its walk); CPU: the tool's own, from spawn until then. Memory ${ctx.options.scale.settleMs / 1000} s later (RssAnon: the process's own). Per directory: (RssAnon at N − at 1) / (N − 1); at 1,000,000: the baseline plus that per directory, and the time × 1,000,000 / N, both linear extrapolations (exact when N = 1,000,000). Kernel slab growth: /proc/meminfo Slab at that moment less before the spawn (machine-wide, after the tree was made; on tmpfs the inodes and dentries exist anyway, so this is the watches' own cost). Mirrored: one file written in site0/page0 after that, until it is in the remote module.${fanotify ? ' ours fanotify: compat with --watcher fanotify (one filesystem mark, no walk: its time and memory do not grow with N, so its extrapolations are only exact at N = 1,000,000, where the goals read them).' : ' ours fanotify: not run (BENCH_TOOLS=...,fanotify, as root).'}`,
    ],
    details: {},
  };
}
