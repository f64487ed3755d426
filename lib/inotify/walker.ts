/**
 * Adds the watches of a directory and of everything below it, in lib/inotify/walk.ts's order (a
 * chunk's watches in one native call, then its directories read), into the tree model. A walk is
 * a generator that yields after each directory read: the watcher runs it in slices
 * (lib/inotify/slices.ts), so a walk of a million directories hands the event loop back every
 * few milliseconds instead of holding it for seconds.
 *
 * The start-up walk does a chunk's watches and reads on a libuv thread (InotifyBinding.watchChunk)
 * and waits for them: the syscalls leave the event loop, and several configs' walks share the cores.
 *
 * A directory is watched before it is read, so an entry created meanwhile is either seen by the
 * read or reported by the kernel. The tree lags behind the disk (renames still unread): a
 * directory at a stale path cannot be watched (pendingDirs.ts) or read (unlistedDirs.ts) there;
 * retry() tries both again after each read of the kernel's events.
 */
import { errnoName } from '../errno';
import { concatPath, joinRel, type PathName } from '../paths';
import type { ChunkListing } from './binding';
import type { DirArrival } from './change';
import type { DirNode } from './dirNode';
import { listDirectory, type Report } from './listing';
import { PENDING_TRIES, PendingDirs } from './pendingDirs';
import { rootMask } from './root';
import { Pending, type Step } from './slices';
import { UnlistedDirs } from './unlistedDirs';
import { WalkLevels, type WalkDir } from './walk';
import type { WatchTree } from './watchTree';
import type { InotifyBinding, RawEvent, WatcherOptions } from './watcherTypes';

/** Where a walk starts. */
export interface WalkTop {
  /** Undefined for the root. */
  readonly parent: DirNode | undefined;
  readonly name: PathName;
  /** The event that made the top directory known; below it, each is found by reading. */
  readonly change: DirArrival;
  readonly tries?: number;
  /** Where a created directory's entries go, found as they are read; none for a moved-in tree (its own rsync syncs it whole). */
  readonly report?: Report;
  /** The filter's start-up rules (excludedAtStart): the walks from the root. */
  readonly atStart?: boolean;
  /** Called once the top directory is watched, before its entries are reported. */
  readonly onTopWatched?: () => void;
  /** Each chunk's watches and reads on a libuv thread, waited for (the start-up walk; a walk with `report` reads on the loop). */
  readonly offThread?: boolean;
}

export class Walker {
  private readonly pending = new PendingDirs<DirNode>();
  private readonly unlisted = new UnlistedDirs<DirNode>();

  constructor(
    private readonly inotify: InotifyBinding,
    private readonly options: WatcherOptions,
    private readonly tree: WatchTree,
    /** The root itself could not be watched (an errno name). */
    private readonly onRootError: (code: string) => void,
  ) {}

  /** Watches the tree at `top`; returns how many directories got a watch. */
  *walk(top: WalkTop): Generator<Step, number> {
    const below: DirArrival = top.report ? 'created' : 'movedTo';
    const rel = top.parent !== undefined ? joinRel(this.tree.pathOf(top.parent), top.name) : '';
    const walk = new WalkLevels({ parent: top.parent, name: top.name, rel, change: top.change, tries: top.tries ?? 0 });
    let added = 0;
    for (let chunk = walk.chunk(); chunk; chunk = walk.chunk()) {
      const mask = chunk[0]!.parent !== undefined ? this.options.mask : rootMask(this.options.mask);
      const paths = chunk.map((d) => this.absolute(d.rel));
      let wds: Int32Array;
      let lists: ChunkListing['lists'] | undefined;
      if (top.offThread && !top.report && this.inotify.watchChunk) {
        const job = new Pending(this.inotify.watchChunk(paths, mask, this.options.xfs));
        yield job.done;
        ({ wds, lists } = job.value());
      } else wds = this.inotify.addWatches(paths, mask);
      for (let i = 0; i < chunk.length; i++) {
        const dir = chunk[i]!;
        const wd = wds[i]!;
        if (wd < 0) {
          this.unwatchable(dir, errnoName(-wd));
          continue;
        }
        // A wd the tree holds already is a directory moved here (or reached twice): its node keeps its children.
        const fresh = !this.tree.has(wd);
        const node = this.tree.attach(wd, dir.parent, dir.name, dir.parentFresh);
        if (added++ === 0) top.onTopWatched?.();
        this.options.onProgress?.(this.tree.size);
        walk.found(node, dir.rel, this.list(node, dir.rel, paths[i]!, top, dir.tries, lists?.[i]), below, fresh);
        yield;
      }
    }
    return added;
  }

