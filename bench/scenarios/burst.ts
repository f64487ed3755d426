/**
 * burst: N small files in N/100 directories written as fast as possible; the time from the first
 * write until the remote tree equals the local one, and the rsync runs it took. At the end ours
 * is asked for its status file (SIGUSR1), which carries the daemon's own event-to-spawn latency.
 */
import { performance } from 'node:perf_hooks';
import { waitForConvergence } from '../converge';
import { atLeast, describeOutcome, ok, timeout, type Outcome } from '../outcome';
import type { OurStatus, ToolId } from '../tools/types';
import { writeBurst } from '../workload/burst';
import { inSandbox, outcomeOf } from './sandbox';
import { cellsOf, type ScenarioContext, type ScenarioResult } from './types';

interface ToolBurst {
  readonly time: Outcome;
  readonly runs: Outcome;
  readonly writeMs?: number;
  readonly status?: OurStatus;
}

export async function burst(ctx: ScenarioContext, files: number): Promise<ScenarioResult> {
  const name = `burst ${files}`;
  const deadlineMs = ctx.options.burst.deadlineMs(files);
  const results: Partial<Record<ToolId, ToolBurst>> = {};
  for (const tool of ctx.tools) {
    try {
      results[tool.id] = await inSandbox(ctx, `burst-${files}`, tool, { statusFile: true, waitReady: true }, async (running, ws) => {
        ws.rsync.reset(); // lsyncd's initial sync of the empty tree is not the burst's
        const t0 = performance.now();
        writeBurst(ws.watch, files);
        const writeMs = performance.now() - t0;
        const c = await waitForConvergence(ws.watch, ws.daemon.dir, t0, t0 + deadlineMs);
        const runs = ws.rsync.runs();
        const status = running.status ? await running.status(5_000) : undefined;
        const time = c.converged ? ok(c.ms / 1000) : timeout(c.progress, c.ms / 1000);
        return { time, runs: c.converged ? ok(runs) : atLeast(runs), writeMs, ...(status ? { status } : {}) };
      });
    } catch (error) {
      const o = outcomeOf(ctx, `${name}: ${tool.id}`, error);
      results[tool.id] = { time: o, runs: o };
    }
    const r = results[tool.id]!;
    ctx.log(`${name}: ${tool.id}: ${describeOutcome(r.time, 's')}, ${describeOutcome(r.runs, 'rsync runs')}`);
  }
  const cells = (pick: (r: ToolBurst) => Outcome) => cellsOf(results, pick);
  return {
    rows: [
      { key: `burst-${files}.time`, scenario: name, metric: 'converged (s)', unit: 's', cells: cells((r) => r.time) },
      { key: `burst-${files}.runs`, scenario: name, metric: 'rsync runs', unit: 'runs', cells: cells((r) => r.runs) },
    ],
    lines: [...overheadLines(name, results), ...runLines(name, results.compat)],
    notes: [
      `burst N: N files of ~20 bytes in N/100 directories, written back to back by one process; time from the first write until the remote tree equals the local one (deadline ${describeDeadlines(ctx)}); "timeout (x%)" is the share of the tree mirrored at the deadline.`,
    ],
    details: Object.fromEntries(Object.entries(results).map(([id, r]) => [id, { writeMs: r.writeMs, status: r.status }])),
  };
}

/** "compat overhead: event read -> spawn" from ours' status file, when it has the field. */
function overheadLines(name: string, results: Partial<Record<ToolId, ToolBurst>>): string[] {
  const r = results.compat;
  if (!r) return [];
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

function describeDeadlines(ctx: ScenarioContext): string {
  return ctx.options.burst.sizes.map((n) => `${ctx.options.burst.deadlineMs(n) / 1000} s for ${n}`).join(', ');
}
