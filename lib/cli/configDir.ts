/**
 * `--config-dir DIR`: every `*.xml` file in DIR, as if each were given with `-o`. In byte order of
 * the names (as `LC_ALL=C ls`), so the order never depends on a locale. Names starting with a dot
 * are left out: editors and `rsync` write their temporary copies so. Symlinks to files count.
 *
 * What cannot be run is listed as unusable, with a line that says why, instead of being left out
 * without a word: a name that is not UTF-8 (it cannot be carried as a path here: Node gives it back
 * with U+FFFD in place of its bytes, which opens nothing), a symlink to a config that is gone, a
 * fifo or a device. Directories are left out, as any other name.
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeUtf8, describeName, type PathName, toPathName } from '../paths';
import { StartError } from '../startError';

/** A `*.xml` in the directory that cannot be run, and why (one line). */
export interface UnusableConfig {
  /** Its path: text, or its bytes when its name is not UTF-8 (messages show it with describeName). */
  readonly file: PathName;
  /** Its name in the log and the status file, shown the same way (the file's name without `.xml`). */
  readonly name: string;
  readonly error: string;
}

export interface ConfigDirListing {
  readonly files: readonly string[];
  readonly unusable: readonly UnusableConfig[];
}

const XML = Buffer.from('.xml');

export function configDirFiles(dir: string): ConfigDirListing {
  let names: Buffer[];
  try {
    names = fs.readdirSync(dir, { encoding: 'buffer' });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const reason = /^[A-Z0-9]+: ([^,]+)/.exec(message)?.[1] ?? message;
    throw new StartError('CONFIG_DIR', `--config-dir ${dir}: ${reason}${code ? ` (${code})` : ''}`);
  }
  const files: string[] = [];
  const unusable: UnusableConfig[] = [];
  for (const bytes of names.filter((n) => n.length > XML.length && n.subarray(-XML.length).equals(XML) && n[0] !== 0x2e).sort(Buffer.compare)) {
    const name = decodeUtf8(bytes);
    const at = name === undefined ? Buffer.concat([Buffer.from(path.join(dir, '/')), bytes]) : path.join(dir, name);
    const entry = entryAt(at);
    if (entry.kind === 'skipped') continue;
    const refuse = (error: string) => unusable.push({ file: at, name: describeName(name?.slice(0, -XML.length) ?? bytes.subarray(0, -XML.length)), error });
    if (entry.kind === 'unusable') refuse(entry.why);
    else if (typeof at !== 'string') refuse('its name is not UTF-8, so it cannot be given as a path: rename it');
    else files.push(at);
  }
  if (files.length + unusable.length === 0) throw new StartError('CONFIG_DIR', `--config-dir ${dir}: no *.xml file in it`);
  return { files, unusable };
}

type Entry = { readonly kind: 'file' } | { readonly kind: 'skipped' } | { readonly kind: 'unusable'; readonly why: string };

/**
 * What a `*.xml` entry is: a file (or a symlink to one); skipped, as a directory is (or an entry
 * gone since the listing); or unusable, with why: a symlink whose target is gone (the config moved
 * away, most likely), a symlink loop, a fifo, a socket or a device.
 */
function entryAt(at: string | Buffer): Entry {
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(at, { throwIfNoEntry: false });
  } catch (error) {
    return { kind: 'unusable', why: `it cannot be read (${(error as NodeJS.ErrnoException).code})` };
  }
  if (st?.isFile()) return { kind: 'file' };
  if (st?.isDirectory()) return { kind: 'skipped' };
  if (st) return { kind: 'unusable', why: 'it is not a regular file' };
  const link = fs.lstatSync(at, { throwIfNoEntry: false });
  if (!link?.isSymbolicLink()) return { kind: 'skipped' };
  return { kind: 'unusable', why: `it is a symbolic link to ${describeName(toPathName(fs.readlinkSync(at, { encoding: 'buffer' })))}, which is not there` };
}
