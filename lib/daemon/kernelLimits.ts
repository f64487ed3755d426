/**
 * sersync2 raises the inotify limits at start (through the shell, failures ignored). We write
 * them directly, only upwards, only as root, and say what we did.
 */
import fs from 'node:fs';
import type { WatcherKind } from '../fanotify/auto';

export interface KernelLimit {
  readonly file: string;
  readonly sysctl: string;
  readonly value: number;
}

export const KERNEL_LIMITS: readonly KernelLimit[] = [
  { file: '/proc/sys/fs/inotify/max_user_watches', sysctl: 'fs.inotify.max_user_watches', value: 50_000_000 },
  { file: '/proc/sys/fs/inotify/max_queued_events', sysctl: 'fs.inotify.max_queued_events', value: 327_679 },
];

/** Where fanotify may watch: its one mark sees the whole filesystem, so its queue (16,384 by default) gets inotify's. */
export const FANOTIFY_LIMIT: KernelLimit = { file: '/proc/sys/fs/fanotify/max_queued_events', sysctl: 'fs.fanotify.max_queued_events', value: 327_679 };

/**
 * With several configs in one process, each has an inotify instance of its own (its overflow is its
 * own), and the kernel's default of 128 per user is shared with every other program of root's: a
 * host with a config per site ran out. sersync2 ran one config per process and never needed it.
 */
export const INSTANCES_LIMIT: KernelLimit = { file: '/proc/sys/fs/inotify/max_user_instances', sysctl: 'fs.inotify.max_user_instances', value: 8192 };

/** The limits a start raises: fanotify's where it may watch, the instances' where several configs run. */
export function limitsFor(watcher: WatcherKind, several: boolean): KernelLimit[] {
  return [...KERNEL_LIMITS, ...(watcher === 'inotify' ? [] : [FANOTIFY_LIMIT]), ...(several ? [INSTANCES_LIMIT] : [])];
}

export function raiseKernelLimits(log: (message: string) => void, limits: readonly KernelLimit[] = KERNEL_LIMITS, isRoot = process.getuid?.() === 0): void {
  for (const limit of limits) {
    let current: number;
    try {
      current = Number(fs.readFileSync(limit.file, 'utf8').trim());
    } catch {
      continue;
    }
    if (current >= limit.value) continue;
    if (!isRoot) {
      log(`${limit.sysctl} is ${current} (sersync2 sets ${limit.value}); not root, so it stays`);
      continue;
    }
    try {
      fs.writeFileSync(limit.file, `${limit.value}\n`);
      log(`raised ${limit.sysctl} from ${current} to ${limit.value}`);
    } catch (error) {
      log(`could not raise ${limit.sysctl} from ${current}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  }
}
