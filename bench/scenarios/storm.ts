/**
 * storm: seeded random operations (the same ones for every tool), then the time from the first
 * operation until the remote tree equals the local one.
 */
import { performance } from 'node:perf_hooks';
import { waitForConvergence } from '../converge';
import { atLeast, describeOutcome, ok, timeout, type Outcome } from '../outcome';
import type { ToolId } from '../tools/types';
import { runStorm } from '../workload/storm';
import { inSandbox, outcomeOf } from './sandbox';
import { cellsOf, type ScenarioContext, type ScenarioResult } from './types';

interface ToolStorm {
  readonly time: Outcome;
  readonly runs: Outcome;
  readonly opsMs?: number;
}

export async function storm(ctx: ScenarioContext): Promise<ScenarioResult> {
  const { ops, seed, deadlineMs } = ctx.options.storm;
  const scenario = `storm ${ops}`;
  const results: Partial<Record<ToolId, ToolStorm>> = {};
  for (const tool of ctx.tools) {
    try {
      results[tool.id] = await inSandbox(ctx, 'storm', tool, { statusFile: true, waitReady: true }, async (_running, ws) => {
        ws.rsync.reset();
        const t0 = performance.now();
        runStorm(ws.watch, ops, seed);
        const opsMs = performance.now() - t0;
        // The deadline counts from the last operation: the operations' own time is the same for all.
        const c = await waitForConvergence(ws.watch, ws.daemon.dir, t0, performance.now() + deadlineMs, 50);
        const runs = ws.rsync.runs();
        return { time: c.converged ? ok(c.ms / 1000) : timeout(c.progress, c.ms / 1000), runs: c.converged ? ok(runs) : atLeast(runs), opsMs };
      });
    } catch (error) {
      const o = outcomeOf(ctx, `storm: ${tool.id}`, error);
      results[tool.id] = { time: o, runs: o };
    }
    const r = results[tool.id]!;
    ctx.log(`${scenario}: ${tool.id}: ${describeOutcome(r.time, 's')}, ${describeOutcome(r.runs, 'rsync runs')}${r.opsMs ? ` (operations took ${(r.opsMs / 1000).toFixed(2)} s)` : ''}`);
  }
  const cells = (pick: (r: ToolStorm) => Outcome) => cellsOf(results, pick);
  return {
    rows: [
      { key: 'storm.time', scenario, metric: 'converged (s)', unit: 's', cells: cells((r) => r.time) },
      { key: 'storm.runs', scenario, metric: 'rsync runs', unit: 'runs', cells: cells((r) => r.runs) },
    ],
    lines: [],
    notes: [
      `storm: ${ops} seeded operations (seed ${seed}; create, append, overwrite, rename of files and directories, delete, mkdir -p, rm -rf) at full speed; time from the first operation until the remote equals the local tree (deadline ${deadlineMs / 1000} s after the last operation).`,
    ],
    details: Object.fromEntries(Object.entries(results).map(([id, r]) => [id, { opsMs: r.opsMs }])),
  };
}
