/**
 * `--config-dir DIR`: every `*.xml` file in DIR, as if each were given with `-o`. In byte order of
 * the names (as `LC_ALL=C ls`), so the order never depends on a locale. Names starting with a dot
 * are left out: editors and `rsync` write their temporary copies so. Symlinks to files count.
 *
 * A name that is not UTF-8 cannot be carried as a path here (Node gives it back with U+FFFD in
 * place of its bytes, which opens nothing): it is listed as unusable, with a line that says so,
 * instead of being left out without a word.
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeUtf8, describeName } from '../paths';
import { StartError } from '../startError';

/** A `*.xml` in the directory that cannot be run, and why (one line). */
export interface UnusableConfig {
  /** Its path as messages show it (describeName). */
  readonly file: string;
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
    const at = Buffer.concat([Buffer.from(path.join(dir, '/')), bytes]);
    if (!fs.statSync(name === undefined ? at : path.join(dir, name), { throwIfNoEntry: false })?.isFile()) continue;
    if (name !== undefined) files.push(path.join(dir, name));
    else unusable.push({ file: describeName(at), name: describeName(bytes.subarray(0, -XML.length)), error: 'its name is not UTF-8, so it cannot be given as a path: rename it' });
  }
  if (files.length + unusable.length === 0) throw new StartError('CONFIG_DIR', `--config-dir ${dir}: no *.xml file in it`);
  return { files, unusable };
}
