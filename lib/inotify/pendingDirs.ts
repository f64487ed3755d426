/**
 * New directories whose watch could not be added yet because their path was stale.
 *
 * The watcher knows a directory's path only from the events it has handled so far, while the disk
 * is ahead of them: when an ancestor was renamed after a directory was created in it, and that
 * rename is still unread, the path built for the new directory no longer exists (ENOENT). The
 * directory is not gone, it moved with its ancestor; the rename that will bring the tree up to
 * date is only further down the kernel queue. So the directory is kept here, under its parent's
 * node, and tried again after each batch, once more of the tree is known, until its watch is
 * added, or an event (a delete or a move away in that parent) or the parent's end says it left.
 */
import { pathKey, type PathName } from '../paths';
import type { DirArrival } from './change';

interface Pending<Node> {
  readonly parent: Node;
  readonly name: PathName;
  /** The event that made the directory known. */
  readonly change: DirArrival;
  tries: number;
}

/** Tries before the watcher gives up on a directory and rebuilds its tree from the disk. */
export const PENDING_TRIES = 64;

export class PendingDirs<Node> {
  private readonly byParent = new Map<Node, Map<string, Pending<Node>>>();

  get size(): number {
    let n = 0;
    for (const names of this.byParent.values()) n += names.size;
    return n;
  }

  add(parent: Node, name: PathName, change: DirArrival, tries = 0): void {
    let names = this.byParent.get(parent);
    if (!names) {
      names = new Map();
      this.byParent.set(parent, names);
    }
    names.set(pathKey(name), { parent, name, change, tries });
  }

  /** The entry `name` of `parent` was deleted or moved away: it is no longer waited for. */
  drop(parent: Node, name: PathName): void {
    const names = this.byParent.get(parent);
    if (!names?.delete(pathKey(name))) return;
    if (names.size === 0) this.byParent.delete(parent);
  }

  /** The parent left the tree: nothing below it is waited for. */
  dropParent(parent: Node): void {
    this.byParent.delete(parent);
  }

  /** Every entry, removed: the caller tries each again and adds back those that still fail. */
  takeAll(): Array<Pending<Node>> {
    const all = [...this.byParent.values()].flatMap((names) => [...names.values()]);
    this.byParent.clear();
    return all;
  }

  clear(): void {
    this.byParent.clear();
  }
}
