/**
 * The watcher's model of the watched tree: every watched directory by its wd, in a tree of nodes
 * from the root, so that a renamed directory moves its subtree by one pointer. Only the model: it
 * adds and removes no watch itself, it says which nodes left it.
 *
 * The tree is only as good as the events that built it: when events were lost, or it could not
 * follow the disk (`strayed`), it is stale, and the watcher rebuilds it from the disk.
 */
import type { PathName } from '../paths';
import { addChild, childrenOf, isWithin, pathOf, topOf, type DirNode } from './dirNode';
import { NodeStore } from './nodeStore';

/** Why the tree must be rebuilt: events were lost (an overflow), or it lost track with none lost. */
export type Staleness = 'lost' | 'strayed';

export class WatchTree {
  private readonly nodes = new NodeStore();
  private rootNode: DirNode | undefined;
  /** Directories moved away in the current read, by cookie, until their MOVED_TO shows up. */
  private movedAway = new Map<number, DirNode>();
  private lost = false;
  private strayed = false;

  get size(): number {
    return this.nodes.size;
  }

  get root(): DirNode | undefined {
    return this.rootNode;
  }

  get(wd: number): DirNode | undefined {
    return this.nodes.byWd(wd);
  }

  has(wd: number): boolean {
    return this.nodes.byWd(wd) !== undefined;
  }

  /** The relative path of every watched directory ('' for the root). */
  paths(): PathName[] {
    return this.nodes.nodes().map((node) => pathOf(this.nodes, node));
  }

  /** The directory's path from the root ('' for the root). */
  pathOf(node: DirNode): PathName {
    return pathOf(this.nodes, node);
  }

  /** Its parent's node; undefined for the root (or the top of a tree that lost its root). */
  parentOf(node: DirNode): DirNode | undefined {
    return this.nodes.valid(node) ? this.nodes.parentOf(node) : undefined;
  }

  wdOf(node: DirNode): number {
    return this.nodes.wdOf(node);
  }

  /** True when the node is still in the tree, under the root. */
  isAttached(node: DirNode): boolean {
    return this.nodes.held(node) && topOf(this.nodes, node) === this.rootNode;
  }

  /**
   * Records a watched directory; a wd the kernel already knew (a moved directory) is re-pointed.
   * `unique`: no other child of `parent` can have this name (the walk made `parent` and lists it
   * once), so its children are not searched for one.
   */
  attach(wd: number, parent: DirNode | undefined, name: PathName, unique = false): DirNode {
    let node = this.nodes.byWd(wd);
    if (parent !== undefined && !this.nodes.valid(parent)) {
      // A parent let go while its child was on the way: the tree cannot say where this is; rebuilt.
      this.strayed = true;
      return node ?? this.nodes.create(wd, name);
    }
    if (node !== undefined && parent !== undefined && isWithin(this.nodes, parent, node)) {
      // Under its own subtree, a cycle: the tree is wrong about these two; leave it be until rebuilt.
      this.strayed = true;
      return node;
    }
    if (node !== undefined) this.nodes.setName(node, name);
    else node = this.nodes.create(wd, name);
    if (parent !== undefined) {
      addChild(this.nodes, parent, node, unique);
    } else {
      this.nodes.setParent(node, undefined);
      this.rootNode = node;
    }
    return node;
  }

  /** The kernel dropped this watch (IN_IGNORED): the node leaves the table and its parent. */
  dropWatch(node: DirNode): void {
    if (!this.nodes.held(node)) return;
    this.nodes.unlink(node);
    this.nodes.release(node);
  }

  /**
   * Takes a subtree out of the tree; hands each of its nodes and its wd to `gone` (whose watches
   * the caller may remove) before the node is let go. A handle that is no longer valid forgets nothing.
   */
  forget(node: DirNode, gone: (node: DirNode, wd: number) => void): void {
    if (!this.nodes.valid(node)) return;
    if (node === this.rootNode) this.rootNode = undefined;
    this.nodes.unlink(node);
    const subtree = [node];
    for (let i = 0; i < subtree.length; i++) subtree.push(...childrenOf(this.nodes, subtree[i]!));
    for (const n of subtree) gone(n, this.nodes.wdOf(n));
    // The deepest first, so that a parent is not kept alive by a child still to go.
    for (let i = subtree.length - 1; i >= 0; i--) this.nodes.release(subtree[i]!);
  }

  /** The subdirectory `name` of `parent`, when the tree knows one. */
  childOf(parent: DirNode, name: PathName): DirNode | undefined {
    return this.nodes.valid(parent) ? this.nodes.childNamed(parent, name) : undefined;
  }

  /** IN_MOVED_FROM of a directory: its subtree waits, detached, for the MOVED_TO of the same cookie. */
  moveAway(parent: DirNode, name: PathName, cookie: number): void {
    const child = this.childOf(parent, name);
    if (child === undefined) return;
    this.nodes.unlink(child);
    this.movedAway.set(cookie, child);
  }

  /** IN_MOVED_TO of a directory: true when it is one moved away in this read, now re-pointed. */
  moveIn(cookie: number, parent: DirNode, name: PathName): boolean {
    const moved = this.movedAway.get(cookie);
    if (moved === undefined) return false;
    this.movedAway.delete(cookie);
    // Let go meanwhile (its watch gone, with nothing below it): walked as a new directory instead.
    if (!this.nodes.valid(moved)) return false;
    this.attach(this.nodes.wdOf(moved), parent, name);
    return true;
  }

  /**
   * The read is over: a directory moved away with no MOVED_TO in it has left the tree, unless a read
   * of a new directory found it there meanwhile (moved into one not watched yet). Returns their
   * subtrees' nodes to `gone`, whose watches the caller removes.
   */
  endOfRead(gone: (node: DirNode, wd: number) => void): void {
    for (const node of this.movedAway.values()) if (!this.isAttached(node)) this.forget(node, gone);
    this.movedAway = new Map();
  }

  /** Events were lost: the tree must be rebuilt. */
  markLost(): void {
    this.lost = true;
  }

  /** The tree cannot follow the disk with no event lost: rebuilt, with a full sync asked for. */
  markStrayed(): void {
    this.strayed = true;
  }

  /** Why the tree must be rebuilt, if it must (strayed first: it asks for a full sync); cleared. */
  takeStaleness(): Staleness | undefined {
    const staleness: Staleness | undefined = this.strayed ? 'strayed' : this.lost ? 'lost' : undefined;
    this.lost = this.strayed = false;
    return staleness;
  }

  /** Empties the tree for a rebuild; returns the wds it held, for the caller to remove those not watched again. */
  replace(): number[] {
    const before = this.nodes.watchDescriptors();
    this.clear();
    return before;
  }

  clear(): void {
    this.nodes.reset();
    this.rootNode = undefined;
    this.movedAway = new Map();
  }
}
