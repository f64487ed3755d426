/**
 * Keeps a watch on every directory of the tree and turns kernel events into RawEvents with their
 * directory resolved, handed up in order with what befalls the watches (a resync, the root gone).
 * Directories live in a tree of nodes, so a renamed directory moves its subtree by one pointer.
 *
 * Beyond sersync2: a directory is watched before it is read, so an entry created meanwhile is
 * either seen by readdir or reported by the kernel; the entries found in a newly created directory
 * are reported too (they may predate its watch).
 *
 * The tree is only as good as the events that built it. When events were lost (IN_Q_OVERFLOW), a
 * directory may have been created, moved or deleted unseen, so the tree is rebuilt from the disk
 * once the batch is handled: every directory is watched again (the kernel hands back the same
 * wd for one already watched) and the watches of directories that are gone are removed. A stale
 * tree could otherwise re-point a directory under its own subtree, a cycle.
 *
 * The tree also lags behind the disk (renames still unread): a directory at a stale path cannot be
 * watched (pendingDirs.ts) or read (unlistedDirs.ts) there; both are tried again after each batch.
 */
import { errnoName } from '../errno';
import { excludedByFilter } from '../filter/exclude';
import { concatPath, joinRel, type PathName } from '../paths';
import { changeOf, type DirArrival } from './change';
import { addChild, childOf, childrenOf, detach, isWithin, pathOf, topOf, type DirNode } from './dirNode';
import { listDirectory } from './listing';
import { IN } from './mask';
import { rootMask, rootUnreadable, WatchRootError, type RootLoss } from './root';
import type { InotifyEvent } from './binding';
import type { InotifyBinding, RawEvent, ResyncEvent, RootGoneEvent, WatcherOptions } from './watcherTypes';
import { PENDING_TRIES, PendingDirs } from './pendingDirs';
import { UnlistedDirs } from './unlistedDirs';
import { WalkLevels } from './walk';
import { WatchTable } from './watchTable';

export type { InotifyBinding, WatcherOptions } from './watcherTypes';

export class Watcher {
  private nodes = new WatchTable<DirNode>();
  private rootNode: DirNode | undefined;
  /** Directories moved away in the current batch, by cookie, until their MOVED_TO shows up. */
  private movedAway = new Map<number, DirNode>();
  /** Events were lost: the tree is rebuilt from the disk at the end of the batch. */
  private stale = false;
  /** Why the root could not be watched (an errno name), for start(). */
  private rootError: string | undefined;
  /** The tree is stale with no overflow behind it: the rebuild asks for a full sync (a strayed resync). */
  private strayed = false;
  /** New directories not watched yet because the path the tree gave was stale. */
  private readonly pending = new PendingDirs<DirNode>();
  /** Watched directories not read yet because they had moved on by then. */
  private readonly unlisted = new UnlistedDirs<DirNode>();

  constructor(
    private readonly inotify: InotifyBinding,
    private readonly options: WatcherOptions,
  ) {}

  get watchCount(): number {
    return this.nodes.size;
  }

  /** Watches the whole tree. Returns how many directories are watched; throws WatchRootError when the root cannot be. */
  start(): number {
    const added = this.addTree(undefined, '', true, undefined);
    const problem = this.rootNode ? rootUnreadable(this.options.root) : (this.rootError ?? 'ENOENT');
    if (problem) throw new WatchRootError(this.options.root, problem);
    return added;
  }

  /** The relative path of every watched directory ('' for the root), as the tree knows them. */
  watchedPaths(): PathName[] {
    return this.nodes.values().map((node) => pathOf(node));
  }

  close(): void {
    this.inotify.close();
    this.nodes.clear();
  }

  private absolute(rel: PathName): PathName {
    return rel.length === 0 ? this.options.root : concatPath(this.options.root, '/', rel);
  }

