/** `<localpath watch>` with its `<remote ip name>` children: what is mirrored, and where to. */
import path from 'node:path';
import type { ElementView } from '../config/element';

export interface Remote {
  /** Host name or address of the rsync daemon (or ssh host). */
  readonly ip: string;
  /** rsync module, or a remote path when `<ssh start="true">`. */
  readonly name: string;
}

export interface LocalpathConfig {
  /** Absolute, without a trailing slash (sersync2 drops it). */
  readonly watch: string;
  readonly remotes: readonly Remote[];
}

/** Reads and normalises a `watch` attribute; shared with the plugins' own `<localpath>`. */
export function parseWatchPath(view: ElementView): string | undefined {
  const watch = view.required('watch');
  if (watch === undefined) return undefined;
  if (watch === '') {
    view.problem('BAD_PATH', 'watch must not be empty', 'watch');
    return undefined;
  }
  if (!path.isAbsolute(watch)) {
    view.problem('BAD_PATH', 'watch must be an absolute path', 'watch');
    return undefined;
  }
  return stripTrailingSlashes(watch);
}

export function stripTrailingSlashes(dir: string): string {
  const stripped = dir.replace(/\/+$/, '');
  return stripped === '' ? '/' : stripped;
}

export function parseLocalpath(sersync: ElementView): LocalpathConfig | undefined {
  const all = sersync.all('localpath');
  const view = all[0];
  if (!view) {
    sersync.problem('MISSING_ELEMENT', 'missing <localpath watch="..."> with at least one <remote>');
    return undefined;
  }
  for (const extra of all.slice(1)) {
    extra.warn(`only the first <localpath> (line ${view.line}) is used, as in sersync2; run one sersync2 per directory instead`);
  }
  view.expect(['watch'], ['remote']);
  const watch = parseWatchPath(view);
  const remotes: Remote[] = [];
  for (const remote of view.all('remote')) {
    remote.expect(['ip', 'name']);
    const ip = remote.string('ip');
    const name = remote.string('name');
    if (ip === '') remote.problem('NO_REMOTE', 'a remote needs a non-empty ip', remote.has('ip') ? 'ip' : undefined);
    if (name === '') remote.problem('NO_REMOTE', 'a remote needs a non-empty name (the rsync module)', remote.has('name') ? 'name' : undefined);
    if (ip !== '' && name !== '') remotes.push({ ip, name });
  }
  if (view.all('remote').length === 0) view.problem('NO_REMOTE', 'no <remote ip="..." name="..."/> to sync to');
  return watch === undefined ? undefined : { watch, remotes };
}
