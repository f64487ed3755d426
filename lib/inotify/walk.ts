/**
 * The order of the walker's walk (lib/inotify/walker.ts): level by level, each level in
 * chunks of CHUNK directories, a chunk's watches in one native call before its directories are read.
 * (A start-up job goes on below its chunk, breadth first; what it leaves is the next level's.)
 *
 * A level is kept as the listings that found it (a parent, its path, its subdirectories' names),
 * and a chunk is a few runs of those listings' names: no object and no path string per directory.
 * The last level of a big tree is most of it; holding a million paths at once cost more memory
 * than the tree itself, and at start-up, with many configs, the objects and strings made per
 * directory were most of the walk's garbage. The walker makes a path where one is needed.
 */
import { joinRel, type PathName } from '../paths';
import type { DirArrival } from './change';
import type { DirNode } from './dirNode';

/** Directories per addWatches call: large enough that the call's own cost does not count, small enough that its paths stay in the young generation. */
export const CHUNK = 1024;

/** The subdirectories one read found (or the top directory of the walk): the next level holds one of these per directory read. */
export interface Listing {
  readonly parent: DirNode | undefined;
  /** The parent's path from the root ('' for the root, and above it). */
  readonly parentRel: PathName;
  readonly names: readonly PathName[];
  /** The event that made these directories known. */
  readonly change: DirArrival;
  readonly tries: number;
  /** The parent's node was made by this walk: its children are the names of one read, so none shares another's name. */
  readonly fresh: boolean;
}

/** Names `from` to `to` (not included) of one listing: a chunk is a few of these, in walk order. */
export interface ChunkPart {
  readonly listing: Listing;
  readonly from: number;
  readonly to: number;
}

/** One directory of a chunk, with its path from the root ('' for the root). */
export interface WalkDir {
  readonly listing: Listing;
  readonly name: PathName;
  readonly rel: PathName;
}

/** Every directory of a chunk, in order (where each one's object is worth its cost: a test, a report). */
export function dirsOf(parts: readonly ChunkPart[]): WalkDir[] {
  return parts.flatMap(({ listing, from, to }) => listing.names.slice(from, to).map((name) => ({ listing, name, rel: joinRel(listing.parentRel, name) })));
}

export class WalkLevels {
  private level: Listing[];
  private next: Listing[] = [];
  /** Where the next chunk starts in `level`: a listing, and a name in it. */
  private at = 0;
  private atName = 0;

  /** The walk from one directory: `name` in `parent`, whose path is `parentRel` (the root: no parent, '' and ''). */
  constructor(top: { readonly parent: DirNode | undefined; readonly parentRel: PathName; readonly name: PathName; readonly change: DirArrival; readonly tries: number }) {
    // The top directory is its own listing, of one name; its parent was there before the walk.
    this.level = [{ parent: top.parent, parentRel: top.parentRel, names: [top.name], change: top.change, tries: top.tries, fresh: false }];
  }

  /** The subdirectories found by reading `parent` (at `parentRel`; `fresh`: its node was made by this walk), walked on the next level. */
  found(parent: DirNode, parentRel: PathName, names: readonly PathName[], change: DirArrival, fresh: boolean): void {
    if (names.length > 0) this.next.push({ parent, parentRel, names, change, tries: 0, fresh });
  }

  /** The next chunk, in walk order, as runs of listings; undefined at the end. Call after the previous chunk was read. */
  chunk(): ChunkPart[] | undefined {
    if (this.at >= this.level.length) {
      if (this.next.length === 0) return undefined;
      this.level = this.next;
      this.next = [];
      this.at = this.atName = 0;
    }
    const parts: ChunkPart[] = [];
    let size = 0;
    while (size < CHUNK && this.at < this.level.length) {
      const listing = this.level[this.at]!;
      const to = Math.min(listing.names.length, this.atName + CHUNK - size);
      parts.push({ listing, from: this.atName, to });
      size += to - this.atName;
      this.atName = to;
      if (to >= listing.names.length) {
        this.at++;
        this.atName = 0;
      }
    }
    return parts;
  }
}
