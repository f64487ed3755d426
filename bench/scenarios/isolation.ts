/**
 * isolation (issue 22): one instance's load must not slow another in the same process. Two
 * instances, A and B: while B takes a storm (workload/generator.ts, mix `all`, as the storm
 * scenario runs it), a burst of small files (as the burst scenario writes it) goes into A; the
 * time from the burst's first write until A's remote equals A's tree. Three layouts: A and B in
 * one process (the goal's subject), A and B in two processes (the same machine load, no process
 * shared), A alone with no storm (the goal's baseline), and A alone while the same storm is
 * written into a tree nothing watches (the writer's own load on the machine, without B: what is
 * left of the goal's gap once B's work is taken out). Ours only, compat and batch.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { waitForConvergence } from '../converge';
import { cpuBetween, cpuMark, cpuOf, cpuRows, untilQuiet, type ToolCpu } from '../cpu';
import { makeFleet } from '../instances/fleet';
import { launchOurs, type Launched } from '../instances/launch';
import { describeOutcome, ok, timeout, type Outcome } from '../outcome';
import { rotation } from '../repeat';
import type { ToolId } from '../tools/types';
import { waitUntil } from '../wait';
import { writeBurst } from '../workload/burst';
import { createWorkspace } from '../workspace';
import { outcomeOf } from './sandbox';
import { runGenerator } from './storm';
import { cellsOf, type Row, type ScenarioContext, type ScenarioResult } from './types';

type Layout = 'one' | 'procs' | 'alone' | 'loaded';

const LAYOUTS: readonly Layout[] = ['one', 'procs', 'alone', 'loaded'];

interface Variant {
  readonly tool: Extract<ToolId, 'compat' | 'batch'>;
  readonly layout: Layout;
  readonly id: string;
}

interface Measured {
  readonly time: Outcome;
  /** How long the burst's writer took: the part of A's time no daemon can shorten. */
  readonly written?: Outcome;
  /** Of every process of ours and the daemon, from the burst until A converged: B's storm work included. */
  readonly cpu: ToolCpu;
  /** With a storm: whether it was still running when A converged (else the burst outlasted it). */
  readonly stormOn?: boolean;
}

/** How long the storm must have been under way before the burst: B's tree has entries and B has started an rsync. */
const STORM_START_DEADLINE_MS = 10_000;

export function isolationVariants(tools: readonly ToolId[], k: number): Variant[] {
  const all: Variant[] = [];
  for (const tool of ['compat', 'batch'] as const) {
    if (tools.includes(tool)) for (const layout of LAYOUTS) all.push({ tool, layout, id: `${tool} ${layout}` });
  }
  return rotation(all, k);
}

/** Starts the storm into `watch` and resolves once it is under way (with `runs`: once B has run an rsync too); `done` settles with its error, if any. */
async function startStorm(ctx: ScenarioContext, watch: string, outside: string, runs?: () => number): Promise<{ done: Promise<unknown>; running: () => boolean }> {
  fs.mkdirSync(outside);
  const { seed } = ctx.options.storm;
  let over = false;
  const args = ['--root', watch, '--outside', outside, '--seed', String(seed), '--ops', String(ctx.options.instances.stormOps), '--mix', 'all'];
  const done = runGenerator(args, ctx.options.instances.deadlineMs).then(
    () => {
      over = true;
    },
    (error: unknown) => {
      over = true;
      return error;
    },
  );
  const under = await waitUntil(() => over || (fs.readdirSync(watch).length > 0 && (runs === undefined || runs() > 0)), STORM_START_DEADLINE_MS, 2);
  if (!under || over) {
    const error = await done;
    throw error instanceof Error ? error : new Error(`the storm into B was ${over ? 'over' : 'not under way'} before the burst`);
  }
  return { done, running: () => !over };
}

