/**
 * The rsync commands a job of events stands for: per event and remote (sersync2's way), or in
 * batch mode per remote, a few list commands for all the job's paths (lib/rsync/batch.ts). The
 * worker handler runs them; the shutdown writes them to the fail log for events that never ran,
 * so the fail log holds what would have run, batch commands in batch mode.
 */
import type { RsyncCommand } from '../command/model';
import type { PathEvent, SyncEvent } from '../events/types';
import type { Remote } from '../localpath/config';
import { batchCommands } from '../rsync/batch';
import { rsyncCommand, type CommandSettings } from '../rsync/command';

/** What the commands are built from. */
export interface RsyncPlan {
  readonly settings: CommandSettings;
  readonly remotes: readonly Remote[];
  /** Batch mode: a job's path events become a few list commands per remote. */
  readonly batch: boolean;
}

/**
 * The commands for a job (the pool has already sent large files apart as jobs of their own) or for
 * events drained at shutdown: full syncs first, each to every remote, then the paths' commands.
 */
export function commandsFor(plan: RsyncPlan, events: readonly SyncEvent[]): RsyncCommand[] {
  const { settings, remotes } = plan;
  if (!plan.batch) return events.flatMap((event) => remotes.map((remote) => rsyncCommand(settings, remote, event)));
  const paths = events.filter((e): e is PathEvent => e.kind !== 'full');
  const full = events.filter((e) => e.kind === 'full').flatMap((event) => remotes.map((remote) => rsyncCommand(settings, remote, event)));
  return paths.length === 0 ? full : [...full, ...remotes.flatMap((remote) => batchCommands(settings, remote, paths))];
}
