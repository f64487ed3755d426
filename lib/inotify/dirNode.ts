/** A watched directory in the watcher's tree: a rename moves its subtree by one parent pointer. */
import { concatPath, pathKey, type PathName } from '../paths';

export interface DirNode {
  wd: number;
  name: PathName;
  parent: DirNode | undefined;
  /** Made on the first subdirectory: most directories of a big tree are leaves. */
  children: Map<string, DirNode> | undefined;
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
  const parent = node.parent;
  if (parent?.children?.get(pathKey(node.name)) === node) parent.children.delete(pathKey(node.name));
}

/** The top of the node's tree: the root when it is attached, else the top of a detached subtree. */
export function topOf(node: DirNode): DirNode | undefined {
  let n = node;
  for (; n.parent; n = n.parent) if (n.parent.children?.get(pathKey(n.name)) !== n) return undefined;
  return n;
}
