/**
 * Whether this machine can run the fanotify tests: root, the addon built, and a filesystem mark
 * allowed on the temp directory's filesystem. The reason when not, for `skip`.
 */
import os from 'node:os';
import { Fanotify, FanotifyError } from '../../lib/fanotify/binding';

let reason: string | false | undefined;

export function fanotifySkip(): string | false {
  reason ??= probe();
  return reason;
}

function probe(): string | false {
  if (process.getuid?.() !== 0) return 'fanotify needs root (CAP_SYS_ADMIN): the tests do not run as root here';
  try {
    new Fanotify({ root: os.tmpdir(), mask: 0x100, onBatch: () => {}, onError: () => {} }).close();
    return false;
  } catch (error) {
    if (error instanceof FanotifyError) return `fanotify cannot mark ${os.tmpdir()}'s filesystem: ${error.message}`;
    throw error;
  }
}

/** The watchers a test of the daemon runs on: inotify always, fanotify where it can. */
export function watchers(): Array<'inotify' | 'fanotify'> {
  return fanotifySkip() ? ['inotify'] : ['inotify', 'fanotify'];
}
