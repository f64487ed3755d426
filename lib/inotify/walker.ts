/**
 * Adds the watches of a directory and of everything below it, in lib/inotify/walk.ts's order (a
 * chunk's watches in one native call, then its directories read), into the tree model. A walk is
 * a generator that yields after each directory read: the watcher runs it in slices
 * (lib/inotify/slices.ts), so a walk of a million directories hands the event loop back every
 * few milliseconds instead of holding it for seconds.
 *
 * The start-up walk does a chunk's watches and reads on a libuv thread (InotifyBinding.watchChunk)
 * and waits for them: the syscalls leave the event loop, and several configs' walks share the cores.
 * The job goes on below its chunk until it has done CHUNK directories, so a small tree is one job,
 * not one per level: at start with 20 configs of 1,000 directories, 8 % less CPU and time.
 *
 * A directory is watched before it is read, so an entry created meanwhile is either seen by the
 * read or reported by the kernel. The tree lags behind the disk (renames still unread): a
 * directory at a stale path cannot be watched (pendingDirs.ts) or read (unlistedDirs.ts) there;
 * retry() tries both again after each read of the kernel's events.
 */
import { errnoName } from '../errno';
import { concatPath, joinRel, type PathName } from '../paths';
import type { ChunkListing, Deeper, JoinedPaths } from './binding';
import type { DirArrival } from './change';
import type { DirNode } from './dirNode';
import { listDirectory, type Report } from './listing';
import { PENDING_TRIES, PendingDirs } from './pendingDirs';
import { rootMask } from './root';
import { Pending, type Step } from './slices';
import { UnlistedDirs } from './unlistedDirs';
import { CHUNK, dirsOf, WalkLevels, type ChunkPart, type Listing } from './walk';
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

/** How many directories a chunk has. */
function countOf(chunk: readonly ChunkPart[]): number {
  let n = 0;
  for (const { from, to } of chunk) n += to - from;
  return n;
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
    const parentRel = top.parent !== undefined ? this.tree.pathOf(top.parent) : '';
    const walk = new WalkLevels({ parent: top.parent, parentRel, name: top.name, change: top.change, tries: top.tries ?? 0 });
    let added = 0;
    for (let chunk = walk.chunk(); chunk; chunk = walk.chunk()) {
      const mask = chunk[0]!.listing.parent !== undefined ? this.options.mask : rootMask(this.options.mask);
      let wds: Int32Array;
      let lists: ChunkListing['lists'] | undefined;
      if (top.offThread && !top.report && this.inotify.watchChunk) {
        const job = new Pending(this.inotify.watchChunk(this.joinedPaths(chunk) ?? this.paths(chunk), mask, this.options.xfs, this.deeper()));
        yield job.done;
        ({ wds, lists } = job.value());
      } else wds = this.inotify.addWatches(this.paths(chunk), mask);
      // A job that went deeper did, after the chunk, the names its reads found, in their order.
      const queue: Listing[] | undefined = wds.length > countOf(chunk) ? [] : undefined;
      const visit = (listing: Listing, name: PathName, i: number): void => {
        const wd = wds[i]!;
        if (wd < 0) {
          this.unwatchable(listing, name, errnoName(-wd));
          return;
        }
        // A wd the tree holds already is a directory moved here (or reached twice): its node keeps its children.
        const fresh = !this.tree.has(wd);
        const node = this.tree.attach(wd, listing.parent, name, listing.fresh);
        if (added++ === 0) top.onTopWatched?.();
        const listed = lists?.[i];
        // Most of a tree is leaves, read already and found empty: nothing to list or walk below them.
        if (typeof listed === 'object' && listed.length === 0) return;
        const rel = joinRel(listing.parentRel, name);
        const names = this.list(node, rel, this.absolute(rel), top, listing.tries, listed);
        if (queue && names.length > 0) queue.push({ parent: node, parentRel: rel, names, change: below, tries: 0, fresh });
        else walk.found(node, rel, names, below, fresh);
      };
      let i = 0;
      for (const { listing, from, to } of chunk) {
        for (let k = from; k < to; k++, i++) {
          visit(listing, listing.names[k]!, i);
          // A read made here may be slow: a slice may end after it. A chunk read off the loop yields its next promise.
          if (!lists) yield;
        }
      }
      if (queue) {
        let at = 0;
        let k = 0;
        while (i < wds.length && at < queue.length) {
          const listing = queue[at]!;
          if (k < listing.names.length) visit(listing, listing.names[k++]!, i++);
          else [at, k] = [at + 1, 0];
        }
        // What the job left: the rest of the listing it stopped in, and those after it, are the next level's.
        for (; at < queue.length; at++, k = 0) {
          const { parent, parentRel, names, fresh } = queue[at]!;
          if (k < names.length) walk.found(parent!, parentRel, k === 0 ? names : names.slice(k), below, fresh);
        }
      }
      this.options.onProgress?.(this.tree.size);
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

  /**
   * How far a start-up job goes below its chunk: a chunk's worth of directories in all, so a small
   * tree is walked in one job. Not with the filter on: its start-up rules are applied here, to each
   * read, and the job would watch and read what they leave out.
   */
  private deeper(): Deeper | undefined {
    return this.options.filter.enabled ? undefined : { mask: this.options.mask, budget: CHUNK };
  }

  private absolute(rel: PathName): PathName {
    return rel.length === 0 ? this.options.root : concatPath(this.options.root, '/', rel);
  }

  /** The chunk's absolute paths, one per directory. */
  private paths(chunk: readonly ChunkPart[]): PathName[] {
    return dirsOf(chunk).map((d) => this.absolute(d.rel));
  }

  /** The chunk's absolute paths as one text, each ended by a NUL, made a listing at a time; undefined when a path is not text. */
  private joinedPaths(chunk: readonly ChunkPart[]): JoinedPaths | undefined {
    const { root } = this.options;
    if (typeof root !== 'string') return undefined;
    let joined = '';
    let count = 0;
    for (const { listing, from, to } of chunk) {
      const { names, parentRel } = listing;
      if (typeof parentRel !== 'string') return undefined;
      for (let k = from; k < to; k++) if (typeof names[k] !== 'string') return undefined;
      if (listing.parent === undefined) joined += `${root}\0`; // the root: its listing is its own, of one name ('')
      else {
        const prefix = parentRel.length === 0 ? `${root}/` : `${root}/${parentRel}/`;
        joined += `${prefix}${(from === 0 && to === names.length ? names : names.slice(from, to)).join(`\0${prefix}`)}\0`;
      }
      count += to - from;
    }
    return { joined, count };
  }

  /** A directory whose watch failed: gone, or moved with an ancestor whose rename is unread yet (tried again), or out of watches. */
  private unwatchable(listing: Listing, name: PathName, code: string): void {
    if (listing.parent === undefined) this.onRootError(code);
    else if (code === 'ENOENT' || code === 'ENOTDIR') this.pending.add(listing.parent, name, listing.change, listing.tries);
    else this.options.onUnwatched(joinRel(listing.parentRel, name), code);
  }

  /** Reads a watched directory (or takes what watchChunk read); one renamed since its watch was added is read again by retry(). */
  private list(node: DirNode, rel: PathName, abs: PathName, how: Pick<WalkTop, 'report' | 'atStart'>, tries: number, listed?: readonly PathName[] | number): readonly PathName[] {
    const { report, atStart = false } = how;
    const dirs = listDirectory(this.inotify, this.options, { abs, rel, report, atStart, listed });
    if (!dirs && this.tree.parentOf(node) !== undefined) this.unlisted.add(node, report !== undefined, tries);
    return dirs ?? [];
  }
}
