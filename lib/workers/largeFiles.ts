/**
 * Batch mode's large-file rule: a sync of a file of LARGE_FILE_BYTES or more is sent apart from
 * its batch (lib/workers/pool.ts), so a big upload never holds up the small files behind it.
 * The sizes are read with asynchronous lstat calls, all of a batch at once: the system calls run
 * on libuv's threads, not on the event loop that reads the kernel's events (a synchronous stat
 * per event cost the loop about 6 us each, Stats object included). lstat, not stat: a symlink is
 * sent as a link, whatever it points to.
 */
import fs from 'node:fs';
import type { SyncEvent } from '../events/types';
import { concatPath } from '../paths';

/** Files this large get an rsync of their own in batch mode. */
export const LARGE_FILE_BYTES = 8 * 1024 * 1024;

/** The finder for files under `root`: which events of a batch are syncs of large files. */
export function largeFileFinder(root: string, threshold = LARGE_FILE_BYTES): (events: readonly SyncEvent[]) => Promise<ReadonlySet<SyncEvent>> {
  return (events) =>
    new Promise((resolve) => {
      const large = new Set<SyncEvent>();
      let pending = 1;
      const done = () => {
        if (--pending === 0) resolve(large);
      };
      for (const event of events) {
        if (event.kind !== 'sync' || event.isDir) continue;
        pending++;
        // A path gone already (in a storm most are) is simply not large.
        fs.lstat(concatPath(root, '/', event.path), (error, stats) => {
          if (!error && stats.isFile() && stats.size >= threshold) large.add(event);
          done();
        });
      }
      done();
    });
}
