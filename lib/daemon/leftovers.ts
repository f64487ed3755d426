/**
 * What the stop writes to the fail log so that nothing is lost: the events still queued, and, when
 * a second signal leaves at once, those still running. With -m (no rsync) there is nothing to write.
 */
import { commandsFor, type HandlerDeps } from '../dispatch/handler';
import type { SyncEvent } from '../events/types';
import { failLogEntry, type FailLogFile } from '../failLog/file';
import type { Logger } from '../log/logger';

export function writeQueued(queued: readonly SyncEvent[], rsync: HandlerDeps['rsync'], failLog: FailLogFile, log: Logger): void {
  if (rsync) failLog.append(queued.flatMap((event) => commandsFor({ rsync }, event).map((c) => failLogEntry('queued at shutdown', c))));
  if (queued.length) log.info(`${queued.length} queued events written to ${failLog.path}`);
}

export function writeRunning(running: readonly SyncEvent[], rsync: HandlerDeps['rsync'], failLog: FailLogFile): void {
  failLog.append(running.flatMap((event) => commandsFor({ rsync }, event).map((c) => failLogEntry('running at shutdown', c))));
}
