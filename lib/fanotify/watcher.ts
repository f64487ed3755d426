/**
 * The fanotify watcher: one filesystem mark instead of a watch per directory, so it is ready at
 * once whatever the tree's size, and the kernel keeps nothing per directory. Each event names its
 * directory by a file handle, placed against the root by DirPaths (dirPaths.ts), and its entry by
 * name; what is outside the root (the rest of the filesystem) or excluded is dropped there, before
 * anything else is done with it. The events handed up are the inotify watcher's (lib/inotify/
 * watcherTypes.ts), so the event rules, the queue and the commands are the same on both:
 * - a merged event is split into its changes (changes.ts);
 * - FAN_RENAME becomes a movedFrom and a movedTo with a cookie of ours, either side alone when the
 *   other is outside the root (moved in or out);
 * - an event on a directory itself (name ".") is its parent's event on its name, as inotify
 *   reports it;
 * - FAN_Q_OVERFLOW asks for a full sync; the root deleted, moved or made unreadable is a RootGone.
 * Paths are resolved when the event is read, not when it happened: a directory renamed since is
 * reported at its new place, which is where rsync must read it anyway (its rename follows).
 */
import fs from 'node:fs';
import path from 'node:path';
import { concatPath, type PathName } from '../paths';
import { StartError } from '../startError';
import { rootUnreadable, WatchRootError, type RootLoss } from '../inotify/root';
import type { RawEvent, WatchEvent, Watcher, WatcherOptions } from '../inotify/watcherTypes';
import { Fanotify, FanotifyError, type FanotifyEvent } from './binding';
import { changesOf } from './changes';
import { DirPaths, splitLast } from './dirPaths';
import { FAN, fanotifyMask } from './mask';

/** What opens the kernel's side: the binding, or a test's. */
export type OpenFanotify = (root: string, mask: number, onBatch: (events: readonly FanotifyEvent[]) => void, onError: (error: Error) => void) => Pick<Fanotify, 'rootKey' | 'resolve' | 'close'>;

const openBinding: OpenFanotify = (root, mask, onBatch, onError) => new Fanotify({ root, mask, onBatch, onError });

export function openFanotifyWatcher(options: WatcherOptions, open: OpenFanotify = openBinding): FanotifyWatcher {
  return new FanotifyWatcher(options, open);
}

export class FanotifyWatcher implements Watcher {
  private kernel: ReturnType<OpenFanotify> | undefined;
  private dirs: DirPaths | undefined;
  private closed = false;
  private cookie = 0;
  private readonly rootName: string;

  constructor(
    private readonly options: WatcherOptions,
    private readonly open: OpenFanotify,
  ) {
    this.rootName = path.basename(path.resolve(options.root));
  }

  /** One mark, whatever the tree: 1 while watching. */
  get watchCount(): number {
    return this.kernel ? 1 : 0;
  }

  async start(): Promise<number> {
    const { root } = this.options;
    const problem = rootUnreadable(root) ?? (fs.statSync(root).isDirectory() ? undefined : 'ENOTDIR');
    if (problem) throw new WatchRootError(root, problem);
    if (this.closed) return 0;
    try {
      this.kernel = this.open(root, fanotifyMask(this.options.mask), (events) => this.handle(events), (error) => this.options.onError?.(error));
    } catch (error) {
      if (error instanceof FanotifyError) throw fanotifyRefused(root, error);
      throw error;
    }
    const realRoot = Buffer.from(fs.realpathSync.native(root, { encoding: 'buffer' }));
    this.dirs = new DirPaths(realRoot, this.options.filter, (key) => this.kernel?.resolve(key) ?? 'EBADF');
    this.options.onProgress?.(1);
    return 1;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.kernel?.close();
    this.kernel = undefined;
  }

  /** One read of the kernel's events, handed up in order. */
  handle(events: readonly FanotifyEvent[]): void {
    const kernel = this.kernel;
    const dirs = this.dirs;
    if (!kernel || !dirs) return;
    const readAt = performance.now();
    const out: WatchEvent[] = [];
    for (const event of events) {
      if (event.mask & FAN.Q_OVERFLOW) {
        dirs.forget();
        out.push({ change: 'resync', reason: 'overflow' });
      } else if (event.dir === kernel.rootKey && event.name === '.') {
        const loss = this.rootChange(event.mask);
        if (loss) {
          out.push({ change: 'rootGone', loss });
          break;
        }
      } else if (event.mask & FAN.RENAME) {
        this.renamed(event, dirs, out, readAt);
      } else if (event.dir !== undefined && event.name !== undefined) {
        this.changed(event, dirs, out, readAt);
        if (out.at(-1)?.change === 'rootGone') break;
      }
    }
    if (out.length > 0) this.options.onEvents(out);
    // The root lost: nothing is watched any more, as on inotify.
    if (out.at(-1)?.change === 'rootGone') this.close();
  }

