/**
 * The inotify watcher: a watch on every directory of the tree, kept by the tree model
 * (watchTree.ts), added by the walker (walker.ts); each read of the kernel's events is decoded
 * (decode.ts), applied to the tree, and handed up in the order it happened, with what befalls
 * the watches themselves (a resync, the root gone) in its place among them. Work is done in
 * order, in slices of the event loop (slices.ts): a read waits for a walk under way.
 *
 * Beyond sersync2: the entries found in a newly created directory are reported too (they may
 * predate its watch); when the tree is stale (events lost, or it lost track of the disk), it is
 * rebuilt from the disk once the read is handled: every directory is watched again (the kernel
 * hands back the same wd for one already watched) and the watches of those gone are removed. A
 * stale tree could otherwise re-point a directory under its own subtree, a cycle.
 */
import { excludedByFilter } from '../filter/exclude';
import type { PathName } from '../paths';
import { Inotify, type InotifyEvent } from './binding';
import { decode, type EntryEvent, type KernelFact } from './decode';
import type { DirNode } from './dirNode';
import { IN } from './mask';
import { rootUnreadable, WatchRootError, type RootLoss } from './root';
import { Slices, type Step } from './slices';
import { Walker, type WalkTop } from './walker';
import { WatchTree } from './watchTree';
import type { InotifyBinding, WatchEvent, Watcher, WatcherOptions } from './watcherTypes';

/** The daemon's watcher: inotify's own descriptor (lib/inotify/binding.ts) with the watcher on it. */
export function openInotifyWatcher(options: WatcherOptions): Watcher {
  const inotify = new Inotify({ persistent: true, onBatch: (batch) => watcher.handleBatch(batch), onError: options.onError });
  const watcher = new InotifyWatcher(inotify, options);
  return watcher;
}

/**
 * Kernel events held while earlier work is under way, at most: sersync2's fs.inotify.max_queued_events.
 * The kernel's queue no longer fills during a long walk (its reads come between slices), so past
 * this many the watcher drops them for one overflow of its own, as the kernel would.
 */
export const HELD_EVENTS = 327_679;

const OVERFLOW: InotifyEvent = { wd: -1, mask: IN.Q_OVERFLOW, cookie: 0 };

export class InotifyWatcher implements Watcher {
  private readonly tree = new WatchTree();
  private readonly walker: Walker;
  private readonly work = new Slices();
  /** Why the root could not be watched (an errno name), for start(). */
  private rootError: string | undefined;
  private closed = false;
  /** Kernel events pushed and not handled yet; an overflow of our own is pushed past the limit. */
  private held = 0;
  private overflowHeld = false;

  constructor(
    private readonly inotify: InotifyBinding,
    private readonly options: WatcherOptions,
    /** HELD_EVENTS but in tests. */
    private readonly heldLimit = HELD_EVENTS,
  ) {
    this.walker = new Walker(inotify, options, this.tree, (code) => {
      this.rootError = code;
    });
  }

  get watchCount(): number {
    return this.tree.size;
  }

  start(): Promise<number> {
    // Settled as the walk ends (or close() drops it), before any read held behind it is handled.
    return new Promise((resolve, reject) => this.work.push(this.watchRoot(), (error) => (error ? reject(error) : resolve(this.tree.size))));
  }

  /** The start-up walk; throws a WatchRootError when the root cannot be watched. */
  private *watchRoot(): Generator<Step, void> {
    yield* this.walker.walk({ parent: undefined, name: '', change: 'created', atStart: true, offThread: true });
    const problem = this.tree.root ? rootUnreadable(this.options.root) : (this.rootError ?? 'ENOENT');
    if (problem) throw new WatchRootError(this.options.root, problem);
  }

  /** The relative path of every watched directory ('' for the root), as the tree knows them. */
  watchedPaths(): PathName[] {
    return this.tree.paths();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.work.clear();
    this.inotify.close();
    this.tree.clear();
  }

  /** Takes one kernel read; handled now, or after the work under way. */
  handleBatch(batch: readonly InotifyEvent[]): void {
    if (this.closed) return;
    if (this.held + batch.length <= this.heldLimit) {
      this.held += batch.length;
      this.work.push(this.handle(batch, performance.now()));
    } else if (!this.overflowHeld) {
      this.overflowHeld = true;
      this.work.push(this.handle([OVERFLOW], performance.now()));
    }
  }

