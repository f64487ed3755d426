/**
 * Watched directories whose listing failed because their path was stale.
 *
 * A directory is watched, then read, both by the path the tree gives. When it is renamed (or an
 * ancestor is) between the two, the watch holds but the read finds nothing there (ENOENT): the
 * entries it had before its watch would never be seen, and the rename that follows only re-points
 * its node. So the node itself is kept here (a rename moves it along, unlike a name in
 * PendingDirs) and read again after each batch, at the path the tree then gives it.
 */
interface Unlisted<Node> {
  readonly node: Node;
  /** A created directory reports its entries. */
  readonly created: boolean;
  readonly tries: number;
}

export class UnlistedDirs<Node> {
  private readonly byNode = new Map<Node, Unlisted<Node>>();

  add(node: Node, created: boolean, tries: number): void {
    this.byNode.set(node, { node, created, tries });
  }

  /** Every entry, removed: the caller reads each again and adds back those that still fail. */
  takeAll(): Array<Unlisted<Node>> {
    const all = [...this.byNode.values()];
    this.byNode.clear();
    return all;
  }

  clear(): void {
    this.byNode.clear();
  }
}
