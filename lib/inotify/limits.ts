/**
 * When `fs.inotify.max_user_watches` runs out, part of the tree cannot be watched. We keep running
 * (a mirror that is mostly live beats none), but say loudly, at once and every few minutes, how
 * many directories are unwatched and what to raise, and run full syncs to cover them.
 */
import fs from 'node:fs';
import path from 'node:path';

const MAX_USER_WATCHES = '/proc/sys/fs/inotify/max_user_watches';

/** Directories in the tree at `dir`, itself included; stops counting at `cap`. */
export function countDirectories(dir: string | Buffer, cap = 10_000_000): number {
  let count = 0;
  const stack: Array<string | Buffer> = [dir];
  while (stack.length > 0 && count < cap) {
    const d = stack.pop()!;
    count++;
    let entries: fs.Dirent<Buffer>[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true, encoding: 'buffer' });
    } catch {
      continue;
    }
    for (const e of entries) if (e.isDirectory()) stack.push(Buffer.concat([Buffer.from(d), Buffer.from(path.sep), e.name]));
  }
  return count;
}

function currentLimit(): number | undefined {
  try {
    const n = Number(fs.readFileSync(MAX_USER_WATCHES, 'utf8').trim());
    return Number.isSafeInteger(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/** The warning: how many directories are unwatched, how many watches are needed, the sysctl to raise. */
export function watchLimitMessage(unwatched: number, watched: number): string {
  const needed = watched + unwatched;
  const limit = currentLimit();
  // Above the current value even when other inotify users of this uid hold most of it.
  const suggested = Math.max(needed * 2, (limit ?? 0) * 2, 8192);
  return `${unwatched} directories are NOT watched: the inotify watch limit fs.inotify.max_user_watches (${limit ?? 'unknown'}) is exhausted; this tree needs at least ${needed} watches (plus those of other inotify users of this uid): run \`sysctl -w fs.inotify.max_user_watches=${suggested}\` (and set it in /etc/sysctl.d) and restart; until then changes there are only mirrored by the full syncs run every 10 minutes`;
}
