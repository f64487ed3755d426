/**
 * The watched directories' nodes as a struct of arrays: a node is a slot in typed arrays (its wd,
 * its parent, its first child and its siblings), its name in one plain array beside them, and the
 * wd → slot table (watchTable.ts). An object per directory cost 56 bytes, plus 8 for its slot in
 * its parent's children array and 8 in the table; here the links cost 4 bytes each and a leaf
 * allocates nothing but its name. At a million directories that is ~50 MB less heap, and a
 * million objects fewer for the GC to mark.
 *
 * A node is handed out as a handle, its slot and a generation: a slot is reused once freed, and a
 * handle held past its node's end (a pending directory's parent, a directory moved away) must not
 * name the node that took the slot next. A node lives while the table holds its wd, or while
 * another node's parent pointer names it (a subtree whose top lost its watch keeps its path, as an
 * object graph would have kept the parent alive).
 */
import { pathKey, type PathName } from '../paths';
import { WatchTable } from './watchTable';

/** A node's handle: slot × GENERATIONS + generation; never 0, so a node is truthy. */
export type DirNode = number & { readonly dirNode: unique symbol };

const GENERATIONS = 65_536;
/** No slot: slot 0 is never used. */
const NONE = 0;
const LIVE = 1;
const HELD = 2;
/** In its parent's list of children. */
const LINKED = 4;
/** Up to this many children are searched in their list; past it a directory gets a Map by pathKey. */
const LIST_CHILDREN = 128;

export class NodeStore {
  private capacity = 0;
  private wds = new Int32Array(0);
  private parents = new Int32Array(0);
  private firsts = new Int32Array(0);
  private nexts = new Int32Array(0);
  private prevs = new Int32Array(0);
  /** How many nodes name this slot as their parent: a slot so named is not freed. */
  private refs = new Int32Array(0);
  private gens = new Uint16Array(0);
  private flags = new Uint8Array(0);
  private names: Array<PathName | undefined> = [];
  /** The children of the directories that have many, by pathKey of their name. */
  private many = new Map<number, Map<string, number>>();
  private readonly table = new WatchTable();
  private freeSlots: number[] = [];
  /** The first slot never used since the last reset. */
  private unused = 1;

  /** Nodes in the table. */
  get size(): number {
    return this.table.size;
  }

  /** A new node in the table for `wd`, with no parent and no child. */
  create(wd: number, name: PathName): DirNode {
    const slot = this.freeSlots.pop() ?? this.unused++;
    if (slot >= this.capacity) this.grow(slot + 1);
    this.wds[slot] = wd;
    this.names[slot] = name;
    this.flags[slot] = LIVE | HELD;
    this.table.set(wd, slot);
    return this.handle(slot);
  }

  /** The node the table holds for `wd`. */
  byWd(wd: number): DirNode | undefined {
    const slot = this.table.get(wd);
    return slot === undefined ? undefined : this.handle(slot);
  }

  /** True while the handle's node lives (in the table, or a parent of one that does). */
  valid(node: DirNode): boolean {
    const slot = slotOf(node);
    return slot < this.capacity && (this.flags[slot]! & LIVE) !== 0 && this.gens[slot] === node % GENERATIONS;
  }

  /** True when the table holds this very node for its wd. */
  held(node: DirNode): boolean {
    return this.valid(node) && (this.flags[slotOf(node)]! & HELD) !== 0;
  }

  wdOf(node: DirNode): number {
    return this.wds[slotOf(node)]!;
  }

  nameOf(node: DirNode): PathName {
    return this.names[slotOf(node)]!;
  }

  /** Renames the node, taken out of its parent's list first (its key there changes). */
  setName(node: DirNode, name: PathName): void {
    this.unlinkSlot(slotOf(node));
    this.names[slotOf(node)] = name;
  }

  parentOf(node: DirNode): DirNode | undefined {
    return this.handleOrNone(this.parents[slotOf(node)]!);
  }

  /** Points the node at a new parent (or none), out of the old one's list; the old one may be freed. link() puts it in the new list. */
  setParent(node: DirNode, parent: DirNode | undefined): void {
    const slot = slotOf(node);
    this.unlinkSlot(slot);
    const old = this.parents[slot]!;
    const now = parent === undefined ? NONE : slotOf(parent);
    if (old === now) return;
    this.parents[slot] = now;
    if (now !== NONE) this.refs[now]!++;
    if (old !== NONE) this.unref(old);
  }

  firstChild(node: DirNode): DirNode | undefined {
    return this.handleOrNone(this.firsts[slotOf(node)]!);
  }

  nextSibling(node: DirNode): DirNode | undefined {
    return this.handleOrNone(this.nexts[slotOf(node)]!);
  }

  /** The child of `parent` named `name`, when its list has one. */
  childNamed(parent: DirNode, name: PathName): DirNode | undefined {
    const p = slotOf(parent);
    const many = this.many.get(p);
    if (many) return this.handleOrNone(many.get(pathKey(name)) ?? NONE);
    let seen = 0;
    for (let c = this.firsts[p]!; c !== NONE; c = this.nexts[c]!, seen++) if (sameName(this.names[c]!, name)) return this.handle(c);
    if (seen >= LIST_CHILDREN) this.indexChildren(p);
    return undefined;
  }