  private *handle(batch: readonly InotifyEvent[], readAt: number): Generator<Step, void> {
    if (batch[0] === OVERFLOW) this.overflowHeld = false;
    else this.held -= batch.length;
    const out: WatchEvent[] = [];
    for (const event of batch) {
      const fact = decode(event, this.tree, this.options.mask, readAt);
      const walk = fact && this.apply(fact, out);
      if (walk) yield* this.walker.walk(walk);
    }
    this.tree.endOfRead((node, wd) => this.dropped(node, wd, true));
    yield* this.walker.retry(out, readAt);
    const staleness = this.tree.takeStaleness();
    // Found at the end of the read, so after its events; the rebuild's own finding (the root gone) comes last.
    if (staleness === 'strayed') out.push({ change: 'resync', reason: 'strayed' });
    if (staleness) yield* this.rebuild(out);
    if (out.length > 0) this.options.onEvents(out);
  }

  /** Applies one decoded event to the tree, its event into `out`; returns the walk a new directory needs. */
  private apply(fact: KernelFact, out: WatchEvent[]): WalkTop | undefined {
    switch (fact.kind) {
      case 'overflow':
        // The events read before it go first: the full sync it asks for covers them, so the queue can drop them.
        this.tree.markLost();
        out.push({ change: 'resync', reason: 'overflow' });
        return undefined;
      case 'watchGone':
        this.tree.dropWatch(fact.node);
        this.walker.forgetParent(fact.node);
        if (fact.node === this.tree.root) this.loseRoot({ kind: 'gone' }, out);
        return undefined;
      case 'rootGone':
        this.loseRoot({ kind: 'gone' }, out);
        return undefined;
      case 'rootAttrib': {
        const errno = rootUnreadable(this.options.root);
        if (errno) this.loseRoot({ kind: 'unreadable', errno }, out);
        return undefined;
      }
      case 'entry':
        out.push(fact.event);
        return fact.event.isDir ? this.directoryChanged(fact.node, fact.event, out) : undefined;
    }
  }

  /** The tree's side of an event on a subdirectory of `node`. */
  private directoryChanged(node: DirNode, event: EntryEvent, out: WatchEvent[]): WalkTop | undefined {
    const { name, change, cookie } = event;
    if (change === 'movedFrom' || change === 'deleted') this.walker.dropPending(node, name);
    if (change === 'movedFrom') {
      this.tree.moveAway(node, name, cookie);
    } else if (change === 'deleted') {
      // The kernel removes a deleted directory's watches itself.
      const child = this.tree.childOf(node, name);
      if (child !== undefined) this.tree.forget(child, (gone, wd) => this.dropped(gone, wd, false));
    } else if (change === 'created' || change === 'movedTo') {
      if (excludedByFilter(this.options.filter, event.dir, name)) return undefined;
      if (change === 'movedTo' && this.tree.moveIn(cookie, node, name)) return undefined;
      // A moved-in tree is synced whole by its own rsync; only a new directory reports its entries.
      return { parent: node, name, change, report: change === 'created' ? out : undefined };
    }
    return undefined;
  }

  /** A directory that left the tree: nothing waits under it, and its watch goes when asked. */
  private dropped(node: DirNode, wd: number, removeWatch: boolean): void {
    this.walker.forgetParent(node);
    if (removeWatch) this.inotify.removeWatch(wd);
  }

  /**
   * Rebuilds the tree from the disk, with the start-up rules; only the watches: the resync handed
   * up asks for the full sync that covers what changed unseen.
   */
  private *rebuild(out: WatchEvent[]): Generator<Step, void> {
    this.walker.clear();
    const hadRoot = this.tree.root !== undefined;
    const before = this.tree.replace();
    yield* this.walker.walk({ parent: undefined, name: '', change: 'created', atStart: true });
    for (const wd of before) if (!this.tree.has(wd)) this.inotify.removeWatch(wd);
    if (hadRoot && !this.tree.root) out.push({ change: 'rootGone', loss: { kind: 'gone' } });
  }

  /** Stops watching what is left of a lost root (a moved root would still report events) and says so, once. */
  private loseRoot(loss: RootLoss, out: WatchEvent[]): void {
    const root = this.tree.root;
    if (root === undefined) return;
    this.tree.forget(root, (gone, wd) => this.dropped(gone, wd, true));
    out.push({ change: 'rootGone', loss });
  }
}
