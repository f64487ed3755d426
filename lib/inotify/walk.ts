/**
 * The order of the walker's walk (lib/inotify/walker.ts): level by level, each level in
 * chunks of CHUNK directories, a chunk's watches in one native call before its directories are read.
 *
 * A level is kept as the listings that found it (a parent, its path, its subdirectories' names),
 * not as one object and two path strings per directory: the last level of a big tree is most of
 * it, and holding a million paths at once cost more memory than the tree itself (and the GC time
 * to go with it). A chunk's paths are made when it comes up and die young.
 */
import { joinRel, type PathName } from '../paths';
import type { DirArrival } from './change';
import type { DirNode } from './dirNode';

/** Directories per addWatches call: large enough that the call's own cost does not count, small enough that its paths stay in the young generation. */
export const CHUNK = 1024;

/** One directory to watch, then read. */
export interface WalkDir {
  readonly parent: DirNode | undefined;
  readonly name: PathName;
  /** Its path from the root ('' for the root). */
  readonly rel: PathName;
  /** The event that made it known (below the top directory: each is found by reading). */
  readonly change: DirArrival;
  readonly tries: number;
  /** Its parent's node was made by this walk: its children are the names of one read, so none shares this one's. */
  readonly parentFresh: boolean;
}

/** The subdirectories one read found: the next level holds one of these per directory read. */
interface Listing {
  readonly parent: DirNode | undefined;
  readonly parentRel: PathName;
  readonly names: readonly PathName[];
  readonly change: DirArrival;
  readonly tries: number;
  readonly fresh: boolean;
}

export class WalkLevels {
  private level: Listing[];
  private next: Listing[] = [];
  /** Where the next chunk starts in `level`: a listing, and a name in it. */
  private at = 0;
  private atName = 0;
  /** The top directory's path, given, so that it is not joined again; used up by the first chunk. */
  private topRel: PathName | undefined;

  /** The walk from one directory. */
  constructor(top: Omit<WalkDir, 'parentFresh'>) {
    // The top directory is its own listing, of one name; its parent was there before the walk.
    this.level = [{ parent: top.parent, parentRel: '', names: [top.name], change: top.change, tries: top.tries, fresh: false }];
    this.topRel = top.rel;
  }

  /** The subdirectories found by reading `parent` (at `parentRel`; `fresh`: its node was made by this walk), walked on the next level. */
  found(parent: DirNode, parentRel: PathName, names: readonly PathName[], change: DirArrival, fresh: boolean): void {
    if (names.length > 0) this.next.push({ parent, parentRel, names, change, tries: 0, fresh });
  }

  /** The next chunk, in walk order; undefined at the end. Call after the previous chunk was read. */
  chunk(): WalkDir[] | undefined {
    if (this.at >= this.level.length) {
      if (this.next.length === 0) return undefined;
      this.level = this.next;
      this.next = [];
      this.at = this.atName = 0;
    }
    const dirs: WalkDir[] = [];
    while (dirs.length < CHUNK && this.at < this.level.length) {
      const l = this.level[this.at]!;
      const name = l.names[this.atName]!;
      const rel = this.topRel ?? joinRel(l.parentRel, name);
      this.topRel = undefined;
      dirs.push({ parent: l.parent, name, rel, change: l.change, tries: l.tries, parentFresh: l.fresh });
      if (++this.atName >= l.names.length) {
        this.at++;
        this.atName = 0;
      }
    }
    return dirs;
  }
}
