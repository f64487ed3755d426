/**
 * `--watcher auto`: fanotify for a big tree where it can be had, inotify otherwise.
 *
 * Big means 100,000 directories or more. Below that, inotify is ready in about a second and
 * costs the kernel about 100 MB (1 KiB a watch), and it sees only the tree, where a filesystem
 * mark sees the whole filesystem and filters in user space. Above it, each directory adds walk
 * time at start and kernel memory, and the filesystem mark costs neither. The directories are
 * counted until the threshold, no further (readdir with d_type: about 1 s for 100,000 here), so a
 * small tree costs one quick walk more and a huge one at most that second.
 */
import { StartError } from '../startError';
import { countDirectories } from '../inotify/limits';
import { openInotifyWatcher } from '../inotify/watcher';
import type { Watcher, WatcherOptions } from '../inotify/watcherTypes';
import { openFanotifyWatcher } from './watcher';

export const WATCHER_KINDS = ['inotify', 'fanotify', 'auto'] as const;
export type WatcherKind = (typeof WATCHER_KINDS)[number];

export const BIG_TREE = 100_000;

/** Opens the watcher of that kind; `say` gets auto's one line on what it chose and why. */
export function openWatcherOfKind(kind: WatcherKind, options: WatcherOptions, say: (line: string) => void): Watcher {
  if (kind === 'inotify') return openInotifyWatcher(options);
  if (kind === 'fanotify') return openFanotifyWatcher(options);
  return new AutoWatcher(options, say);
}

class AutoWatcher implements Watcher {
  private chosen: Watcher | undefined;
  private closed = false;

  constructor(
    private readonly options: WatcherOptions,
    private readonly say: (line: string) => void,
  ) {}

  get watchCount(): number {
    return this.chosen?.watchCount ?? 0;
  }

  async start(): Promise<number> {
    const big = countDirectories(this.options.root, BIG_TREE) >= BIG_TREE;
    if (this.closed) return 0;
    if (big && process.getuid?.() === 0) {
      const fanotify = openFanotifyWatcher(this.options);
      try {
        const watched = await this.use(fanotify);
        this.say(`watcher: fanotify (${BIG_TREE} directories or more under ${this.options.root})`);
        return watched;
      } catch (error) {
        if (!(error instanceof StartError)) throw error;
        this.say(`watcher: inotify, since ${error.message.replace(/; use --watcher inotify$/, '')}`);
      }
    } else if (big) {
      this.say('watcher: inotify (fanotify would need root)');
    }
    return this.use(openInotifyWatcher(this.options));
  }

  private use(watcher: Watcher): Promise<number> {
    this.chosen = watcher;
    if (this.closed) watcher.close();
    return watcher.start();
  }

  close(): void {
    this.closed = true;
    this.chosen?.close();
  }
}
