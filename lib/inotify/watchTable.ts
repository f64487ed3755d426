/**
 * The watched directories' slots (nodeStore.ts) by watch descriptor. The kernel hands out wds
 * counting up from 1, so an Int32Array indexed by wd costs 4 bytes a watch where a
 * Map<number, number> costs ~40. The kernel does not reuse a wd soon (it counts on past removed
 * ones), so after much churn most of the array would be holes: then the table moves to a Map for good.
 */
export class WatchTable {
  /** Slot by wd; 0 for none (slot 0 is never used). */
  private dense = new Int32Array(0);
  private sparse: Map<number, number> | undefined;
  private count = 0;

  get size(): number {
    return this.sparse ? this.sparse.size : this.count;
  }

  get(wd: number): number | undefined {
    if (this.sparse) return this.sparse.get(wd);
    // A negative or fractional wd must not index the array.
    if (!Number.isInteger(wd) || wd < 0 || wd >= this.dense.length) return undefined;
    const slot = this.dense[wd]!;
    return slot === 0 ? undefined : slot;
  }

  set(wd: number, slot: number): void {
    if (!this.sparse && wd >= this.dense.length && wd > 4096 && this.count < wd / 4) this.toSparse();
    if (this.sparse) {
      this.sparse.set(wd, slot);
      return;
    }
    if (wd >= this.dense.length) {
      // Doubled: the pages past the last wd are not resident until written.
      const grown = new Int32Array(Math.max(wd + 1, this.dense.length * 2, 1024));
      grown.set(this.dense);
      this.dense = grown;
    }
    if (this.dense[wd] === 0) this.count++;
    this.dense[wd] = slot;
  }

  delete(wd: number): boolean {
    if (this.sparse) return this.sparse.delete(wd);
    if (this.get(wd) === undefined) return false;
    this.dense[wd] = 0;
    this.count--;
    return true;
  }

  /** The slots (in no set order). */
  values(): number[] {
    if (this.sparse) return [...this.sparse.values()];
    const slots: number[] = [];
    for (const slot of this.dense) if (slot !== 0) slots.push(slot);
    return slots;
  }

  keys(): number[] {
    if (this.sparse) return [...this.sparse.keys()];
    const wds: number[] = [];
    this.dense.forEach((slot, wd) => {
      if (slot !== 0) wds.push(wd);
    });
    return wds;
  }

  clear(): void {
    this.dense = new Int32Array(0);
    this.sparse = undefined;
    this.count = 0;
  }

  private toSparse(): void {
    const sparse = new Map<number, number>();
    this.dense.forEach((slot, wd) => {
      if (slot !== 0) sparse.set(wd, slot);
    });
    this.sparse = sparse;
    this.dense = new Int32Array(0);
    this.count = 0;
  }
}
