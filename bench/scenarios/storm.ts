/**
 * storm: the out-of-process workload generator (workload/generator.ts, shared with the tests),
 * one of its mixes (`all`, `mkdir`, `deep`), a fixed printed seed, run as its own process at full
 * speed against the watched tree; the same operations for every tool. Then the time from its
 * start until the remote tree equals the local one, the tail (when the median and the last entry
 * of the final tree arrived after the last operation, bench/tail.ts), and the CPU until the tool
 * is quiet.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { waitForConvergence } from '../converge';
import { cpuBetween, cpuMark, cpuOf, cpuRows, CPU_NOTE, untilQuiet, type ToolCpu } from '../cpu';
import type { StormMix } from '../options';
import { atLeast, describeOutcome, ok, timeout, type Outcome } from '../outcome';
import { GENERATOR } from '../paths';
import { Arrivals, type Tail } from '../tail';
import type { ToolId } from '../tools/types';
import { inSandbox, outcomeOf } from './sandbox';
import { cellsOf, type ScenarioContext, type ScenarioResult } from './types';

interface ToolStorm {
  readonly time: Outcome;
  readonly runs: Outcome;
  readonly cpu: ToolCpu;
  /** Arrivals after the last operation: median entry, last entry, their gap. */
  readonly tail: { readonly median: Outcome; readonly last: Outcome; readonly gap: Outcome };
  readonly opsMs?: number;
}

/** The tail's three cells: figures once converged, the run's own outcome otherwise. */
function tailCells(tail: Tail | undefined, otherwise: Outcome): ToolStorm['tail'] {
  if (!tail) return { median: otherwise, last: otherwise, gap: otherwise };
  return { median: ok(tail.medianS), last: ok(tail.lastS), gap: ok(tail.gapS) };
}

/** The generator in its own process; rejects unless it exits 0 within `deadlineMs`. */
export function runGenerator(args: readonly string[], deadlineMs: number): Promise<void> {
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

export async function storm(ctx: ScenarioContext, mix: StormMix): Promise<ScenarioResult> {
  const { ops, seed, deadlineMs } = ctx.options.storm;
  const key = `storm-${mix}`;
  const scenario = `storm ${mix} ${ops}`;
  const results: Partial<Record<ToolId, ToolStorm>> = {};
  for (const tool of ctx.tools) {
    try {
      results[tool.id] = await inSandbox(ctx, key, tool, { statusFile: true, waitReady: true }, async (running, ws) => {
        await untilQuiet(running.pid, ws.daemon.pid, performance.now() + ctx.options.readyDeadlineMs);
        ws.rsync.reset();
        const outside = path.join(ws.dir, 'outside');
        fs.mkdirSync(outside);
        const before = cpuMark(running.pid, ws.daemon.pid);
        const t0 = performance.now();
        await runGenerator(['--root', ws.watch, '--outside', outside, '--seed', String(seed), '--ops', String(ops), '--mix', mix], deadlineMs);
        const lastOp = performance.now();
        const opsMs = lastOp - t0;
        // The deadline counts from the last operation: the operations' own time is the same for all.
        const end = lastOp + deadlineMs;
        const arrivals = new Arrivals();
        const c = await waitForConvergence(ws.watch, ws.daemon.dir, t0, end, { everyMs: 50, observe: (local, remote, at) => arrivals.see(local, remote, at), exited: running.exited });
        const after = await untilQuiet(running.pid, ws.daemon.pid, end);
        const runs = ws.rsync.runs();
        const time = c.converged ? ok(c.ms / 1000) : timeout(c.progress, c.ms / 1000);
        const tail = c.converged ? arrivals.tail(c.local, lastOp) : undefined;
        return { time, runs: c.converged ? ok(runs) : atLeast(runs), cpu: cpuBetween(before, after.mark), tail: tailCells(tail, c.converged ? time : timeout(c.progress)), opsMs };
      });
    } catch (error) {
      const o = outcomeOf(ctx, `${scenario}: ${tool.id}`, error);
      results[tool.id] = { time: o, runs: o, cpu: cpuOf(o), tail: tailCells(undefined, o) };
    }
    const r = results[tool.id]!;
    // A failure was logged where it was caught.
    if (r.time.status !== 'error') ctx.log(`${scenario}: ${tool.id}: ${describeOutcome(r.time, 's')}, ${describeOutcome(r.runs, 'rsync runs')}, ${describeOutcome(r.cpu.total, 'CPU s')}, tail gap ${describeOutcome(r.tail.gap, 's')}${r.opsMs ? ` (operations took ${(r.opsMs / 1000).toFixed(2)} s)` : ''}`);
  }
  const cells = (pick: (r: ToolStorm) => Outcome) => cellsOf(results, pick);
  return {
    rows: [
      { key: `${key}.time`, scenario, metric: 'converged (s)', unit: 's', cells: cells((r) => r.time) },
      { key: `${key}.tail-median`, scenario, metric: 'median entry after last op (s)', unit: 's', cells: cells((r) => r.tail.median) },
      { key: `${key}.tail-last`, scenario, metric: 'last entry after last op (s)', unit: 's', cells: cells((r) => r.tail.last) },
      { key: `${key}.tail-gap`, scenario, metric: 'last − median entry (s)', unit: 's', cells: cells((r) => r.tail.gap) },
      { key: `${key}.runs`, scenario, metric: 'rsync runs', unit: 'runs', cells: cells((r) => r.runs) },
      ...cpuRows(key, scenario, Object.fromEntries(Object.entries(results).map(([id, r]) => [id, r.cpu])), false),
    ],
    lines: [],
    notes: [
      `storm MIX N: workload/generator.js as its own process (node generator.js --seed ${seed} --ops N --mix MIX; all: mkdir, chains, files made, appended, overwritten, moved, removed, directories moved and rm -rf, moves in and out, cp -a, tar x, symlinks; mkdir: plain mkdir only; deep: mkdir-heavy chains 10-14 levels deep with file churn, renames and rm -rf) at full speed; time from its start until the remote equals the local tree (deadline ${deadlineMs / 1000} s after the last operation).`,
      "storm tail: from the convergence poller's fingerprints (type, size, link target), the time each entry of the final tree first appeared right on the remote, after the last operation (the poller starts then: an entry already right counts as 0); the median entry's time (nearest rank), the last one's and their gap; a poll's resolution (50 ms or more, spaced to a fifth of one core).",
      CPU_NOTE,
    ],
    details: Object.fromEntries(Object.entries(results).map(([id, r]) => [id, { opsMs: r.opsMs }])),
  };
}
