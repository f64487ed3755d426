/** A watched directory in the watcher's tree: a rename moves its subtree by one parent pointer. */
import { concatPath, pathKey, type PathName } from '../paths';

/**
 * Held by the million in a big tree, so kept small: a plain object of four fields (56 bytes), and
 * the subdirectories in an array while they are few (8 bytes each, against ~36 in a Map).
 */
export interface DirNode {
  wd: number;
  name: PathName;
  parent: DirNode | undefined;
  /** Made on the first subdirectory (most directories of a big tree are leaves); a Map by pathKey once large. */
  children: DirNode[] | Map<string, DirNode> | undefined;
}

/** Up to this many subdirectories are searched in order; a directory with more gets a Map. */
const ARRAY_CHILDREN = 128;

/** A subdirectory by name; names compare by their bytes (pathKey). */
export function childOf(parent: DirNode, name: PathName): DirNode | undefined {
  const children = parent.children;
  if (!children) return undefined;
  if (children instanceof Map) return children.get(pathKey(name));
  for (const child of children) if (sameName(child.name, name)) return child;
  return undefined;
}

/** Makes `node` the subdirectory `node.name` of `parent`, in place of any other node of that name. */
export function addChild(parent: DirNode, node: DirNode): void {
  const children = parent.children;
  if (!children) {
    parent.children = [node];
  } else if (children instanceof Map) {
    children.set(pathKey(node.name), node);
  } else {
    const at = children.findIndex((child) => sameName(child.name, node.name));
    if (at >= 0) children[at] = node;
    else if (children.length < ARRAY_CHILDREN) children.push(node);
    else parent.children = new Map([...children, node].map((child) => [pathKey(child.name), child]));
  }
}

/** Every subdirectory. */
export function childrenOf(parent: DirNode): Iterable<DirNode> {
  const children = parent.children;
  if (!children) return [];
  return children instanceof Map ? children.values() : children;
}

/** Relative path of a directory node ('' for the root). */
export function pathOf(node: DirNode): PathName {
  const parts: PathName[] = [];
  for (let n: DirNode | undefined = node; n?.parent; n = n.parent) parts.push(n.name);
  if (parts.length === 0) return '';
  const pieces: PathName[] = [];
  for (let i = parts.length - 1; i >= 0; i--) pieces.push(parts[i]!, '/');
  pieces.pop();
  return concatPath(...pieces);
}

/** True when `node` is `ancestor` or lies below it. */
export function isWithin(node: DirNode, ancestor: DirNode): boolean {
  for (let n: DirNode | undefined = node; n; n = n.parent) if (n === ancestor) return true;
  return false;
}

/** Takes the node out of its parent's children (when it is still there under its name). */
export function detach(node: DirNode): void {
  const children = node.parent?.children;
  if (!children) return;
  if (children instanceof Map) {
    if (children.get(pathKey(node.name)) === node) children.delete(pathKey(node.name));
    return;
  }
  const at = children.indexOf(node);
  // splice, not a swap with the last: the others keep their order, as in a Map.
  if (at >= 0) children.splice(at, 1);
}

/** The top of the node's tree: the root when it is attached, else the top of a detached subtree. */
export function topOf(node: DirNode): DirNode | undefined {
  let n = node;
  for (; n.parent; n = n.parent) if (childOf(n.parent, n.name) !== n) return undefined;
  return n;
}

/** Same bytes: a name is a string exactly when its bytes are UTF-8, so the usual case is `===`. */
function sameName(a: PathName, b: PathName): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  return pathKey(a) === pathKey(b);
}
