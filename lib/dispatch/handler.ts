/**
 * What a worker does with one job: its rsync commands (./plan.ts), all remotes in parallel;
 * failures go to the failure handler; then the plugin, once every rsync has finished.
 */
import type { Command } from '../command/model';
import type { FailureHandler } from '../failLog/failures';
import type { PluginDispatcher } from '../plugin/hook';
import { type CommandResult, succeeded } from '../runner/result';
import type { CommandRunner } from '../runner/shell';
import type { EventHandler } from '../workers/pool';
import { commandsFor, type RsyncPlan } from './plan';

export interface HandlerDeps {
  /** Undefined with `-m PLUGIN`: no rsync at all. */
  readonly rsync: RsyncPlan | undefined;
  readonly runner: CommandRunner;
  readonly failures: FailureHandler;
  /** Gets each path event once its rsyncs are done; delivers beside the workers. */
  readonly plugin: PluginDispatcher | undefined;
  /** Called with each command before it runs (`<debug start="true">` prints them, as sersync2); renders it only then. */
  readonly trace: (command: Command) => void;
  /** Told the outcome of each rsync (the status file's and metrics' per-remote counters). */
  readonly onResult?: (result: CommandResult) => void;
  /** Told, once a job's commands are spawned, how long ago its newest kernel event was read (ms). */
  readonly onSpawned?: (sinceReadMs: number) => void;
}

export function createHandler(deps: HandlerDeps): EventHandler {
  return async (job, covered) => {
    const commands = deps.rsync ? commandsFor(deps.rsync, job) : [];
    const running = commands.map((command) => {
      deps.trace(command);
      return deps.runner.run(command);
    });
    // run() spawns before it returns, so this is the event-to-spawn time, Node's spawn included.
    const readAt = Math.max(...job.map((e) => (e.kind === 'full' ? -Infinity : (e.readAt ?? -Infinity))));
    if (commands.length > 0 && readAt > -Infinity) deps.onSpawned?.(performance.now() - readAt);
    for (const result of await Promise.all(running)) {
      deps.onResult?.(result);
      if (!succeeded(result)) deps.failures.failed(result);
    }
    for (const event of job) if (event.kind !== 'full') deps.plugin?.submit(event);
    // What the commands covered (the queue added no command of their own) reaches the plugin as sersync2's would.
    for (const event of covered) deps.plugin?.submit(event);
  };
}
