/**
 * sersync2's rules for which kernel events become syncs (see the reference, "Which events are
 * synced"), as a pure function of the event and the config.
 */
import type { FilterConfig } from '../filter/config';
import { excludedByFilter } from '../filter/exclude';
import type { Change } from '../inotify/change';
import type { InotifyConfig } from '../inotify/config';
import { IN } from '../inotify/mask';
import type { RawEvent } from '../inotify/watcherTypes';
import { joinRel, type PathName } from '../paths';
import type { PathEvent } from './types';

export interface EventRules {
  readonly inotify: InotifyConfig;
  readonly filter: FilterConfig;
  /**
   * Beyond sersync2: a created entry that will never see IN_CLOSE_WRITE (a symlink, a hard link,
   * a fifo) is synced even with createFile off. Answers for the absolute path; injectable for tests.
   */
  readonly isSpecialCreation?: (relativePath: PathName) => boolean;
}

/** The kernel mask to watch each directory with. Structural events are always on, to keep watches right. */
export function watchMask(inotify: InotifyConfig): number {
  let mask = IN.CREATE | IN.MOVED_FROM | IN.MOVED_TO | IN.DELETE | IN.DELETE_SELF | IN.MOVE_SELF | IN.ONLYDIR | IN.DONT_FOLLOW | IN.EXCL_UNLINK;
  if (inotify.closeWrite) mask |= IN.CLOSE_WRITE;
  if (inotify.modify) mask |= IN.MODIFY;
  if (inotify.attrib) mask |= IN.ATTRIB;
  return mask;
}

function lastChar(name: PathName): number {
  return typeof name === 'string' ? name.charCodeAt(name.length - 1) : name[name.length - 1]!;
}

function firstChar(name: PathName): number {
  return typeof name === 'string' ? name.charCodeAt(0) : name[0]!;
}

function isVimProbe(name: PathName): boolean {
  return typeof name === 'string' ? name === '4913' : name.equals(Buffer.from('4913'));
}

/** Returns the sync or delete a raw event stands for, or undefined when sersync2 ignores it. */
export function classify(rules: EventRules, event: RawEvent): PathEvent | undefined {
  const { name, change, isDir } = event;
  if (name.length === 0) return undefined;
  if (!isDir && (isVimProbe(name) || firstChar(name) === 0x2e || lastChar(name) === 0x7e)) return undefined;

  // An entry found in a new directory exists and may have been written before its watch: sync it.
  const kind = event.scanned ? 'sync' : kindOf(rules, event);
  if (kind === undefined) return undefined;

  if (excludedByFilter(rules.filter, event.dir, name)) return undefined;
  const path = relativePath(event);
  return event.readAt === undefined ? { kind, path, isDir, cause: change } : { kind, path, isDir, cause: change, readAt: event.readAt };
}

/** Each change but a creation: the `<inotify>` switch that turns it on, and what it becomes. */
const OPERATIONS: Readonly<Record<Exclude<Change, 'created'>, readonly [keyof InotifyConfig, 'sync' | 'delete']>> = {
  closeWrite: ['closeWrite', 'sync'],
  movedTo: ['moveTo', 'sync'],
  modified: ['modify', 'sync'],
  deleted: ['delete', 'delete'],
  movedFrom: ['moveFrom', 'delete'],
  // sersync2 turns an attribute change into a delete-shaped command (golden case 06): a filtered
  // sync of that one path, which carries the new attributes over.
  attrib: ['attrib', 'delete'],
};

function kindOf(rules: EventRules, event: RawEvent): 'sync' | 'delete' | undefined {
  const { inotify } = rules;
  if (event.change === 'created') {
    return (event.isDir ? inotify.createFolder : inotify.createFile || (rules.isSpecialCreation?.(relativePath(event)) ?? false)) ? 'sync' : undefined;
  }
  const [enabled, kind] = OPERATIONS[event.change];
  return inotify[enabled] ? kind : undefined;
}

export function relativePath(event: Pick<RawEvent, 'dir' | 'name'>): PathName {
  return joinRel(event.dir, event.name);
}
