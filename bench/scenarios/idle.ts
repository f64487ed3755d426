/**
 * idle: every tool watches its own tree of N directories, all at the same time, and the CPU
 * each spends over one shared window with no file changing is read from /proc (utime + stime of
 * its processes and of the children they reaped). One window for all keeps a full run short;
 * idle tools barely compete for the two cores.
 */
import { cpuBetween, cpuMark, cpuOf, cpuRows, type CpuMark, type ToolCpu } from '../cpu';
import { describeOutcome, ok, type Outcome } from '../outcome';
import { memory } from '../proc';
import type { RunningTool, ToolId } from '../tools/types';
import { sleep } from '../wait';
import { makeDirTree } from '../workload/dirTree';
import { createWorkspace, type Workspace } from '../workspace';
import { outcomeOf } from './sandbox';
import type { ScenarioContext, ScenarioResult } from './types';

/** Quiet time after the last tool is ready, before the window: start-up work (GC, lsyncd's status) ends. */
const SETTLE_MS = 3_000;

export async function idle(ctx: ScenarioContext): Promise<ScenarioResult> {
  const { dirs, windowMs, readyDeadlineMs } = ctx.options.idle;
  const scenario = `idle ${windowMs / 1000} s, ${dirs} dirs`;
  const cpu: Partial<Record<ToolId, ToolCpu>> = {};
  const rss: Partial<Record<ToolId, Outcome>> = {};
  const started: { ws: Workspace; running?: RunningTool; id: ToolId }[] = [];
  try {
    // One after another, so that no start-up competes with another's; all run together after.
    for (const tool of ctx.tools) {
      const ws = await createWorkspace(ctx.cleanup, ctx.root, `idle-${tool.id}`);
      const entry: (typeof started)[number] = { ws, id: tool.id };
      started.push(entry);
      try {
        makeDirTree(ws.watch, dirs);
        entry.running = tool.start(ctx.cleanup, ws, { statusFile: false });
        await entry.running.ready(readyDeadlineMs);
      } catch (error) {
        rss[tool.id] = outcomeOf(ctx, `idle: ${tool.id}`, error);
        cpu[tool.id] = cpuOf(rss[tool.id]!);
        await entry.running?.stop();
        entry.running = undefined;
      }
    }
    await sleep(SETTLE_MS);
    const live = started.filter((s) => s.running);
    const before = new Map<ToolId, CpuMark>(live.map((s) => [s.id, cpuMark(s.running!.pid, s.ws.daemon.pid)]));
    ctx.log(`${scenario}: window of ${windowMs / 1000} s with ${live.map((s) => s.id).join(', ')} watching`);
    await sleep(windowMs);
    for (const s of live) {
      const m = memory(s.running!.pid);
      if (!m) {
        rss[s.id] = outcomeOf(ctx, `idle: ${s.id}`, new Error(`${s.id} exited during the idle window; ${s.running!.tail()}`));
        cpu[s.id] = cpuOf(rss[s.id]!);
        continue;
      }
      cpu[s.id] = cpuBetween(before.get(s.id)!, cpuMark(s.running!.pid, s.ws.daemon.pid));
      rss[s.id] = ok(m.rssMb);
    }
  } finally {
    for (const s of started.reverse()) {
      await s.running?.stop();
      await s.ws.close();
    }
  }
  for (const tool of ctx.tools) ctx.log(`${scenario}: ${tool.id}: ${describeOutcome(cpu[tool.id]?.total ?? { status: 'n/a', reason: 'not run' }, 'CPU s')}`);
  return {
    rows: [
      ...cpuRows('idle', scenario, cpu, false),
      { key: 'idle.rss', scenario, metric: 'VmRSS (MB)', unit: 'MB', cells: rss },
    ],
    lines: [],
    notes: [
      `idle: all tools at once, each watching its own tree of ${dirs} directories (ours without --status-file, so no timer of ours runs); CPU seconds (utime + stime, children included, of the tool and of its rsync daemon) over one ${windowMs / 1000} s window that starts ${SETTLE_MS / 1000} s after the last tool is ready (lsyncd: after its initial full rsync).`,
    ],
    details: {},
  };
}
