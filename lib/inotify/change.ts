/**
 * What a kernel event on an entry says happened, decoded once from its mask here: past lib/events
 * nothing reads a mask bit. A named event carries one of these bits (and IN_ISDIR for a
 * directory), so the mask can be given back exactly where sersync2 showed it (`changeMask`).
 */
import { IN } from './mask';

export type Change = 'created' | 'closeWrite' | 'movedTo' | 'modified' | 'deleted' | 'movedFrom' | 'attrib';

/** How a directory new to the watched tree became known. */
export type DirArrival = Extract<Change, 'created' | 'movedTo'>;

/** Each change's bit, in the order a mask is read: the first one set wins. */
const BITS: ReadonlyArray<readonly [Change, number]> = [
  ['created', IN.CREATE],
  ['closeWrite', IN.CLOSE_WRITE],
  ['movedTo', IN.MOVED_TO],
  ['modified', IN.MODIFY],
  ['deleted', IN.DELETE],
  ['movedFrom', IN.MOVED_FROM],
  ['attrib', IN.ATTRIB],
];

/** The change of a named event, undefined for a mask with none of them. */
export function changeOf(mask: number): Change | undefined {
  return BITS.find(([, bit]) => (mask & bit) !== 0)?.[0];
}

/** The kernel's mask for such an event (the http plugin's `mask=` field and the debug line). */
export function changeMask(change: Change, isDir: boolean): number {
  const bit = BITS.find(([c]) => c === change)![1];
  return isDir ? bit | IN.ISDIR : bit;
}
