/**
 * Runs one tool in a fresh workspace: make the tree the scenario asks for, start the tool, wait
 * until it mirrors, run the body, and stop and remove everything whatever happened.
 */
import { CrashError, TimeoutError } from '../child';
import { crashed, failed, timeout, type Outcome } from '../outcome';
import type { RunningTool, StartOptions, Tool } from '../tools/types';
import { createWorkspace, type Workspace } from '../workspace';
import type { ScenarioContext } from './types';

export interface SandboxOptions extends StartOptions {
  /** Fills the watch directory (and the remote one) before the tool starts (its time is not measured). */
  readonly prepare?: (watch: string, remote: string) => void;
  /** Wait for ready() before the body (false: the body measures start-up itself). */
  readonly waitReady: boolean;
}

export async function inSandbox<T>(ctx: ScenarioContext, name: string, tool: Tool, options: SandboxOptions, body: (running: RunningTool, ws: Workspace) => Promise<T>): Promise<T> {
  const ws = await createWorkspace(ctx.cleanup, ctx.root, `${name}-${tool.id}`);
  let running: RunningTool | undefined;
  try {
    options.prepare?.(ws.watch, ws.daemon.dir);
    running = tool.start(ctx.cleanup, ws, options);
    if (options.waitReady) await running.ready(ctx.options.readyDeadlineMs);
    return await body(running, ws);
  } finally {
    await running?.stop();
    await ws.close();
  }
}

/** A thrown error as a table cell: deadlines become "timeout", a tool's exit "crashed", the rest "error" (and a log line). */
export function outcomeOf(ctx: ScenarioContext, what: string, error: unknown): Outcome {
  const message = error instanceof Error ? error.message : String(error);
  ctx.log(`${what}: ${error instanceof TimeoutError ? 'timeout' : error instanceof CrashError ? 'crashed' : 'error'}: ${message}`);
  if (error instanceof TimeoutError) return timeout();
  return error instanceof CrashError ? crashed(error) : failed(error);
}
