/**
 * A directory's entries, read for the watcher: every entry with its type (a new directory's
 * entries are reported), or only the subdirectories (natively: a big tree's files never
 * become JavaScript objects). A directory that cannot be read gives nothing: it is
 * gone or unreadable, and its own events will tell; `undefined` when nothing is at its path
 * (ENOENT, ENOTDIR): it may only have moved since (see lib/inotify/unlistedDirs.ts).
 */
import fs from 'node:fs';
import { excludedAtStart, excludedByFilter } from '../filter/exclude';
import { concatPath, joinRel, toPathName, type PathName } from '../paths';
import type { InotifyBinding, RawEvent, WatcherOptions } from './watcherTypes';

export interface Entry {
  readonly name: PathName;
  readonly isDir: boolean;
}

export interface ChildDir {
  readonly name: PathName;
  readonly rel: PathName;
}

/**
 * The subdirectories of the watched directory `rel` to watch in turn (the filter applied), and,
 * into `report`, all its entries, for a new directory. `undefined` when it is not at that path.
 */
export function listDirectory(inotify: InotifyBinding, options: Pick<WatcherOptions, 'filter' | 'xfs'>, abs: PathName, rel: PathName, report: RawEvent[] | undefined, atStartFilter: boolean): ChildDir[] | undefined {
  // Only a new directory reports its files; otherwise only the subdirectories matter.
  const entries = report ? readEntries(abs, options.xfs) : readSubdirectories(inotify, abs, options.xfs);
  if (!entries) return undefined;
  const dirs: ChildDir[] = [];
  for (const entry of entries) {
    const childRel = joinRel(rel, entry.name);
    if (report) report.push({ dir: rel, name: entry.name, change: entry.isDir ? 'created' : 'closeWrite', isDir: entry.isDir, scanned: true });
    if (!entry.isDir) continue;
    const skip = atStartFilter ? excludedAtStart(options.filter, childRel) : excludedByFilter(options.filter, rel, entry.name);
    if (!skip) dirs.push({ name: entry.name, rel: childRel });
  }
  return dirs;
}

export function readSubdirectories(inotify: InotifyBinding, abs: PathName, xfs: boolean): Entry[] | undefined {
  let names: Buffer[];
  try {
    names = inotify.subdirectories(abs, xfs);
  } catch (error) {
    return notThere(error) ? undefined : [];
  }
  return names.map((bytes) => {
    const name = toPathName(bytes);
    // A raw name would otherwise keep the whole listing alive.
    return { name: typeof name === 'string' ? name : Buffer.from(name), isDir: true };
  });
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
    const typeKnown = isDir || entry.isFile() || entry.isSymbolicLink() || entry.isFIFO() || entry.isSocket() || entry.isBlockDevice() || entry.isCharacterDevice();
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
