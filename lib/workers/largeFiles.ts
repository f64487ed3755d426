/**
 * Batch mode's large-file rule: a sync of a file of LARGE_FILE_BYTES or more is sent apart from
 * its batch (lib/workers/pool.ts), so a big upload never holds up the small files behind it.
 * The sizes of a whole batch are read in one native call, on a libuv thread (native/sizes.c):
 * a synchronous stat per event cost the event loop about 6 us, Stats object included, and an
 * fs.lstat per path about 10 us just to issue. lstat, not stat: a symlink is sent as a link,
 * whatever it points to.
 */
import type { PathEvent, SyncEvent } from '../events/types';
import { largeFilesUnder } from '../inotify/binding';

/** Files this large get an rsync of their own in batch mode. */
const LARGE_FILE_BYTES = 8 * 1024 * 1024;

const NUL = Buffer.from([0]);

/** The paths, each ended by a NUL, as one buffer (one copy when every name is text, as almost all are). */
function pathList(files: readonly PathEvent[]): Buffer {
  const paths = files.map((e) => e.path);
  if (paths.every((p) => typeof p === 'string')) return Buffer.from(`${paths.join('\0')}\0`);
  return Buffer.concat(paths.flatMap((p) => [typeof p === 'string' ? Buffer.from(p) : p, NUL]));
}

/** The finder for files under `root`: which events of a batch are syncs of large files. */
export function largeFileFinder(root: string, threshold = LARGE_FILE_BYTES): (events: readonly SyncEvent[]) => Promise<ReadonlySet<SyncEvent>> {
  return async (events) => {
    const files = events.filter((e): e is PathEvent => e.kind === 'sync' && !e.isDir);
    if (files.length === 0) return new Set();
    const found = await largeFilesUnder(root, pathList(files), threshold);
    return new Set(Array.from(found, (i) => files[i]!));
  };
}
