/**
 * What the stop writes to the fail log so that nothing is lost: the events still queued, and, when
 * a second signal leaves at once, those still running. Each is written as the commands that would
 * have run (batch commands in batch mode). With -m (no rsync) there is nothing to write.
 */
import { render } from '../command/model';
import { commandsFor, type RsyncPlan } from '../dispatch/plan';
import type { SyncEvent } from '../events/types';
import { failLogEntry, type FailLogFile } from '../failLog/file';
import type { Logger } from '../log/logger';

function write(events: readonly SyncEvent[], rsync: RsyncPlan | undefined, failLog: FailLogFile, reason: string): void {
  if (rsync && events.length) failLog.append(commandsFor(rsync, events).map((c) => failLogEntry(reason, render(c))));
}

export function writeQueued(queued: readonly SyncEvent[], rsync: RsyncPlan | undefined, failLog: FailLogFile, log: Logger): void {
  write(queued, rsync, failLog, 'queued at shutdown');
  if (queued.length) log.info(`${queued.length} queued events written to ${failLog.path}`);
}

export function writeRunning(running: readonly SyncEvent[], rsync: RsyncPlan | undefined, failLog: FailLogFile): void {
  write(running, rsync, failLog, 'running at shutdown');
}
