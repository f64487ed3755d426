/**
 * A directory's entries, read for the watcher: every entry with its type (a new directory's
 * entries are reported), or only the subdirectories (natively: a big tree's files never
 * become JavaScript objects). A directory that cannot be read gives nothing: it is
 * gone or unreadable, and its own events will tell; `undefined` when nothing is at its path
 * (ENOENT, ENOTDIR): it may only have moved since (see lib/inotify/unlistedDirs.ts).
 */
import fs from 'node:fs';
import { constants } from 'node:os';
import { excludedAtStart, excludedByFilter } from '../filter/exclude';
import { concatPath, joinRel, toPathName, type PathName } from '../paths';
import type { InotifyBinding, RawEvent, WatcherOptions } from './watcherTypes';

const { errno } = constants;

/** Where the entries found in a new directory go, as they are read (the watcher's events of one read). */
export interface Report {
  push(event: RawEvent): unknown;
}

/** A directory to read: where it is, and what the read is for. */
export interface ListedDir {
  readonly abs: PathName;
  /** Relative to the watch root. */
  readonly rel: PathName;
  /** Set for a new directory: every entry goes there. */
  readonly report: Report | undefined;
  /** The filter's start-up rules (excludedAtStart) rather than a new directory's (excludedByFilter). */
  readonly atStart: boolean;
  /** Its subdirectories already read (InotifyBinding.watchChunk), or that read's -errno; only without `report`. */
  readonly listed?: readonly PathName[] | number;
}

export interface Entry {
  readonly name: PathName;
  readonly isDir: boolean;
}

/**
 * The names of the subdirectories of the watched directory `rel` to watch in turn (the filter
 * applied), and, into `report`, all its entries, for a new directory. `undefined` when it is not
 * at that path. Only names: the walk makes each child's path when it gets to it, so a level of a
 * million directories is not held as a million paths.
 */
export function listDirectory(inotify: InotifyBinding, options: Pick<WatcherOptions, 'filter' | 'xfs'>, dir: ListedDir): readonly PathName[] | undefined {
  const { abs, rel, report } = dir;
  const skip = (name: PathName) =>
    dir.atStart ? excludedAtStart(options.filter, joinRel(rel, name)) : excludedByFilter(options.filter, rel, name);
  if (!report) {
    // Only a new directory reports its files; otherwise only the subdirectories matter.
    const names = dir.listed !== undefined ? listedNames(dir.listed) : readSubdirectories(inotify, abs, options.xfs);
    return names && names.length > 0 && options.filter.enabled ? names.filter((name) => !skip(name)) : names;
  }
  const entries = readEntries(abs, options.xfs);
  if (!entries) return undefined;
  const dirs: PathName[] = [];
  for (const entry of entries) {
    report.push({ dir: rel, name: entry.name, change: entry.isDir ? 'created' : 'closeWrite', isDir: entry.isDir, scanned: true });
    if (entry.isDir && !skip(entry.name)) dirs.push(entry.name);
  }
  return dirs;
}

function readSubdirectories(inotify: InotifyBinding, abs: PathName, xfs: boolean): readonly PathName[] | undefined {
  try {
    return inotify.subdirectories(abs, xfs);
  } catch (error) {
    return notThere(error) ? undefined : [];
  }
}

/** What watchChunk read, as readSubdirectories() gives it: its names, or for its -errno nothing or none. */
function listedNames(listed: readonly PathName[] | number): readonly PathName[] | undefined {
  if (typeof listed !== 'number') return listed;
  return listed === -errno.ENOENT || listed === -errno.ENOTDIR ? undefined : [];
}

/** `xfs`: types come from lstat, not from the directory entries (`<fileSystem xfs="true">`). */
export function readEntries(abs: PathName, xfs: boolean): Entry[] | undefined {
  let entries: fs.Dirent<Buffer>[];
  try {
    entries = fs.readdirSync(abs, { withFileTypes: true, encoding: 'buffer' });
  } catch (error) {
    return notThere(error) ? undefined : [];
  }
  return entries.map((entry) => {
    const name = toPathName(entry.name);
    let isDir = entry.isDirectory();
    const typeKnown =
      isDir || entry.isFile() || entry.isSymbolicLink() || entry.isFIFO() || entry.isSocket() || entry.isBlockDevice() || entry.isCharacterDevice();
    if (xfs || !typeKnown) {
      try {
        isDir = fs.lstatSync(concatPath(abs, '/', name)).isDirectory();
      } catch {
        isDir = false;
      }
    }
    return { name, isDir };
  });
}

function notThere(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
