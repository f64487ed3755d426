/**
 * The watch root itself: why it cannot be watched at start (an error the operator can fix, so one
 * line and no stack trace), and how it can be lost later (deleted, moved, unmounted, unreadable).
 */
import fs from 'node:fs';
import util from 'node:util';
import { IN } from './mask';

export class WatchRootError extends Error {
  readonly code = 'WATCH_ROOT';
  constructor(
    readonly root: string,
    /** The errno name: EACCES, ENOENT, ENOTDIR, ENOSPC... */
    readonly errno: string,
  ) {
    super(`cannot watch ${root}: ${reason(errno)}`);
    this.name = 'WatchRootError';
  }
}

/** How the root was lost while running. */
export type RootLoss = { readonly kind: 'gone' } | { readonly kind: 'unreadable'; readonly errno: string };

export function rootLossMessage(root: string, loss: RootLoss): string {
  const what = loss.kind === 'gone' ? 'was deleted, moved or unmounted' : `cannot be read any more (${reason(loss.errno)})`;
  return `the watch directory ${root} ${what}: nothing more is watched`;
}

/**
 * The root's watch: IN_ATTRIB to notice it becoming unreadable (the watcher drops the other entries'
 * IN_ATTRIB unless asked for), and a symlinked root is followed (`watch="/opt/www"` -> /data/www):
 * the IN_DONT_FOLLOW of the other watches only keeps links inside the tree from being watched.
 */
export function rootMask(mask: number): number {
  return (mask & ~IN.DONT_FOLLOW) | IN.ATTRIB;
}

/**
 * The errno name when the daemon cannot read the root or enter it (rsync starts with `cd ROOT`),
 * undefined when it can. access(2) also checks every directory above it.
 */
export function rootUnreadable(root: string): string | undefined {
  try {
    fs.accessSync(root, fs.constants.R_OK | fs.constants.X_OK);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? 'EACCES';
  }
}

const HINTS: Readonly<Record<string, string>> = {
  ENOENT: 'it does not exist',
  ENOTDIR: 'not a directory',
  ENOSPC: 'out of inotify watches (raise fs.inotify.max_user_watches)',
};

/** `permission denied (EACCES)`: the kernel's words, or ours where they would mislead. */
function reason(errno: string): string {
  const described = [...util.getSystemErrorMap().values()].find(([name]) => name === errno)?.[1];
  return `${HINTS[errno] ?? described ?? 'error'} (${errno})`;
}