async function measure(ctx: ScenarioContext, v: Variant): Promise<Measured> {
  const { burst, deadlineMs } = ctx.options.instances;
  const ws = await createWorkspace(ctx.cleanup, ctx.root, `isolation-${v.tool}-${v.layout}`);
  let running: Launched | undefined;
  try {
    const [a, b] = makeFleet(ws, v.layout === 'alone' || v.layout === 'loaded' ? 1 : 2, () => {});
    running = launchOurs(ctx.cleanup, ws, b ? [a!, b] : [a!], v.layout === 'procs' ? 'procs' : 'one', v.tool === 'batch');
    await running.watching(ctx.options.readyDeadlineMs);
    await untilQuiet(running.pids, ws.daemon.pid, performance.now() + ctx.options.readyDeadlineMs);
    ws.rsync.reset();
    const outside = path.join(ws.dir, 'outside');
    let storm: Awaited<ReturnType<typeof startStorm>> | undefined;
    if (b) storm = await startStorm(ctx, b.watch, outside, () => ws.rsync.runs());
    else if (v.layout === 'loaded') {
      const unwatched = path.join(ws.dir, 'unwatched');
      fs.mkdirSync(unwatched);
      storm = await startStorm(ctx, unwatched, outside);
    }
    const before = cpuMark(running.pids, ws.daemon.pid);
    const t0 = performance.now();
    writeBurst(a!.watch, burst);
    const written = ok((performance.now() - t0) / 1000);
    const c = await waitForConvergence(a!.watch, a!.remote, t0, t0 + deadlineMs, { exited: running.exited });
    const cpu = cpuBetween(before, cpuMark(running.pids, ws.daemon.pid));
    const stormOn = storm?.running();
    const stormError = await storm?.done;
    if (stormError) throw stormError;
    return { time: c.converged ? ok(c.ms / 1000) : timeout(c.progress, c.ms / 1000), written, cpu, ...(stormOn === undefined ? {} : { stormOn }) };
  } finally {
    await running?.stop();
    await ws.close();
  }
}

export async function isolation(ctx: ScenarioContext, k: number): Promise<ScenarioResult> {
  const { burst, stormOps } = ctx.options.instances;
  const results: Record<Layout, Partial<Record<ToolId, Measured>>> = { one: {}, procs: {}, alone: {}, loaded: {} };
  const lines: string[] = [];
  for (const v of isolationVariants(ctx.tools.map((t) => t.id), k)) {
    try {
      results[v.layout][v.tool] = await measure(ctx, v);
    } catch (error) {
      const o = outcomeOf(ctx, `isolation: ${v.id}`, error);
      results[v.layout][v.tool] = { time: o, cpu: cpuOf(o) };
    }
    const r = results[v.layout][v.tool]!;
    if (r.stormOn === false) lines.push(`isolation ${v.id}: the storm into B had ended before A converged`);
    if (r.time.status !== 'error') ctx.log(`isolation: ${v.id}: A converged ${describeOutcome(r.time, 's')}, ${describeOutcome(r.cpu.total, 'CPU s')}${r.stormOn === undefined ? '' : `, storm ${r.stormOn ? 'still running' : 'over'} by then`}`);
  }
  const label: Record<Layout, string> = {
    one: `isolation: burst ${burst} into A, B storms, one process`,
    procs: `isolation: burst ${burst} into A, B storms, two processes`,
    alone: `isolation: burst ${burst} into A alone`,
    loaded: `isolation: burst ${burst} into A alone, the storm unwatched`,
  };
  const rows: Row[] = LAYOUTS.flatMap((layout) => {
    const r = results[layout];
    const key = `isolation-${layout}`;
    const cpu = cpuRows(key, label[layout], Object.fromEntries(Object.entries(r).map(([id, m]) => [id, m.cpu])), false).filter((row) => row.key === `${key}.cpu`);
    return [
      { key: `${key}.time`, scenario: label[layout], metric: 'A converged (s)', unit: 's' as const, cells: cellsOf(r, (m) => m.time) },
      { key: `${key}.written`, scenario: label[layout], metric: 'burst written (s)', unit: 's' as const, cells: cellsOf(r, (m) => m.written) },
      ...cpu,
    ];
  });
  return {
    rows,
    lines,
    notes: [
      `isolation: two configs, A and B, each with its own directory of the daemon's module; B takes a storm (workload/generator.js --mix all --ops ${stormOps} --seed ${ctx.options.storm.seed}) and once it is under way (B's tree has entries and an rsync has started) ${burst} files of 1 KB in 20 directories are written into A (the burst's writer); the time from the first write until A's remote equals A's tree; "burst written": until the writer's last file was closed, which no daemon can shorten. "one process": bin/sersync2 -o A.xml -o B.xml; "two processes": one bin/sersync2 per config, under the same storm (the machine's load without a process shared); "A alone": A's config only, no storm; "A alone, the storm unwatched": A's config only, the same storm written into a directory no config watches (the writer's load without B's work). CPU: every process of ours and the daemon, from the first write until A converged (B's storm work included).`,
    ],
    details: Object.fromEntries(LAYOUTS.map((l) => [l, Object.fromEntries(Object.entries(results[l]).map(([id, m]) => [id, { stormOn: m.stormOn }]))])),
  };
}
