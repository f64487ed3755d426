/**
 * What a worker does with one event: one rsync per remote, all remotes in parallel; failures go to
 * the failure handler; then the plugin, once every rsync has finished.
 */
import type { PathEvent, SyncEvent } from '../events/types';
import { batchCommands } from '../rsync/batch';
import type { FailureHandler } from '../failLog/failures';
import type { Remote } from '../localpath/config';
import type { PluginDispatcher } from '../plugin/hook';
import { rsyncCommand, rsyncCommands, type CommandSettings } from '../rsync/command';
import { render, type RsyncCommand } from '../rsync/commandModel';
import { succeeded } from '../runner/result';
import type { CommandRunner } from '../runner/shell';
import type { EventHandler } from '../workers/pool';

export interface HandlerDeps {
  /** Undefined with `-m PLUGIN`: no rsync at all. */
  readonly rsync: { readonly settings: CommandSettings; readonly remotes: readonly Remote[] } | undefined;
  readonly runner: CommandRunner;
  readonly failures: FailureHandler;
  /** Gets each path event once its rsyncs are done; delivers beside the workers. */
  readonly plugin: PluginDispatcher | undefined;
  /** Called with each command before it runs (`<debug start="true">` prints them, as sersync2). */
  readonly trace: (command: string) => void;
  /** Batch mode: a job of path events becomes a few list commands per remote (lib/rsync/batch.ts). */
  readonly batch?: boolean;
  /** Told the outcome of each rsync, per remote lane (the status file's per-remote counters). */
  readonly onResult?: (lane: string, ok: boolean, seconds: number) => void;
  /** Told, once a job's commands are spawned, how long ago its newest kernel event was read (ms). */
  readonly onSpawned?: (sinceReadMs: number) => void;
}

/** The rsync commands an event stands for, one per remote; also what the fail log gets for an event that never ran. */
export function commandsFor(deps: Pick<HandlerDeps, 'rsync'>, event: SyncEvent): string[] {
  return deps.rsync ? rsyncCommands(deps.rsync.settings, deps.rsync.remotes, event).map(render) : [];
}

/** Failed commands are retried in order per remote. */
export function remoteLane(remote: Remote): string {
  return `${remote.ip}::${remote.name}`;
}

interface Planned {
  readonly command: RsyncCommand;
  readonly lane: string;
}

/**
 * The commands for one job: per event and remote (sersync2's way), or per batch and remote (the
 * pool has already sent large files apart as jobs of their own).
 */
function plan(deps: HandlerDeps, job: readonly SyncEvent[]): Planned[] {
  const rsync = deps.rsync;
  if (!rsync) return [];
  const { settings, remotes } = rsync;
  const paths = job.filter((e): e is PathEvent => e.kind !== 'full');
  if (!deps.batch || paths.length !== job.length) {
    return job.flatMap((event) => remotes.map((remote) => ({ command: rsyncCommand(settings, remote, event), lane: remoteLane(remote) })));
  }
  return remotes.flatMap((remote) => batchCommands(settings, remote, paths).map((command) => ({ command, lane: remoteLane(remote) })));
}

export function createHandler(deps: HandlerDeps): EventHandler {
  return async (job, covered) => {
    const planned = plan(deps, job);
    const running = planned.map(({ command }) => {
      const text = render(command);
      deps.trace(text);
      return deps.runner.run(text);
    });
    // run() spawns before it returns, so this is the event-to-spawn time, Node's spawn included.
    const readAt = Math.max(...job.map((e) => (e.kind === 'full' ? -Infinity : (e.readAt ?? -Infinity))));
    if (planned.length > 0 && readAt > -Infinity) deps.onSpawned?.(performance.now() - readAt);
    const results = await Promise.all(running);
    results.forEach((result, i) => {
      const ok = succeeded(result);
      deps.onResult?.(planned[i]!.lane, ok, result.durationMs / 1000);
      if (!ok) deps.failures.failed(result, planned[i]!.lane);
    });
    for (const event of job) if (event.kind !== 'full') deps.plugin?.submit(event);
    // What the commands covered (the queue added no command of their own) reaches the plugin as sersync2's would.
    for (const event of covered) deps.plugin?.submit(event);
  };
}
