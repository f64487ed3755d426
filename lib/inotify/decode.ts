/**
 * The decoding of a read of the kernel's events: each inotify event, its wd resolved against the
 * tree model, becomes what the watcher acts on, or nothing (a wd no longer watched, a mask bit not
 * asked for). Decoded one at a time, as the watcher comes to it: an event's directory path is the
 * one the tree gives after the events before it in the read were applied (a rename moves it).
 */
import type { PathName } from '../paths';
import type { InotifyEvent } from './binding';
import { changeOf } from './change';
import type { DirNode } from './dirNode';
import { IN } from './mask';
import type { WatchTree } from './watchTree';
import type { RawEvent } from './watcherTypes';

/** An event on an entry of a watched directory, as handed up; the cookie is always there. */
export type EntryEvent = RawEvent & { readonly cookie: number };

/** What one kernel event says. */
export type KernelFact =
  /** IN_Q_OVERFLOW: events were lost. */
  | { readonly kind: 'overflow' }
  /** IN_IGNORED: the kernel dropped the watch (its directory is gone, or it was removed). */
  | { readonly kind: 'watchGone'; readonly node: DirNode }
  /** The root itself was deleted, moved or unmounted. */
  | { readonly kind: 'rootGone' }
  /** The root's own mode or owner changed: can the daemon still enter and read it? */
  | { readonly kind: 'rootAttrib' }
  /** A change to an entry of the watched directory `node`. */
  | { readonly kind: 'entry'; readonly node: DirNode; readonly event: EntryEvent };

/** `mask`: the watches' own mask (the root's IN_ATTRIB is only for the root's sake unless asked for). */
export function decode(event: InotifyEvent, tree: WatchTree, mask: number, readAt: number): KernelFact | undefined {
  if (event.mask & IN.Q_OVERFLOW) return { kind: 'overflow' };
  const node = tree.get(event.wd);
  if (!node) return undefined;
  if (event.mask & IN.IGNORED) return { kind: 'watchGone', node };
  const isRoot = node === tree.root;
  // Another directory's end comes as its parent's IN_DELETE or IN_MOVED_FROM.
  if (event.mask & (IN.DELETE_SELF | IN.MOVE_SELF | IN.UNMOUNT)) return isRoot ? { kind: 'rootGone' } : undefined;
  if (event.mask & IN.ATTRIB && isRoot) {
    if (!event.name) return { kind: 'rootAttrib' };
    if (!(mask & IN.ATTRIB)) return undefined; // asked for the root's own sake only (rootMask)
  }
  const change = changeOf(event.mask);
  if (!event.name || !change) return undefined;
  // Raw bytes when the name is not UTF-8, so that rsync gets them unchanged.
  const name: PathName = event.nameBytes ?? event.name;
  const isDir = (event.mask & IN.ISDIR) !== 0;
  return { kind: 'entry', node, event: { dir: tree.pathOf(node), name, change, isDir, cookie: event.cookie, readAt } };
}
