/**
 * The watched directories by watch descriptor. The kernel hands out wds counting up from 1, so an
 * array indexed by wd costs 8 bytes a watch where a Map<number, …> costs ~40 (a million watches:
 * 32 MB less). The kernel does not reuse a wd soon (it counts on past removed ones), so after
 * much churn most of the array would be holes: then the table moves to a Map for good.
 */
export class WatchTable<Node> {
  private dense: Array<Node | undefined> = [];
  private sparse: Map<number, Node> | undefined;
  private count = 0;

  get size(): number {
    return this.sparse ? this.sparse.size : this.count;
  }

  get(wd: number): Node | undefined {
    if (this.sparse) return this.sparse.get(wd);
    // A negative or fractional wd must not index the array's own properties.
    return Number.isInteger(wd) && wd >= 0 ? this.dense[wd] : undefined;
  }

  has(wd: number): boolean {
    return this.get(wd) !== undefined;
  }

  set(wd: number, node: Node): void {
    if (!this.sparse && wd >= this.dense.length && wd > 4096 && this.count < wd / 4) this.toSparse();
    if (this.sparse) {
      this.sparse.set(wd, node);
      return;
    }
    if (this.dense[wd] === undefined) this.count++;
    this.dense[wd] = node;
  }

  delete(wd: number): boolean {
    if (this.sparse) return this.sparse.delete(wd);
    if (this.get(wd) === undefined) return false;
    this.dense[wd] = undefined;
    this.count--;
    return true;
  }

  /** The nodes (in no set order). */
  values(): Node[] {
    if (this.sparse) return [...this.sparse.values()];
    return this.dense.filter((node): node is Node => node !== undefined);
  }

  keys(): number[] {
    if (this.sparse) return [...this.sparse.keys()];
    const wds: number[] = [];
    this.dense.forEach((node, wd) => {
      if (node !== undefined) wds.push(wd);
    });
    return wds;
  }

  clear(): void {
    this.dense = [];
    this.sparse = undefined;
    this.count = 0;
  }

  private toSparse(): void {
    this.sparse = new Map();
    this.dense.forEach((node, wd) => {
      if (node !== undefined) this.sparse!.set(wd, node);
    });
    this.dense = [];
    this.count = 0;
  }
}
