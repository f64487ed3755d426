/**
 * The changes one fanotify event stands for, in the order they happened. The kernel merges an
 * event into one still queued for the same entry, so `echo x > f` comes as one
 * CREATE|MODIFY|CLOSE_WRITE, and the inotify watcher's rules expect them one by one. A merged
 * CREATE and DELETE says nothing of their order: the entry there now was created last (a file
 * replaced); an entry gone was deleted last (a temporary file).
 */
import type { Change } from '../inotify/change';
import { FAN } from './mask';

/** The order of the changes of one entry, but for a delete, which `deletedLast` places. */
const ORDER: ReadonlyArray<readonly [Change, number]> = [
  ['created', FAN.CREATE],
  ['modified', FAN.MODIFY],
  ['attrib', FAN.ATTRIB],
  ['closeWrite', FAN.CLOSE_WRITE],
];

/** `exists`: whether the entry is there now; asked only for a merged create and delete. */
export function changesOf(mask: number, exists: () => boolean): Change[] {
  const changes: Change[] = [];
  for (const [change, bit] of ORDER) if (mask & bit) changes.push(change);
  if (!(mask & FAN.DELETE)) return changes;
  if (changes.length > 0 && mask & FAN.CREATE && exists()) changes.unshift('deleted');
  else changes.push('deleted');
  return changes;
}
