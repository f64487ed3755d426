/**
 * A directory's entries, read for the watcher: every entry with its type (a new directory's
 * entries are reported), or only the subdirectories (natively: a big tree's files never
 * become JavaScript objects). A directory that cannot be read gives nothing: it is
 * gone or unreadable, and its own events will tell.
 */
import fs from 'node:fs';
import { concatPath, toPathName, type PathName } from '../paths';
import type { InotifyBinding } from './watcherTypes';

export interface Entry {
  readonly name: PathName;
  readonly isDir: boolean;
}

export function readSubdirectories(inotify: InotifyBinding, abs: PathName, xfs: boolean): Entry[] {
  let names: Buffer[];
  try {
    names = inotify.subdirectories(abs, xfs);
  } catch {
    return [];
  }
  return names.map((bytes) => {
    const name = toPathName(bytes);
    // A raw name would otherwise keep the whole listing alive.
    return { name: typeof name === 'string' ? name : Buffer.from(name), isDir: true };
  });
}

/** `xfs`: types come from lstat, not from the directory entries (`<fileSystem xfs="true">`). */
export function readEntries(abs: PathName, xfs: boolean): Entry[] {
  let entries: fs.Dirent<Buffer>[];
  try {
    entries = fs.readdirSync(abs, { withFileTypes: true, encoding: 'buffer' });
  } catch {
    return [];
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