  /**
   * The root's own DELETE_SELF comes only once the last reference to it goes, so while another
   * process holds it (a shell's working directory) it waits. Its parent's DELETE of its name comes
   * at once, and a deleted directory's handle no longer resolves.
   */
  private rootDeleted(): boolean {
    return typeof this.kernel?.resolve(this.kernel.rootKey) === 'string';
  }

  /** The root's own event (the addon's mark on it): deleted or moved, or its mode changed. */
  private rootChange(mask: number): RootLoss | undefined {
    if (mask & (FAN.DELETE_SELF | FAN.MOVE_SELF)) return { kind: 'gone' };
    const errno = mask & FAN.ATTRIB ? rootUnreadable(this.options.root) : undefined;
    return errno ? { kind: 'unreadable', errno } : undefined;
  }

  private renamed(event: FanotifyEvent, dirs: DirPaths, out: WatchEvent[], readAt: number): void {
    const isDir = (event.mask & FAN.ONDIR) !== 0;
    const from = event.dir === undefined ? undefined : dirs.placeOf(event.dir);
    const to = event.dir2 === undefined ? undefined : dirs.placeOf(event.dir2);
    const cookie = ++this.cookie;
    if (from?.kind === 'inside' && event.name !== undefined) {
      out.push({ dir: from.rel, name: nameOf(event.name, event.nameBytes), change: 'movedFrom', isDir, cookie, readAt });
    }
    if (to?.kind === 'inside' && event.name2 !== undefined) {
      out.push({ dir: to.rel, name: nameOf(event.name2, event.name2Bytes), change: 'movedTo', isDir, cookie, readAt });
    }
    if (isDir && (from?.kind === 'inside' || to?.kind === 'inside')) dirs.forget();
  }

  private changed(event: FanotifyEvent, dirs: DirPaths, out: WatchEvent[], readAt: number): void {
    const place = dirs.placeOf(event.dir!);
    if (place.kind !== 'inside') {
      if (event.mask & FAN.DELETE && event.name === this.rootName && this.rootDeleted()) out.push({ change: 'rootGone', loss: { kind: 'gone' } });
      return;
    }
    let dir = place.rel;
    let name = nameOf(event.name!, event.nameBytes);
    if (name === '.') {
      // The directory's own event (its mode): inotify reports it on its parent, by name.
      if (dir.length === 0) return;
      [dir, name] = splitLast(dir);
    }
    const isDir = (event.mask & FAN.ONDIR) !== 0;
    const exists = () => fs.existsSync(concatPath(this.options.root, '/', dir, dir.length === 0 ? '' : '/', name));
    for (const change of changesOf(event.mask, exists)) {
      if (change === 'attrib' && !(this.options.mask & FAN.ATTRIB)) continue;
      const raw: RawEvent = { dir, name, change, isDir, cookie: 0, readAt };
      out.push(raw);
    }
  }
}

function nameOf(name: string, bytes: Buffer | undefined): PathName {
  return bytes ?? name;
}

/** Why fanotify cannot watch this root, for the operator: one line, with what to do. */
export function fanotifyRefused(root: string, error: FanotifyError): StartError {
  const why: Record<string, string> = {
    EPERM: 'fanotify needs CAP_SYS_ADMIN (run as root)',
    ENOSYS: 'fanotify is not available here',
    EINVAL: 'this kernel lacks FAN_REPORT_DFID_NAME or FAN_RENAME (Linux 5.17 or later)',
    ENODEV: 'its filesystem cannot report file handles',
    EOPNOTSUPP: 'its filesystem cannot report file handles',
    EXDEV: 'it is a subvolume or a bind mount that fanotify cannot mark whole',
  };
  return new StartError('WATCHER', `cannot watch ${root} with fanotify: ${why[error.code] ?? error.message} (${error.code}); use --watcher inotify`);
}
