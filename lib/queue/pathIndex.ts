/**
 * The queued entries by path, as a tree of path components, so that what the queue asks of a path
 * costs its depth or the size of its own subtree, never a scan of the whole queue:
 * - which entries name exactly this path (merging);
 * - whether an ancestor has an entry whose command also syncs everything under it (covering);
 * - every entry strictly under a directory (a directory delete drops them).
 * Keys are pathKeys (lib/paths.ts): a `/` in a key is the path's `/` byte.
 */

interface Node<T> {
  readonly parent: Node<T> | undefined;
  readonly name: string;
  children: Map<string, Node<T>> | undefined;
  /** Entries naming this path, oldest first (almost always one). */
  readonly entries: T[];
  /** How many of `entries` cover their subtree. */
  covering: number;
}

function newNode<T>(parent: Node<T> | undefined, name: string): Node<T> {
  return { parent, name, children: undefined, entries: [], covering: 0 };
}

export class PathIndex<T> {
  private root: Node<T> = newNode<T>(undefined, '');
  private readonly nodes = new Map<T, Node<T>>();

  /** `covers`: whether an entry's command syncs everything under its path (read at add and remove). */
  constructor(readonly covers: (entry: T) => boolean) {}

  add(key: string, entry: T): void {
    const node = this.walk(key, true)!;
    node.entries.push(entry);
    if (this.covers(entry)) node.covering++;
    this.nodes.set(entry, node);
  }

  remove(entry: T): void {
    const node = this.nodes.get(entry);
    if (!node) return;
    this.nodes.delete(entry);
    node.entries.splice(node.entries.indexOf(entry), 1);
    if (this.covers(entry)) node.covering--;
    this.prune(node);
  }

  /** Call around a change of what `covers` answers for an entry: `before` is its old answer. */
  recount(entry: T, before: boolean): void {
    const node = this.nodes.get(entry);
    if (node) node.covering += Number(this.covers(entry)) - Number(before);
  }

  /** The entries naming exactly this path, oldest first. */
  at(key: string): readonly T[] {
    return this.find(key)?.entries ?? [];
  }

  /** The outermost entry on a strict ancestor of the path that covers its subtree, if any. */
  coveringAncestor(key: string): T | undefined {
    let node: Node<T> | undefined = this.root;
    for (let start = 0, slash = key.indexOf('/'); slash !== -1 && node; start = slash + 1, slash = key.indexOf('/', start)) {
      node = node.children?.get(key.slice(start, slash));
      if (node && node.covering > 0) return node.entries.find(this.covers);
    }
    return undefined;
  }

  /** Removes and returns every entry strictly under the directory `key`. */
  removeUnder(key: string): T[] {
    const node = this.find(key);
    if (!node?.children) return [];
    const removed: T[] = [];
    const stack = [...node.children.values()];
    for (let n = stack.pop(); n; n = stack.pop()) {
      for (const entry of n.entries) {
        this.nodes.delete(entry);
        removed.push(entry);
      }
      if (n.children) stack.push(...n.children.values());
    }
    node.children = undefined;
    this.prune(node);
    return removed;
  }

  clear(): void {
    this.root = newNode<T>(undefined, '');
    this.nodes.clear();
  }

  private find(key: string): Node<T> | undefined {
    return this.walk(key, false);
  }

  /** The node of a path, made (with the nodes above it) when `create` is set. */
  private walk(key: string, create: boolean): Node<T> | undefined {
    let node = this.root;
    for (let start = 0; ; ) {
      const slash = key.indexOf('/', start);
      const name = slash === -1 ? key.slice(start) : key.slice(start, slash);
      let child = node.children?.get(name);
      if (!child) {
        if (!create) return undefined;
        node.children ??= new Map();
        child = newNode(node, name);
        node.children.set(name, child);
      }
      node = child;
      if (slash === -1) return node;
      start = slash + 1;
    }
  }

  /** Drops nodes left with no entries and no children, upwards. */
  private prune(node: Node<T>): void {
    for (let n: Node<T> | undefined = node; n?.parent && n.entries.length === 0 && !n.children?.size; n = n.parent) {
      n.parent.children!.delete(n.name);
      if (n.parent.children!.size === 0) n.parent.children = undefined;
    }
  }
}