  /**
   * Adds watches to a directory and everything below it, level by level (lib/inotify/walk.ts): a
   * chunk's watches in one native call, then its directories are read. `report` collects the
   * entries found, for a directory that was just created.
   */
  private addTree(parent: DirNode | undefined, name: PathName, atStartFilter: boolean, report: RawEvent[] | undefined, change: DirArrival = 'created', tries = 0): number {
    // `change`: the event that made the top directory known; below it, each is found by reading.
    const below: DirArrival = report ? 'created' : 'movedTo';
    const walk = new WalkLevels({ parent, name, rel: parent ? joinRel(pathOf(parent), name) : '', change, tries });
    let added = 0;
    for (let chunk = walk.chunk(); chunk; chunk = walk.chunk()) {
      const wds = this.inotify.addWatches(chunk.map((d) => this.absolute(d.rel)), chunk[0]!.parent ? this.options.mask : rootMask(this.options.mask));
      chunk.forEach((dir, i) => {
        const wd = wds[i]!;
        if (wd < 0) {
          const code = errnoName(-wd);
          if (!dir.parent) {
            this.rootError = code; // start() reports it
            return;
          }
          // Gone, or only moved with an ancestor whose rename is still unread: its parent's events
          // say which (a delete or a move away drops it); meanwhile it is tried again.
          if (code === 'ENOENT' || code === 'ENOTDIR') this.pending.add(dir.parent, dir.name, dir.change, dir.tries);
          else this.options.onUnwatched(dir.rel, code);
          return;
        }
        added++;
        const node = this.attach(wd, dir.parent, dir.name);
        this.options.onProgress?.(this.nodes.size);
        walk.found(node, dir.rel, this.list(node, dir.rel, report, atStartFilter, dir.tries), below);
      });
    }
    return added;
  }

  /** Reads a watched directory (see listDirectory); one renamed since its watch was added is read again after the batch. */
  private list(node: DirNode, rel: PathName, report: RawEvent[] | undefined, atStartFilter: boolean, tries: number): readonly PathName[] {
    const dirs = listDirectory(this.inotify, this.options, this.absolute(rel), rel, report, atStartFilter);
    if (!dirs && node.parent) this.unlisted.add(node, report !== undefined, tries);
    return dirs ?? [];
  }

  /** Reads again, at their path now, the directories whose read found them moved away. */
  private relist(out: RawEvent[]): void {
    for (const u of this.unlisted.takeAll()) {
      if (!this.isAttached(u.node)) continue; // gone, or moved out: its events said so
      const report = u.created ? out : undefined;
      if (u.tries + 1 >= PENDING_TRIES) this.stale = this.strayed = true;
      else for (const child of this.list(u.node, pathOf(u.node), report, false, u.tries + 1)) this.addTree(u.node, child, false, report, report ? 'created' : 'movedTo');
    }
  }

  /** Records a watched directory; a wd the kernel already knew (a moved directory) is re-pointed. */
  private attach(wd: number, parent: DirNode | undefined, name: PathName): DirNode {
    let node = this.nodes.get(wd);
    if (node && parent && isWithin(parent, node)) {
      // The tree is wrong about these two: leave it be and rebuild it from the disk.
      this.stale = this.strayed = true;
      return node;
    }
    if (node) {
      detach(node);
      node.name = name;
      node.parent = parent;
    } else {
      node = { wd, name, parent, children: undefined };
      this.nodes.set(wd, node);
    }
    if (parent) addChild(parent, node);
    else this.rootNode = node;
    return node;
  }

  /** Stops watching a subtree that left the watched tree. */
  private forget(node: DirNode, removeWatches: boolean): void {
    const stack = [node];
    for (let n = stack.pop(); n; n = stack.pop()) {
      for (const child of childrenOf(n)) stack.push(child);
      if (this.nodes.get(n.wd) === n) this.nodes.delete(n.wd);
      this.pending.dropParent(n);
      if (removeWatches) this.inotify.removeWatch(n.wd);
    }
    detach(node);
  }

