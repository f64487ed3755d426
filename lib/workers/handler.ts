/**
 * What a worker does with one event: one rsync per remote, all remotes in parallel; failures go to
 * the failure handler; then the plugin, once every rsync has finished.
 */
import type { SyncEvent } from '../events/types';
import type { FailureHandler } from '../failLog/failures';
import type { Remote } from '../localpath/config';
import type { PluginDispatcher } from '../plugin/hook';
import { rsyncCommands, type CommandSettings } from '../rsync/command';
import { succeeded, type CommandRunner } from '../runner/shell';
import type { EventHandler } from './pool';

export interface HandlerDeps {
  /** Undefined with `-m PLUGIN`: no rsync at all. */
  readonly rsync: { readonly settings: CommandSettings; readonly remotes: readonly Remote[] } | undefined;
  readonly runner: CommandRunner;
  readonly failures: FailureHandler;
  /** Gets each path event once its rsyncs are done; delivers beside the workers. */
  readonly plugin: PluginDispatcher | undefined;
  /** Called with each command before it runs (`<debug start="true">` prints them, as sersync2). */
  readonly trace: (command: string) => void;
}

/** The rsync commands an event stands for; also what the fail log gets for an event that never ran. */
export function commandsFor(deps: Pick<HandlerDeps, 'rsync'>, event: SyncEvent): string[] {
  return deps.rsync ? rsyncCommands(deps.rsync.settings, deps.rsync.remotes, event) : [];
}

/** Failed commands are retried in order per remote. */
export function remoteLane(remote: Remote): string {
  return `${remote.ip}::${remote.name}`;
}

export function createHandler(deps: HandlerDeps): EventHandler {
  return async (event) => {
    const commands = commandsFor(deps, event);
    const statuses = await Promise.all(
      commands.map((command) => {
        deps.trace(command);
        return deps.runner.run(command);
      }),
    );
    statuses.forEach((status, i) => {
      const remote = deps.rsync?.remotes[i];
      if (!succeeded(status)) deps.failures.failed(commands[i]!, status, remote ? remoteLane(remote) : '');
    });
    if (event.kind !== 'full') deps.plugin?.submit(event);
  };
}
