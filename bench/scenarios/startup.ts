/**
 * startup: a tree of N directories exists; the time from spawning the tool until every
 * directory is watched (each tool's own marker, see the notes), then its memory once settled,
 * and its CPU from spawn until it is quiet (lsyncd: its start-up rsync included).
 */
import { performance } from 'node:perf_hooks';
import { cpuBetween, cpuOf, cpuRows, CPU_NOTE, untilQuiet, type ToolCpu } from '../cpu';
import { describeOutcome, ok, type Outcome } from '../outcome';
import { cpuSeconds, memory } from '../proc';
import { TOOL_IDS, type ToolId } from '../tools/types';
import { sleep } from '../wait';
import { makeDirTree } from '../workload/dirTree';
import { inSandbox, outcomeOf } from './sandbox';
import { cellsOf, type ScenarioContext, type ScenarioResult } from './types';

interface ToolStartup {
  readonly watching: Outcome;
  readonly rss: Outcome;
  readonly hwm: Outcome;
  readonly anon: Outcome;
  readonly cpu: ToolCpu;
}

export async function startup(ctx: ScenarioContext, dirs: number): Promise<ScenarioResult> {
  const { deadlineMs, settleMs } = ctx.options.startup;
  const scenario = `startup ${dirs} dirs`;
  const results: Partial<Record<ToolId, ToolStartup>> = {};
  for (const tool of ctx.tools) {
    try {
      results[tool.id] = await inSandbox(ctx, `startup-${dirs}`, tool, { statusFile: true, waitReady: false, prepare: (watch) => makeDirTree(watch, dirs) }, async (running, ws) => {
        // The tool was spawned a moment ago: its CPU counts from zero, the daemon's from now.
        const before = { tool: 0, rsyncd: cpuSeconds(ws.daemon.pid) };
        const t0 = performance.now();
        const ms = await running.watching(deadlineMs);
        await sleep(settleMs);
        const m = memory(running.pid);
        if (!m) throw new Error(`${tool.id} exited after start-up; ${running.tail()}`);
        const after = await untilQuiet(running.pid, ws.daemon.pid, t0 + deadlineMs);
        return { watching: ok(ms / 1000), rss: ok(m.rssMb), hwm: ok(m.hwmMb), anon: ok(m.anonMb), cpu: cpuBetween(before, after.mark) };
      });
    } catch (error) {
      const o = outcomeOf(ctx, `${scenario}: ${tool.id}`, error);
      results[tool.id] = { watching: o, rss: o, hwm: o, anon: o, cpu: cpuOf(o) };
    }
    const r = results[tool.id]!;
    ctx.log(`${scenario}: ${tool.id}: ${describeOutcome(r.watching, 's')}, RSS ${describeOutcome(r.rss, 'MB')}, peak ${describeOutcome(r.hwm, 'MB')}`);
  }
  const cells = (pick: (r: ToolStartup) => Outcome) => cellsOf(results, pick);
  return {
    rows: [
      { key: `startup-${dirs}.time`, scenario, metric: 'all watched (s)', unit: 's', cells: cells((r) => r.watching) },
      { key: `startup-${dirs}.rss`, scenario, metric: 'VmRSS (MB)', unit: 'MB', cells: cells((r) => r.rss) },
      { key: `startup-${dirs}.hwm`, scenario, metric: 'VmHWM (MB)', unit: 'MB', cells: cells((r) => r.hwm) },
      { key: `startup-${dirs}.anon`, scenario, metric: 'RssAnon (MB)', unit: 'MB', cells: cells((r) => r.anon) },
      ...cpuRows(`startup-${dirs}`, scenario, Object.fromEntries(Object.entries(results).map(([id, r]) => [id, r.cpu])), false),
    ],
    lines: [],
    notes: [
      `startup N dirs: time from spawn until the tool's "all watched" marker: ${[...ctx.tools].sort((a, b) => TOOL_IDS.indexOf(a.id) - TOOL_IDS.indexOf(b.id)).map((t) => `${t.id}: ${t.watchMarker}`).join('; ')}. Memory ${settleMs / 1000} s later, VmRSS, VmHWM (peak) and RssAnon (resident memory of the process's own, without its program's and libraries' file-backed pages) from /proc/PID/status, summed over the tool's processes without its rsync children (the loop: bash, its subshell and inotifywait; MB = MiB). CPU: from spawn until the tool is quiet after its start-up.`,
      CPU_NOTE,
    ],
    details: {},
  };
}
