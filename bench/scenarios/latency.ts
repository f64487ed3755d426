/**
 * latency: single writes, one at a time, each waited for on the remote by polling the remote
 * file every millisecond. The files exist before the tool starts and are rewritten in place, so
 * each write is one close_write for every tool (a new file would add a create, which the plain
 * loop answers with an rsync of its own). Before each write the tool has no rsync running, so no
 * write waits for the previous one's rsync to end.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { cpuBetween, cpuMark, cpuOf, cpuRows, CPU_NOTE, untilQuiet, type ToolCpu } from '../cpu';
import { ok, timeout, type Outcome } from '../outcome';
import { syncing } from '../proc';
import { summarize } from '../stats';
import type { ToolId } from '../tools/types';
import { sleep, waitUntil } from '../wait';
import { inSandbox, outcomeOf } from './sandbox';
import { cellsOf, type ScenarioContext, type ScenarioResult } from './types';

const fileName = (i: number) => `lat${String(i).padStart(3, '0')}.txt`;

interface ToolLatency {
  readonly p50: Outcome;
  readonly p95: Outcome;
  readonly max: Outcome;
  /** Over all the writes, until the tool is quiet after the last. */
  readonly cpu: ToolCpu;
  /** Ours: the daemon's own event-read-to-spawn p50 over these writes, from its status file. */
  readonly spawnP50?: Outcome;
  readonly samplesMs?: number[];
  readonly timeouts?: number;
}

export async function latency(ctx: ScenarioContext): Promise<ScenarioResult> {
  const { writes, perWriteDeadlineMs, pollMs } = ctx.options.latency;
  const results: Partial<Record<ToolId, ToolLatency>> = {};
  for (const tool of ctx.tools) {
    const prepare = (watch: string) => {
      for (let i = 0; i < writes; i++) fs.writeFileSync(path.join(watch, fileName(i)), '');
    };
    try {
      results[tool.id] = await inSandbox(ctx, 'latency', tool, { statusFile: true, waitReady: true, prepare }, async (running, ws) => {
        await untilQuiet(running.pid, ws.daemon.pid, performance.now() + ctx.options.readyDeadlineMs);
        const before = cpuMark(running.pid, ws.daemon.pid);
        const samples: number[] = [];
        let timeouts = 0;
        for (let i = 0; i < writes; i++) {
          await waitUntil(() => !syncing(running.pid), 2_000, 2);
          await sleep(5);
          const expected = `latency write ${i} for ${tool.id}\n`;
          const remote = path.join(ws.daemon.dir, fileName(i));
          const t0 = performance.now();
          fs.writeFileSync(path.join(ws.watch, fileName(i)), expected);
          const arrived = await waitUntil(() => readOrEmpty(remote) === expected, perWriteDeadlineMs, pollMs);
          const ms = performance.now() - t0;
          if (arrived) samples.push(ms);
          else timeouts++;
        }
        const after = await untilQuiet(running.pid, ws.daemon.pid, performance.now() + perWriteDeadlineMs);
        // A write that never arrived counts as infinitely late: percentiles it reaches are "timeout".
        const s = summarize([...samples, ...Array<number>(timeouts).fill(Infinity)])!;
        const cell = (v: number) => (Number.isFinite(v) ? ok(v) : timeout(samples.length / writes, perWriteDeadlineMs));
        const spawn = running.status ? (await running.status(5_000))?.eventToSpawnMs : undefined;
        return { p50: cell(s.p50), p95: cell(s.p95), max: cell(s.max), cpu: cpuBetween(before, after.mark), ...(spawn ? { spawnP50: ok(spawn.p50) } : {}), samplesMs: samples.map((v) => Math.round(v * 1000) / 1000), timeouts };
      });
    } catch (error) {
      const o = outcomeOf(ctx, `latency: ${tool.id}`, error);
      results[tool.id] = { p50: o, p95: o, max: o, cpu: cpuOf(o) };
    }
    const r = results[tool.id]!;
    ctx.log(`latency: ${tool.id}: p50 ${fmt(r.p50)}, p95 ${fmt(r.p95)}, max ${fmt(r.max)}${r.timeouts ? `, ${r.timeouts} writes never arrived` : ''}`);
  }
  const cells = (pick: (r: ToolLatency) => Outcome) => cellsOf(results, pick);
  const scenario = `latency ${writes}`;
  return {
    rows: [
      { key: 'latency.p50', scenario, metric: 'p50 (ms)', unit: 'ms', cells: cells((r) => r.p50) },
      { key: 'latency.p95', scenario, metric: 'p95 (ms)', unit: 'ms', cells: cells((r) => r.p95) },
      { key: 'latency.max', scenario, metric: 'max (ms)', unit: 'ms', cells: cells((r) => r.max) },
      { key: 'latency.spawn', scenario, metric: 'event -> spawn p50 (ms)', unit: 'ms', cells: cellsOf(results, (r) => r.spawnP50) },
      ...cpuRows('latency', scenario, Object.fromEntries(Object.entries(results).map(([id, r]) => [id, r.cpu])), false),
    ],
    lines: [],
    notes: [
      `latency: ${writes} rewrites of existing files, one at a time, each from the write until the remote file has the new content (polled every ${pollMs} ms, ${perWriteDeadlineMs / 1000} s deadline each), with the tool idle (no rsync running) before each write. "event -> spawn": ours only, measured inside the daemon from the kernel event's read to the return of the spawn call (Node's spawn cost included), p50 over these writes, from its status file. CPU: over all the writes (the polling waits included), until the tool is quiet after the last.`,
      CPU_NOTE,
    ],
    details: Object.fromEntries(Object.entries(results).map(([id, r]) => [id, { samplesMs: r.samplesMs, timeouts: r.timeouts }])),
  };
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function fmt(o: Outcome): string {
  return o.status === 'ok' ? `${o.value.toFixed(1)} ms` : o.status;
}
