/**
 * startup: a tree of N directories exists; the time from spawning the tool until every
 * directory is watched (each tool's own marker, see the notes), then its memory once settled.
 */
import { describeOutcome, ok, type Outcome } from '../outcome';
import { memory } from '../proc';
import type { ToolId } from '../tools/types';
import { sleep } from '../wait';
import { makeDirTree } from '../workload/dirTree';
import { inSandbox, outcomeOf } from './sandbox';
import { cellsOf, type ScenarioContext, type ScenarioResult } from './types';

interface ToolStartup {
  readonly watching: Outcome;
  readonly rss: Outcome;
  readonly hwm: Outcome;
  readonly anon: Outcome;
}

export async function startup(ctx: ScenarioContext, dirs: number): Promise<ScenarioResult> {
  const { deadlineMs, settleMs } = ctx.options.startup;
  const scenario = `startup ${dirs} dirs`;
  const results: Partial<Record<ToolId, ToolStartup>> = {};
  for (const tool of ctx.tools) {
    try {
      results[tool.id] = await inSandbox(ctx, `startup-${dirs}`, tool, { statusFile: true, waitReady: false, prepare: (watch) => makeDirTree(watch, dirs) }, async (running) => {
        const ms = await running.watching(deadlineMs);
        await sleep(settleMs);
        const m = memory(running.pid);
        if (!m) throw new Error(`${tool.id} exited after start-up; ${running.tail()}`);
        return { watching: ok(ms / 1000), rss: ok(m.rssMb), hwm: ok(m.hwmMb), anon: ok(m.anonMb) };
      });
    } catch (error) {
      const o = outcomeOf(ctx, `${scenario}: ${tool.id}`, error);
      results[tool.id] = { watching: o, rss: o, hwm: o, anon: o };
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
    ],
    lines: [],
    notes: [
      `startup N dirs: time from spawn until the tool's "all watched" marker: ${ctx.tools.map((t) => `${t.id}: ${t.watchMarker}`).join('; ')}. Memory ${settleMs / 1000} s later, VmRSS, VmHWM (peak) and RssAnon (resident memory of the process's own, without its program's and libraries' file-backed pages) from /proc/PID/status, summed over the tool's processes without its rsync children (the loop: bash, its subshell and inotifywait; MB = MiB).`,
    ],
    details: {},
  };
}
