/**
 * The tree operations on the watched directories' nodes (nodeStore.ts holds them): a rename moves
 * a subtree by one parent pointer, and a node detached from its parent's children keeps that
 * pointer, so that its path is still known (a directory moved away, until its MOVED_TO).
 */
import { concatPath, type PathName } from '../paths';
import type { DirNode, NodeStore } from './nodeStore';

export type { DirNode } from './nodeStore';

/**
 * Makes `node` the subdirectory `name` of `parent`, in place of any other node of that name (which
 * keeps its parent pointer, detached). `unique`: the caller knows there is none, and the children
 * are not searched (a directory of a hundred subdirectories would cost 5,000 comparisons).
 */
export function addChild(store: NodeStore, parent: DirNode, node: DirNode, unique = false): void {
  const other = unique ? undefined : store.childNamed(parent, store.nameOf(node));
  if (other !== undefined && other !== node) store.unlink(other);
  store.setParent(node, parent);
  store.link(node);
}

/** Every subdirectory of `parent`. */
export function childrenOf(store: NodeStore, parent: DirNode): DirNode[] {
  const children: DirNode[] = [];
  for (let c = store.firstChild(parent); c !== undefined; c = store.nextSibling(c)) children.push(c);
  return children;
}

/** Relative path of a directory node ('' for the root). */
export function pathOf(store: NodeStore, node: DirNode): PathName {
  const parts: PathName[] = [];
  for (let n = node, p = store.parentOf(n); p !== undefined; n = p, p = store.parentOf(n)) parts.push(store.nameOf(n));
  if (parts.length === 0) return '';
  const pieces: PathName[] = [];
  for (let i = parts.length - 1; i >= 0; i--) pieces.push(parts[i]!, '/');
  pieces.pop();
  return concatPath(...pieces);
}

/** True when `node` is `ancestor` or lies below it. */
export function isWithin(store: NodeStore, node: DirNode, ancestor: DirNode): boolean {
  for (let n: DirNode | undefined = node; n !== undefined; n = store.parentOf(n)) if (n === ancestor) return true;
  return false;
}

/** The top of the node's tree: the root when it is attached, else the top of a detached subtree (undefined when a link on the way up is broken). */
export function topOf(store: NodeStore, node: DirNode): DirNode | undefined {
  let n = node;
  for (let p = store.parentOf(n); p !== undefined; n = p, p = store.parentOf(n)) if (!store.linked(n)) return undefined;
  return n;
}
