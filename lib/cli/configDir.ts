/**
 * `--config-dir DIR`: every `*.xml` file in DIR, as if each were given with `-o`. In byte order of
 * the names (as `LC_ALL=C ls`), so the order never depends on a locale. Names starting with a dot
 * are left out: editors and `rsync` write their temporary copies so. Symlinks to files count.
 */
import fs from 'node:fs';
import path from 'node:path';
import { StartError } from '../startError';

export function configDirFiles(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const reason = /^[A-Z0-9]+: ([^,]+)/.exec(message)?.[1] ?? message;
    throw new StartError('CONFIG_DIR', `--config-dir ${dir}: ${reason}${code ? ` (${code})` : ''}`);
  }
  const files = names
    .filter((name) => name.endsWith('.xml') && !name.startsWith('.'))
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map((name) => path.join(dir, name))
    .filter((file) => fs.statSync(file, { throwIfNoEntry: false })?.isFile());
  if (files.length === 0) throw new StartError('CONFIG_DIR', `--config-dir ${dir}: no *.xml file in it`);
  return files;
}
