/**
 * instances (issue 22): N instances of D directories each, the many-directories host, started
 * three ways: ours in one process with all N files, ours as N processes (one per -o, the classic
 * way), and one instance alone; and the reference sersync2 as N processes and alone, when given.
 * For each: the time from the first spawn until every instance watches its tree, PSS and RSS
 * summed over the processes (bench/pss.ts) once settled, and the CPU from spawn until quiet.
 */
import { performance } from 'node:perf_hooks';
import { cpuBetween, cpuOf, cpuRows, untilQuiet, type ToolCpu } from '../cpu';
import { makeFleet } from '../instances/fleet';
import { launchOurs, launchReference, type Launched } from '../instances/launch';
import { describeOutcome, ok, type Outcome } from '../outcome';
import { cpuSeconds } from '../proc';
import { footprint } from '../pss';
import { rotation } from '../repeat';
import type { ToolId } from '../tools/types';
import { sleep } from '../wait';
import { makeDirTree } from '../workload/dirTree';
import { createWorkspace } from '../workspace';
import { outcomeOf } from './sandbox';
import { cellsOf, type Row, type ScenarioContext, type ScenarioResult } from './types';

/** How the instances run: all in one process, one process each, or one instance alone. */
type Layout = 'one' | 'procs' | 'alone';

interface Variant {
  readonly tool: Extract<ToolId, 'compat' | 'sersync2'>;
  readonly layout: Layout;
  /** Stands for the variant in rotation() and in log lines. */
  readonly id: string;
}

interface Measured {
  readonly time: Outcome;
  readonly pss: Outcome;
  readonly rss: Outcome;
  readonly cpu: ToolCpu;
  readonly processes?: number;
}

/** The variants this run has, in run `k`'s order (rotated by k, as the tools are elsewhere). */
export function instanceVariants(tools: readonly ToolId[], k: number): Variant[] {
  const all: Variant[] = [];
  if (tools.includes('compat')) for (const layout of ['one', 'procs', 'alone'] as const) all.push({ tool: 'compat', layout, id: `compat ${layout}` });
  if (tools.includes('sersync2')) for (const layout of ['procs', 'alone'] as const) all.push({ tool: 'sersync2', layout, id: `sersync2 ${layout}` });
  return rotation(all, k);
}

async function measure(ctx: ScenarioContext, v: Variant): Promise<Measured> {
  const { count, dirs, deadlineMs, settleMs } = ctx.options.instances;
  const ws = await createWorkspace(ctx.cleanup, ctx.root, `instances-${v.tool}-${v.layout}`);
  let running: Launched | undefined;
  try {
    const fleet = makeFleet(ws, v.layout === 'alone' ? 1 : count, (watch) => makeDirTree(watch, dirs));
    const rsyncdBefore = cpuSeconds(ws.daemon.pid);
    const t0 = performance.now();
    if (v.tool === 'sersync2') running = launchReference(ctx.cleanup, ws, fleet, ctx.options.sersync2Ref!);
    else running = launchOurs(ctx.cleanup, ws, fleet, v.layout === 'procs' ? 'procs' : 'one', false);
    const ms = await running.watching(deadlineMs);
    await sleep(settleMs);
    const f = footprint(running.pids);
    const ended = running.exited();
    if (!f || ended) throw new Error(`${v.id}: a process exited after start-up (${ended ?? 'gone'}); ${running.tail().slice(-600)}`);
    // Every process was spawned a moment before t0: its CPU counts from zero, the daemon's from then.
    const after = await untilQuiet(running.pids, ws.daemon.pid, t0 + deadlineMs);
    return { time: ok(ms / 1000), pss: ok(f.pssMb), rss: ok(f.rssMb), cpu: cpuBetween({ tool: 0, rsyncd: rsyncdBefore }, after.mark), processes: f.processes };
  } finally {
    await running?.stop();
    await ws.close();
  }
}

const LAYOUTS: readonly Layout[] = ['one', 'procs', 'alone'];

export async function instances(ctx: ScenarioContext, k: number): Promise<ScenarioResult> {
  const { count, dirs } = ctx.options.instances;
  const results: Record<Layout, Partial<Record<ToolId, Measured>>> = { one: {}, procs: {}, alone: {} };
  for (const v of instanceVariants(ctx.tools.map((t) => t.id), k)) {
    try {
      results[v.layout][v.tool] = await measure(ctx, v);
    } catch (error) {
      const o = outcomeOf(ctx, `instances: ${v.id}`, error);
      results[v.layout][v.tool] = { time: o, pss: o, rss: o, cpu: cpuOf(o) };
    }
    const r = results[v.layout][v.tool]!;
    if (r.time.status !== 'error') ctx.log(`instances: ${v.id}: watching ${describeOutcome(r.time, 's')}, PSS ${describeOutcome(r.pss, 'MB')}, RSS ${describeOutcome(r.rss, 'MB')} over ${r.processes ?? '?'} processes, ${describeOutcome(r.cpu.total, 'CPU s')}`);
  }
  const label: Record<Layout, string> = { one: `instances ${count}×${dirs}: one process`, procs: `instances ${count}×${dirs}: ${count} processes`, alone: `instances 1×${dirs}: alone` };
  const rows: Row[] = LAYOUTS.flatMap((layout) => {
    const r = results[layout];
    const scenario = label[layout];
    const key = `instances-${layout}`;
    const cpu = cpuRows(key, scenario, Object.fromEntries(Object.entries(r).map(([id, m]) => [id, m.cpu])), false).filter((row) => row.key === `${key}.cpu`);
    return [
      { key: `${key}.time`, scenario, metric: 'all watched (s)', unit: 's' as const, cells: cellsOf(r, (m) => m.time) },
      { key: `${key}.pss`, scenario, metric: 'PSS, sum (MB)', unit: 'MB' as const, cells: cellsOf(r, (m) => m.pss) },
      { key: `${key}.rss`, scenario, metric: 'RSS, sum (MB)', unit: 'MB' as const, cells: cellsOf(r, (m) => m.rss) },
      ...cpu,
    ];
  });
  return {
    rows,
    lines: [],
    notes: [
      `instances N×D: N configs (conf/i00.xml ...), each watching its own tree of D directories (the start-up tree's shape) and sending to its own directory of one rsync module (mirror/i00 ...) on the loopback daemon; nothing is written. "one process": ours, bin/sersync2 -o i00.xml -o i01.xml ... (compat mode); "N processes": one bin/sersync2 -o FILE (or sersync2 -o FILE) per config, spawned back to back; "alone": one config. All watched: from the first spawn until the last instance's "watch path is:" line (ours: "[i07] watch path is: DIR" with several files; sersync2: the end of its walk, as in start-up). PSS and RSS: sums of Pss and Rss from /proc/PID/smaps_rollup over the processes, ${ctx.options.instances.settleMs / 1000} s after all watched (PSS divides a page among the processes that map it, so it depends on what else maps node's binary: the bench's own node process does, and so would other node processes on the machine). CPU: from spawn until quiet.`,
    ],
    details: Object.fromEntries(LAYOUTS.map((l) => [l, Object.fromEntries(Object.entries(results[l]).map(([id, m]) => [id, { processes: m.processes }]))])),
  };
}
