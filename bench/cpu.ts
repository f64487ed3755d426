/**
 * CPU seconds of a tool and of the rsync daemon it sends to, over one measured stretch. Both are
 * process trees read from /proc (bench/proc.ts): the tool with its reaped children (its rsyncs),
 * the daemon with the per-connection children it forks and reaps. A stretch ends when the tool is
 * quiet again, not when the remote converged: work a tool does after convergence is still its cost.
 */
import { performance } from 'node:perf_hooks';
import { ok, type Outcome } from './outcome';
import { cpuSeconds, syncing } from './proc';
import type { Row } from './scenarios/types';
import type { ToolId } from './tools/types';
import { sleep } from './wait';

export interface CpuMark {
  readonly tool: number;
  readonly rsyncd: number;
}

/** How long the trees' CPU must stay unchanged for the tool to count as quiet. */
const STILL_MS = 500;

/** A tool's process, or its several processes (one per config, as the classic multi-instance host runs them). */
export type ToolPids = number | readonly number[];

const pidsOf = (p: ToolPids): readonly number[] => (typeof p === 'number' ? [p] : p);

export function cpuMark(toolPid: ToolPids, daemonPid: number): CpuMark {
  return { tool: pidsOf(toolPid).reduce((sum, pid) => sum + cpuSeconds(pid), 0), rsyncd: cpuSeconds(daemonPid) };
}

/**
 * Waits until no rsync runs under the tool and neither tree's CPU moved for STILL_MS, at most
 * until `deadline` (performance.now()); returns the mark then and whether quiet was reached.
 */
export async function untilQuiet(toolPid: ToolPids, daemonPid: number, deadline: number): Promise<{ mark: CpuMark; quiet: boolean }> {
  let last = cpuMark(toolPid, daemonPid);
  let stillSince = performance.now();
  for (;;) {
    await sleep(100);
    const now = cpuMark(toolPid, daemonPid);
    const t = performance.now();
    if (now.tool !== last.tool || now.rsyncd !== last.rsyncd || pidsOf(toolPid).some(syncing)) stillSince = t;
    last = now;
    if (t - stillSince >= STILL_MS) return { mark: now, quiet: true };
    if (t > deadline) return { mark: now, quiet: false };
  }
}

export interface ToolCpu {
  readonly tool: Outcome;
  readonly rsyncd: Outcome;
  readonly total: Outcome;
  /** Per 1,000 files mirrored (bursts only). */
  readonly perThousand?: Outcome;
}

/** The CPU between two marks, as cells; `files` adds the per-1,000-files figure. */
export function cpuBetween(before: CpuMark, after: CpuMark, files?: number): ToolCpu {
  const tool = after.tool - before.tool;
  const rsyncd = after.rsyncd - before.rsyncd;
  return { tool: ok(tool), rsyncd: ok(rsyncd), total: ok(tool + rsyncd), ...(files ? { perThousand: ok(((tool + rsyncd) * 1000) / files) } : {}) };
}

/** One failure (an error, a timeout) in every CPU cell. */
export const cpuOf = (o: Outcome): ToolCpu => ({ tool: o, rsyncd: o, total: o, perThousand: o });

/** The CPU rows of a scenario: `key.cpu-tool`, `key.cpu-rsyncd`, `key.cpu`, and `key.cpu-per-1000` with files. */
export function cpuRows(key: string, scenario: string, cpu: Partial<Record<ToolId, ToolCpu | undefined>>, perFiles: boolean): Row[] {
  const cells = (pick: (c: ToolCpu) => Outcome | undefined) => {
    const out: Partial<Record<ToolId, Outcome>> = {};
    for (const [id, c] of Object.entries(cpu) as [ToolId, ToolCpu | undefined][]) {
      const o = c && pick(c);
      if (o) out[id] = o;
    }
    return out;
  };
  return [
    { key: `${key}.cpu-tool`, scenario, metric: 'CPU tool (s)', unit: 'CPU s', cells: cells((c) => c.tool) },
    { key: `${key}.cpu-rsyncd`, scenario, metric: 'CPU rsyncd (s)', unit: 'CPU s', cells: cells((c) => c.rsyncd) },
    { key: `${key}.cpu`, scenario, metric: 'CPU total (s)', unit: 'CPU s', cells: cells((c) => c.total) },
    ...(perFiles ? [{ key: `${key}.cpu-per-1000`, scenario, metric: 'CPU per 1,000 files (s)', unit: 'CPU s' as const, cells: cells((c) => c.perThousand) }] : []),
  ];
}

export const CPU_NOTE =
  'CPU (s): utime + stime from /proc of the tool and the children it reaped (its rsyncs), and of the receiving rsync daemon with the per-connection children it reaped; from the start of the workload until the tool is quiet (converged, no rsync running, no CPU tick for 0.5 s, capped by the deadline), so work done after convergence counts.';
