/**
 * A config's name in log lines, the status file and the metrics: the file's name without `.xml`
 * (`/etc/sersync/www.xml` -> `www`). Where two files share it (the classic layout: a
 * `confxml.xml` in each directory), as many parent directories as make it unique
 * (`/srv/www/confxml.xml` -> `www/confxml`). Never the whole path in a label unless it takes that.
 * Each part as messages show a name (describeName): every line of the config carries it, and a
 * newline in a --config-dir file's name must not start a line of its own.
 */
import path from 'node:path';
import { describeName } from '../paths';

export function instanceNames(files: readonly string[]): Map<string, string> {
  const parts = files.map((file) => {
    const resolved = path.resolve(file).split('/').filter(Boolean);
    const last = resolved.length - 1;
    resolved[last] = resolved[last]!.replace(/\.xml$/, '');
    return resolved.map(describeName);
  });
  const names = new Map<string, string>();
  files.forEach((file, i) => {
    const own = parts[i]!;
    for (let depth = 1; depth <= own.length; depth++) {
      const name = own.slice(-depth).join('/');
      const taken = parts.some((other, j) => j !== i && other.slice(-depth).join('/') === name);
      if (!taken || depth === own.length) {
        names.set(file, name);
        return;
      }
    }
  });
  return names;
}
