/**
 * storm: the out-of-process workload generator (workload/generator.ts, shared with the tests),
 * mix `all`, a fixed printed seed, run as its own process at full speed against the watched
 * tree; the same operations for every tool. Then the time from its start until the remote tree
 * equals the local one, and the CPU until the tool is quiet.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { waitForConvergence } from '../converge';
import { cpuBetween, cpuMark, cpuOf, cpuRows, CPU_NOTE, untilQuiet, type ToolCpu } from '../cpu';
import { atLeast, describeOutcome, ok, timeout, type Outcome } from '../outcome';
import { GENERATOR } from '../paths';
import type { ToolId } from '../tools/types';
import { inSandbox, outcomeOf } from './sandbox';
import { cellsOf, type ScenarioContext, type ScenarioResult } from './types';

interface ToolStorm {
  readonly time: Outcome;
  readonly runs: Outcome;
  readonly cpu: ToolCpu;
  readonly opsMs?: number;
}

/** The generator in its own process; rejects unless it exits 0 within `deadlineMs`. */
function runGenerator(args: readonly string[], deadlineMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [GENERATOR, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`the storm generator exited with ${code ?? signal}: ${err.trim().split('\n')[0] ?? ''}`));
    });
  });
}

export async function storm(ctx: ScenarioContext): Promise<ScenarioResult> {
  const { ops, seed, mix, deadlineMs } = ctx.options.storm;
  const scenario = `storm ${ops}`;
  const results: Partial<Record<ToolId, ToolStorm>> = {};
  for (const tool of ctx.tools) {
    try {
      results[tool.id] = await inSandbox(ctx, 'storm', tool, { statusFile: true, waitReady: true }, async (running, ws) => {
        await untilQuiet(running.pid, ws.daemon.pid, performance.now() + ctx.options.readyDeadlineMs);
        ws.rsync.reset();
        const outside = path.join(ws.dir, 'outside');
        fs.mkdirSync(outside);
        const before = cpuMark(running.pid, ws.daemon.pid);
        const t0 = performance.now();
        await runGenerator(['--root', ws.watch, '--outside', outside, '--seed', String(seed), '--ops', String(ops), '--mix', mix], deadlineMs);
        const opsMs = performance.now() - t0;
        // The deadline counts from the last operation: the operations' own time is the same for all.
        const end = performance.now() + deadlineMs;
        const c = await waitForConvergence(ws.watch, ws.daemon.dir, t0, end, 50);
        const after = await untilQuiet(running.pid, ws.daemon.pid, end);
        const runs = ws.rsync.runs();
        return { time: c.converged ? ok(c.ms / 1000) : timeout(c.progress, c.ms / 1000), runs: c.converged ? ok(runs) : atLeast(runs), cpu: cpuBetween(before, after.mark), opsMs };
      });
    } catch (error) {
      const o = outcomeOf(ctx, `storm: ${tool.id}`, error);
      results[tool.id] = { time: o, runs: o, cpu: cpuOf(o) };
    }
    const r = results[tool.id]!;
    ctx.log(`${scenario}: ${tool.id}: ${describeOutcome(r.time, 's')}, ${describeOutcome(r.runs, 'rsync runs')}, ${describeOutcome(r.cpu.total, 'CPU s')}${r.opsMs ? ` (operations took ${(r.opsMs / 1000).toFixed(2)} s)` : ''}`);
  }
  const cells = (pick: (r: ToolStorm) => Outcome) => cellsOf(results, pick);
  return {
    rows: [
      { key: 'storm.time', scenario, metric: 'converged (s)', unit: 's', cells: cells((r) => r.time) },
      { key: 'storm.runs', scenario, metric: 'rsync runs', unit: 'runs', cells: cells((r) => r.runs) },
      ...cpuRows('storm', scenario, Object.fromEntries(Object.entries(results).map(([id, r]) => [id, r.cpu])), false),
    ],
    lines: [],
    notes: [
      `storm: workload/generator.js as its own process (node generator.js --seed ${seed} --ops ${ops} --mix ${mix}: mkdir, chains, files made, appended, overwritten, moved, removed, directories moved and rm -rf, moves in and out, cp -a, tar x, symlinks) at full speed; time from its start until the remote equals the local tree (deadline ${deadlineMs / 1000} s after the last operation).`,
      CPU_NOTE,
    ],
    details: Object.fromEntries(Object.entries(results).map(([id, r]) => [id, { opsMs: r.opsMs }])),
  };
}