  /** Handles one kernel read. */
  handleBatch(batch: readonly InotifyEvent[]): void {
    const out: RawEvent[] = [];
    const readAt = performance.now();
    for (const event of batch) {
      if (event.mask & IN.Q_OVERFLOW) {
        // The events read before it go first: the full sync it asks for covers them, so the queue can drop them.
        this.stale = true;
        this.emit({ change: 'resync', reason: 'overflow' }, out);
        continue;
      }
      const node = this.nodes.get(event.wd);
      if (!node) continue;
      if (event.mask & IN.IGNORED) {
        this.nodes.delete(event.wd);
        this.pending.dropParent(node);
        detach(node);
        if (node === this.rootNode) this.loseRoot({ kind: 'gone' }, out);
        continue;
      }
      if (event.mask & (IN.DELETE_SELF | IN.MOVE_SELF | IN.UNMOUNT)) {
        if (node === this.rootNode) this.loseRoot({ kind: 'gone' }, out);
        continue;
      }
      if (event.mask & IN.ATTRIB && node === this.rootNode) {
        if (!event.name) {
          // The root's own mode or owner changed: can the daemon still enter and read it?
          const errno = rootUnreadable(this.options.root);
          if (errno) this.loseRoot({ kind: 'unreadable', errno }, out);
          continue;
        }
        if (!(this.options.mask & IN.ATTRIB)) continue; // asked for the root's own sake only (rootMask)
      }
      const change = changeOf(event.mask);
      if (!event.name || !change) continue;
      // Raw bytes when the name is not UTF-8, so that rsync gets them unchanged.
      const name: PathName = event.nameBytes ?? event.name;
      const dir = pathOf(node);
      const isDir = (event.mask & IN.ISDIR) !== 0;
      out.push({ dir, name, change, isDir, cookie: event.cookie, readAt });
      if (!isDir) continue;
      if (change === 'movedFrom' || change === 'deleted') this.pending.drop(node, name);
      if (change === 'movedFrom') {
        const child = childOf(node, name);
        if (child) {
          detach(child);
          this.movedAway.set(event.cookie, child);
        }
      } else if (change === 'deleted') {
        const child = childOf(node, name);
        if (child) this.forget(child, false);
      } else if (change === 'created' || change === 'movedTo') {
        if (excludedByFilter(this.options.filter, dir, name)) continue;
        const moved = change === 'movedTo' ? this.movedAway.get(event.cookie) : undefined;
        if (moved) {
          this.movedAway.delete(event.cookie);
          this.attach(moved.wd, node, name);
        } else {
          // A moved-in tree is synced whole by its own rsync; only a new directory reports its entries.
          this.addTree(node, name, false, change === 'created' ? out : undefined, change);
        }
      }
    }
    // A directory moved away with no MOVED_TO in the same read has left the tree, unless a read of a
    // new directory found it there meanwhile (moved into one not watched yet: no watch reported it).
    for (const node of this.movedAway.values()) if (!this.isAttached(node)) this.forget(node, true);
    this.movedAway = new Map();
    this.retryPending(out, readAt);
    this.relist(out);
    if (this.stale) {
      const strayed = this.strayed;
      this.rebuild();
      if (strayed) this.emit({ change: 'resync', reason: 'strayed' });
    }
    if (out.length > 0) this.options.onEvents(out);
  }

  /** Tries the pending directories again, this batch's renames in the tree; one watched at last gets its event again at its real path, and its entries. */
  private retryPending(out: RawEvent[], readAt: number): void {
    if (this.pending.size === 0) return;
    for (const p of this.pending.takeAll()) {
      if (!this.isAttached(p.parent)) continue;
      if (p.tries + 1 >= PENDING_TRIES) {
        this.stale = this.strayed = true;
        continue;
      }
      const at = out.length;
      if (this.addTree(p.parent, p.name, false, p.change === 'created' ? out : undefined, p.change, p.tries + 1) > 0) {
        out.splice(at, 0, { dir: pathOf(p.parent), name: p.name, change: p.change, isDir: true, readAt });
      }
    }
  }

  /** True when the node is still in the tree, under the root. */
  private isAttached(node: DirNode): boolean {
    return topOf(node) === this.rootNode && this.nodes.get(node.wd) === node;
  }

  /**
   * Rebuilds the tree from the disk after lost events, with the start-up rules; only the watches:
   * the resync handed up asks for the full sync that covers what changed unseen. Returns the count.
   */
  rebuild(): number {
    this.stale = this.strayed = false;
    this.pending.clear();
    this.unlisted.clear();
    const hadRoot = this.rootNode !== undefined;
    const before = this.nodes;
    this.nodes = new WatchTable();
    this.rootNode = undefined;
    const added = this.addTree(undefined, '', true, undefined);
    for (const wd of before.keys()) if (!this.nodes.has(wd)) this.inotify.removeWatch(wd);
    if (hadRoot && !this.rootNode) this.emit({ change: 'rootGone', loss: { kind: 'gone' } });
    return added;
  }

  /** Stops watching what is left of a lost root (a moved root would still report events) and says so, once. */
  private loseRoot(loss: RootLoss, out: RawEvent[]): void {
    const root = this.rootNode;
    if (!root) return;
    this.rootNode = undefined;
    this.forget(root, true);
    this.emit({ change: 'rootGone', loss }, out);
  }

  /** Hands up a change to the watches themselves, after the events of `out` read before it. */
  private emit(event: ResyncEvent | RootGoneEvent, out?: RawEvent[]): void {
    this.options.onEvents(out && out.length > 0 ? [...out.splice(0), event] : [event]);
  }
}
