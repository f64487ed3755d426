/**
 * Lowering fs.inotify.max_queued_events for a moment, to force an overflow. The limit is taken
 * when an inotify instance is created, so it is lowered only around that, under a lock shared by
 * every test file, and always put back to the value read under the lock.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const LIMIT_FILE = '/proc/sys/fs/inotify/max_queued_events';
/** fanotify's, taken when a group is created (fanotify_init), likewise. */
export const FANOTIFY_LIMIT_FILE = '/proc/sys/fs/fanotify/max_queued_events';
const LOCK = path.join(os.tmpdir(), 'sersync2-tests-max_queued_events.lock');

export async function withQueuedEventsLimit<T>(value: number, create: () => T | Promise<T>, limitFile = LIMIT_FILE): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      fs.closeSync(fs.openSync(LOCK, 'wx'));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock older than a minute was left by a killed run.
      if (Date.now() - fs.statSync(LOCK, { throwIfNoEntry: false })!.mtimeMs > 60_000) fs.rmSync(LOCK, { force: true });
      if (Date.now() > deadline) throw new Error(`${LOCK} is held`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  const original = fs.readFileSync(limitFile, 'utf8');
  try {
    fs.writeFileSync(limitFile, `${value}\n`);
    return await create();
  } finally {
    fs.writeFileSync(limitFile, original);
    fs.rmSync(LOCK, { force: true });
  }
}
