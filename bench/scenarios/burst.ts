/**
 * burst: N files of 1 KB in 20 directories written as fast as possible, into an empty tree or
 * (`intoTree`) into a tree that already holds that many files and is already mirrored (both
 * sides copied from one template before the tool starts, so no start-up sync is timed); the time
 * from the first write until the remote tree equals the local one, the rsync runs it took, and
 * the CPU until the tool is quiet. At the end ours is asked for its status file (SIGUSR1), which
 * carries the daemon's own event-to-spawn latency.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { waitForConvergence } from '../converge';
import { cpuBetween, cpuMark, cpuOf, cpuRows, CPU_NOTE, untilQuiet, type ToolCpu } from '../cpu';
import { atLeast, describeOutcome, ok, timeout, type Outcome } from '../outcome';
import type { OurStatus, ToolId } from '../tools/types';
import { copyTree, makeFileTree, writeBurst } from '../workload/burst';
import { inSandbox, outcomeOf } from './sandbox';
import { cellsOf, type ScenarioContext, type ScenarioResult } from './types';

interface ToolBurst {
  readonly time: Outcome;
  readonly runs: Outcome;
  readonly cpu: ToolCpu;
  readonly writeMs?: number;
  readonly status?: OurStatus;
}

/** The template tree of `files` files, made once per bench run and shared by every sandbox. */
function template(ctx: ScenarioContext, files: number): string {
  const dir = path.join(ctx.root, `tree-${files}`);
  if (!fs.existsSync(dir)) makeFileTree(dir, files);
  return dir;
}

export async function burst(ctx: ScenarioContext, files: number, intoTree = 0): Promise<ScenarioResult> {
  const key = intoTree ? `burst-into-${intoTree}` : `burst-${files}`;
  const name = intoTree ? `burst ${files} into ${intoTree}` : `burst ${files}`;
  const deadlineMs = ctx.options.burst.deadlineMs(files + intoTree);
  const tree = intoTree ? template(ctx, intoTree) : undefined;
  const prepare = tree
    ? (watch: string, remote: string) => {
        copyTree(tree, watch);
        copyTree(tree, remote);
      }
    : undefined;
  const results: Partial<Record<ToolId, ToolBurst>> = {};
  for (const tool of ctx.tools) {
    if (intoTree && (tool.id === 'compat' || tool.id === 'sersync2')) {
      // One rsync per event: burst 2000 already shows it past the deadline, and three runs of a
      // 60 s timeout would not fit the 25 minutes; no goal names it here (nor the reference).
      const o: Outcome = { status: 'n/a', reason: 'not run: one rsync per event (see burst 2000)' };
      results[tool.id] = { time: o, runs: o, cpu: cpuOf(o) };
      continue;
    }
    try {
      results[tool.id] = await inSandbox(ctx, key, tool, { statusFile: true, waitReady: true, ...(prepare ? { prepare } : {}) }, async (running, ws) => {
        // lsyncd's initial sync is not the burst's: ready() waited for it, and it must be quiet.
        await untilQuiet(running.pid, ws.daemon.pid, performance.now() + ctx.options.readyDeadlineMs);
        ws.rsync.reset();
        const before = cpuMark(running.pid, ws.daemon.pid);
        const t0 = performance.now();
        writeBurst(ws.watch, files);
        const writeMs = performance.now() - t0;
        const c = await waitForConvergence(ws.watch, ws.daemon.dir, t0, t0 + deadlineMs, { exited: running.exited });
        const after = await untilQuiet(running.pid, ws.daemon.pid, t0 + deadlineMs);
        const runs = ws.rsync.runs();
        const status = running.status ? await running.status(5_000) : undefined;
        const time = c.converged ? ok(c.ms / 1000) : timeout(c.progress, c.ms / 1000);
        return { time, runs: c.converged ? ok(runs) : atLeast(runs), cpu: cpuBetween(before, after.mark, files), writeMs, ...(status ? { status } : {}) };
      });
    } catch (error) {
      const o = outcomeOf(ctx, `${name}: ${tool.id}`, error);
      results[tool.id] = { time: o, runs: o, cpu: cpuOf(o) };
    }
    const r = results[tool.id]!;
    // A failure was logged where it was caught.
    if (r.time.status !== 'error') ctx.log(`${name}: ${tool.id}: ${describeOutcome(r.time, 's')}, ${describeOutcome(r.runs, 'rsync runs')}, ${describeOutcome(r.cpu.total, 'CPU s')}`);
  }
  const cells = (pick: (r: ToolBurst) => Outcome) => cellsOf(results, pick);
  return {
    rows: [
      { key: `${key}.time`, scenario: name, metric: 'converged (s)', unit: 's', cells: cells((r) => r.time) },
      { key: `${key}.runs`, scenario: name, metric: 'rsync runs', unit: 'runs', cells: cells((r) => r.runs) },
      ...cpuRows(key, name, Object.fromEntries(Object.entries(results).map(([id, r]) => [id, r.cpu])), true),
    ],
    lines: [...overheadLines(name, results), ...runLines(name, results.compat)],
    notes: [
      'burst N: N files of 1 KB in 20 directories, written back to back by one process; time from the first write until the remote tree equals the local one; "timeout (x%)" is the share of the tree mirrored at the deadline.',
      `${name}: deadline ${deadlineMs / 1000} s.`,
      'burst N into M: the same burst into a tree of M files of 1 KB (100 per directory) that both sides already hold, copied with cp -a from one template before the tool starts (lsyncd: after its start-up rsync has ended and it is quiet). Ours compat and sersync2 are not run there: one rsync per event, as burst 2000 shows, would only wait out the deadline.',
      CPU_NOTE,
    ],
    details: Object.fromEntries(Object.entries(results).map(([id, r]) => [id, { writeMs: r.writeMs, status: r.status }])),
  };
}

/** "compat overhead: event read -> spawn" from ours' status file, when it has the field. */
function overheadLines(name: string, results: Partial<Record<ToolId, ToolBurst>>): string[] {
  const r = results.compat;
  if (!r || r.time.status === 'n/a') return [];
  const s = r.status?.eventToSpawnMs;
  if (!s) return [`compat overhead: event read -> spawn (${name}): n/a (${r.status ? 'no eventToSpawnMs in the status file' : 'no status file'})`];
  return [`compat overhead: event read -> spawn (${name}): p50 ${s.p50} ms, p95 ${s.p95} ms, max ${s.max} ms over ${s.count} commands`];
}

/** Runs and wall time per run for the compat burst, with ours' own count beside the wrapper's. */
function runLines(name: string, r: ToolBurst | undefined): string[] {
  if (r?.runs.status !== 'ok') return [];
  const runs = r.runs.value;
  const own = r.status?.remotes?.reduce((sum, x) => sum + (x.ok ?? x.successes ?? 0) + (x.failed ?? x.failures ?? 0), 0);
  const ownText = own === undefined ? '' : `; ours' status file counts ${own} (ok + failed)`;
  const seconds = r.time.status === 'ok' ? r.time.value : r.time.status === 'timeout' ? r.time.atLeast : undefined;
  if (seconds === undefined) return [`compat ${name}: ${runs} rsync runs${ownText}`];
  const until = r.time.status === 'ok' ? 'until converged' : 'until the deadline';
  return [`compat ${name}: ${runs} rsync runs in ${seconds.toFixed(1)} s ${until}, ${((seconds * 1000) / Math.max(1, runs)).toFixed(1)} ms per run${ownText}`];
}