  /** Puts `child` first in the list of `parent`, which must be its parent (setParent); it is in no list. */
  link(child: DirNode): void {
    const c = slotOf(child);
    const p = this.parents[c]!;
    const first = this.firsts[p]!;
    this.nexts[c] = first;
    this.prevs[c] = NONE;
    if (first !== NONE) this.prevs[first] = c;
    this.firsts[p] = c;
    this.flags[c]! |= LINKED;
    this.many.get(p)?.set(pathKey(this.names[c]!), c);
  }

  /** Takes the node out of its parent's list, if it is in it. */
  unlink(node: DirNode): void {
    this.unlinkSlot(slotOf(node));
  }

  /** True when the node is in its parent's list. */
  linked(node: DirNode): boolean {
    return (this.flags[slotOf(node)]! & LINKED) !== 0;
  }

  /** The table lets go of the node (its watch is gone); it is freed unless a node names it as parent. */
  release(node: DirNode): void {
    if (!this.held(node)) return;
    const slot = slotOf(node);
    this.table.delete(this.wds[slot]!);
    this.flags[slot]! &= ~HELD;
    this.freeIfUnused(slot);
  }

  /** The wds the table holds. */
  watchDescriptors(): number[] {
    return this.table.keys();
  }

  /** Every node the table holds. */
  nodes(): DirNode[] {
    return this.table.values().map((slot) => this.handle(slot));
  }

  /** Forgets every node; handles given out before stay invalid (their slots' generations move on). */
  reset(): void {
    for (let slot = 1; slot < this.unused; slot++) if (this.flags[slot]! & LIVE) this.gens[slot] = (this.gens[slot]! + 1) % GENERATIONS;
    this.wds.fill(0);
    this.parents.fill(0);
    this.firsts.fill(0);
    this.nexts.fill(0);
    this.prevs.fill(0);
    this.refs.fill(0);
    this.flags.fill(0);
    this.names = [];
    this.many = new Map();
    this.table.clear();
    this.freeSlots = [];
    this.unused = 1;
  }

  private unlinkSlot(c: number): void {
    if (!(this.flags[c]! & LINKED)) return;
    const p = this.parents[c]!;
    const prev = this.prevs[c]!;
    const next = this.nexts[c]!;
    if (prev !== NONE) this.nexts[prev] = next;
    else this.firsts[p] = next;
    if (next !== NONE) this.prevs[next] = prev;
    this.nexts[c] = this.prevs[c] = NONE;
    this.flags[c]! &= ~LINKED;
    const many = this.many.get(p);
    const key = many && pathKey(this.names[c]!);
    if (many && many.get(key!) === c) many.delete(key!);
  }

  private indexChildren(p: number): void {
    const many = new Map<string, number>();
    // The list has the newest first: the oldest of two same-named children must not win.
    for (let c = this.firsts[p]!; c !== NONE; c = this.nexts[c]!) {
      const key = pathKey(this.names[c]!);
      if (!many.has(key)) many.set(key, c);
    }
    this.many.set(p, many);
  }

  private unref(slot: number): void {
    this.refs[slot]!--;
    this.freeIfUnused(slot);
  }

  /** Frees a slot neither the table nor a parent pointer holds; its own parent may follow. */
  private freeIfUnused(slot: number): void {
    for (let s = slot; s !== NONE && (this.flags[s]! & (LIVE | HELD)) === LIVE && this.refs[s] === 0; ) {
      this.unlinkSlot(s);
      this.many.delete(s);
      const parent = this.parents[s]!;
      this.flags[s] = 0;
      this.gens[s] = (this.gens[s]! + 1) % GENERATIONS;
      this.names[s] = undefined;
      this.parents[s] = this.firsts[s] = this.nexts[s] = this.prevs[s] = this.wds[s] = 0;
      this.freeSlots.push(s);
      if (parent === NONE) break;
      this.refs[parent]!--;
      s = parent;
    }
  }

  private handle(slot: number): DirNode {
    return (slot * GENERATIONS + this.gens[slot]!) as DirNode;
  }

  private handleOrNone(slot: number): DirNode | undefined {
    return slot === NONE ? undefined : this.handle(slot);
  }

  /** Doubles the arrays: calloc'd pages past the last slot used are not resident until written. */
  private grow(needed: number): void {
    const capacity = Math.max(needed, this.capacity * 2, 1024);
    const widen = <A extends Int32Array | Uint16Array | Uint8Array>(old: A, make: (n: number) => A): A => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    const int32 = (n: number) => new Int32Array(n);
    this.wds = widen(this.wds, int32);
    this.parents = widen(this.parents, int32);
    this.firsts = widen(this.firsts, int32);
    this.nexts = widen(this.nexts, int32);
    this.prevs = widen(this.prevs, int32);
    this.refs = widen(this.refs, int32);
    this.gens = widen(this.gens, (n) => new Uint16Array(n));
    this.flags = widen(this.flags, (n) => new Uint8Array(n));
    this.capacity = capacity;
  }
}

/** Same bytes: a name is a string exactly when its bytes are UTF-8, so the usual case is `===`. */
function sameName(a: PathName, b: PathName): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  return pathKey(a) === pathKey(b);
}

function slotOf(node: DirNode): number {
  return Math.floor(node / GENERATIONS);
}
