/**
 * The watcher's model of the watched tree: every watched directory by its wd, in a tree of nodes
 * from the root, so that a renamed directory moves its subtree by one pointer. Only the model: it
 * adds and removes no watch itself, it says which nodes left it.
 *
 * The tree is only as good as the events that built it: when events were lost, or it could not
 * follow the disk (`strayed`), it is stale, and the watcher rebuilds it from the disk.
 */
import type { PathName } from '../paths';
import { addChild, childOf, childrenOf, detach, isWithin, pathOf, topOf, type DirNode } from './dirNode';
import { WatchTable } from './watchTable';

/** Why the tree must be rebuilt: events were lost (an overflow), or it lost track with none lost. */
export type Staleness = 'lost' | 'strayed';

export class WatchTree {
  private nodes = new WatchTable<DirNode>();
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
    return this.nodes.get(wd);
  }

  has(wd: number): boolean {
    return this.nodes.has(wd);
  }

  /** The relative path of every watched directory ('' for the root). */
  paths(): PathName[] {
    return this.nodes.values().map((node) => pathOf(node));
  }

  /** True when the node is still in the tree, under the root. */
  isAttached(node: DirNode): boolean {
    return topOf(node) === this.rootNode && this.nodes.get(node.wd) === node;
  }

  /** Records a watched directory; a wd the kernel already knew (a moved directory) is re-pointed. */
  attach(wd: number, parent: DirNode | undefined, name: PathName): DirNode {
    let node = this.nodes.get(wd);
    if (node && parent && isWithin(parent, node)) {
      // Under its own subtree, a cycle: the tree is wrong about these two; leave it be until rebuilt.
      this.strayed = true;
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

  /** The kernel dropped this watch (IN_IGNORED): the node leaves the table and its parent. */
  dropWatch(node: DirNode): void {
    if (this.nodes.get(node.wd) === node) this.nodes.delete(node.wd);
    detach(node);
  }

  /** Takes a subtree out of the tree; returns its nodes, whose watches the caller may remove. */
  forget(node: DirNode): DirNode[] {
    const gone: DirNode[] = [];
    const stack = [node];
    for (let n = stack.pop(); n; n = stack.pop()) {
      for (const child of childrenOf(n)) stack.push(child);
      if (this.nodes.get(n.wd) === n) this.nodes.delete(n.wd);
      gone.push(n);
    }
    detach(node);
    if (node === this.rootNode) this.rootNode = undefined;
    return gone;
  }

  /** The subdirectory `name` of `parent`, when the tree knows one. */
  childOf(parent: DirNode, name: PathName): DirNode | undefined {
    return childOf(parent, name);
  }

  /** IN_MOVED_FROM of a directory: its subtree waits, detached, for the MOVED_TO of the same cookie. */
  moveAway(parent: DirNode, name: PathName, cookie: number): void {
    const child = childOf(parent, name);
    if (!child) return;
    detach(child);
    this.movedAway.set(cookie, child);
  }

  /** IN_MOVED_TO of a directory: true when it is one moved away in this read, now re-pointed. */
  moveIn(cookie: number, parent: DirNode, name: PathName): boolean {
    const moved = this.movedAway.get(cookie);
    if (!moved) return false;
    this.movedAway.delete(cookie);
    this.attach(moved.wd, parent, name);
    return true;
  }

  /**
   * The read is over: a directory moved away with no MOVED_TO in it has left the tree, unless a read
   * of a new directory found it there meanwhile (moved into one not watched yet). Returns their
   * subtrees' nodes, whose watches the caller removes.
   */
  endOfRead(): DirNode[] {
    const gone: DirNode[] = [];
    for (const node of this.movedAway.values()) if (!this.isAttached(node)) gone.push(...this.forget(node));
    this.movedAway = new Map();
    return gone;
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
    const before = this.nodes.keys();
    this.clear();
    return before;
  }

  clear(): void {
    this.nodes = new WatchTable();
    this.rootNode = undefined;
    this.movedAway = new Map();
  }
}