  /**
   * After a read of the kernel's events, the tree has caught up with more renames: the directories
   * that could not be watched or read at their stale path are tried again. One watched at last gets
   * its event handed up again (`readAt`), at its real path, then its entries.
   */
  *retry(out: Report, readAt: number): Generator<Step, void> {
    for (const p of this.pending.takeAll()) {
      if (!this.tree.isAttached(p.parent)) continue; // gone, or moved out: its events said so
      if (p.tries + 1 >= PENDING_TRIES) {
        this.tree.markStrayed();
        continue;
      }
      const event: RawEvent = { dir: this.tree.pathOf(p.parent), name: p.name, change: p.change, isDir: true, readAt };
      const report = p.change === 'created' ? out : undefined;
      const onTopWatched = () => out.push(event);
      yield* this.walk({ parent: p.parent, name: p.name, change: p.change, tries: p.tries + 1, report, onTopWatched });
    }
    for (const u of this.unlisted.takeAll()) {
      if (!this.tree.isAttached(u.node)) continue;
      if (u.tries + 1 >= PENDING_TRIES) {
        this.tree.markStrayed();
        continue;
      }
      const report = u.created ? out : undefined;
      const rel = this.tree.pathOf(u.node);
      for (const name of this.list(u.node, rel, this.absolute(rel), { report }, u.tries + 1)) {
        yield* this.walk({ parent: u.node, name, change: report ? 'created' : 'movedTo', report });
      }
    }
  }

  /** The entry `name` of `parent` was deleted or moved away: no longer waited for. */
  dropPending(parent: DirNode, name: PathName): void {
    this.pending.drop(parent, name);
  }

  /** The directory left the tree: nothing below it is waited for. */
  forgetParent(node: DirNode): void {
    this.pending.dropParent(node);
  }

  /** Nothing is tried again: the tree is rebuilt from the disk. */
  clear(): void {
    this.pending.clear();
    this.unlisted.clear();
  }

  private absolute(rel: PathName): PathName {
    return rel.length === 0 ? this.options.root : concatPath(this.options.root, '/', rel);
  }

  /** A directory whose watch failed: gone, or moved with an ancestor whose rename is unread yet (tried again), or out of watches. */
  private unwatchable(dir: WalkDir, code: string): void {
    if (dir.parent === undefined) this.onRootError(code);
    else if (code === 'ENOENT' || code === 'ENOTDIR') this.pending.add(dir.parent, dir.name, dir.change, dir.tries);
    else this.options.onUnwatched(dir.rel, code);
  }

  /** Reads a watched directory (or takes what watchChunk read); one renamed since its watch was added is read again by retry(). */
  private list(node: DirNode, rel: PathName, abs: PathName, how: Pick<WalkTop, 'report' | 'atStart'>, tries: number, listed?: readonly PathName[] | number): readonly PathName[] {
    const { report, atStart = false } = how;
    const dirs = listDirectory(this.inotify, this.options, { abs, rel, report, atStart, listed });
    if (!dirs && this.tree.parentOf(node) !== undefined) this.unlisted.add(node, report !== undefined, tries);
    return dirs ?? [];
  }
}
