/**
 * What `<filter>` leaves out, as paths are spelled for it. Used by the watcher (which directories
 * get no watch) and by the event rules (which events are not synced); it lives beside the filter's
 * config so that the inotify layer need not import the event rules.
 */
import type { PathName } from '../paths';
import { matchesAny, type FilterConfig } from './config';

/** `name` for entries of the watch root, `/sub/dir/name` below it: how sersync2 spells paths for the filter. */
export function filterSubject(dir: PathName, name: PathName): string {
  const text = (p: PathName) => (typeof p === 'string' ? p : p.toString('utf8'));
  return dir.length === 0 ? text(name) : `/${text(dir)}/${text(name)}`;
}

/** True when a directory found while adding watches at start is left unwatched (`static/` vs `^static/*`). */
export function excludedAtStart(filter: FilterConfig, relativeDir: PathName): boolean {
  if (!filter.enabled) return false;
  const text = typeof relativeDir === 'string' ? relativeDir : relativeDir.toString('utf8');
  return matchesAny(filter.excludes, `${text}/`);
}

/** The filter regexes applied at run time. */
export function excludedByFilter(filter: FilterConfig, dir: PathName, name: PathName): boolean {
  return filter.enabled && matchesAny(filter.excludes, filterSubject(dir, name));
}
