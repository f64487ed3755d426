/**
 * Batch mode (our extension): many events become a few rsyncs per remote, like lsyncd.
 *
 * - Changed paths go through `--files-from=- --from0`: rsync stats exactly those paths (a listed
 *   directory is sent with what it holds, as sersync2's own command for it does) and walks
 *   nothing else, however large the tree.
 * - A batch with deletes keeps sersync2's meaning of a delete, a filtered sync of exactly the
 *   listed paths: each path, its ancestors, and for a directory everything under it (`dir/***`)
 *   is included, everything else excluded, so with `--delete` a path gone locally is deleted
 *   remotely and a path that exists again is synced, never lost. `--files-from` cannot delete
 *   without rsync 3.1's `--delete-missing-args` on the remote; include lists work with any rsync.
 *
 * Each list travels inside its command (`printf '%s\0' ... | rsync --from0 ...-from=-`; rsync
 * needs --from0 before --include-from), so a failed batch is a self-contained line of the fail
 * log, and a command stays below the kernel's limit for one argument (the `sh -c` string).
 *
 * Exit statuses: sersync2 counts rsync's 23 (a partial transfer) as success, because that is
 * what a path gone before its rsync gives; but a remote out of inodes or with a directory it may
 * not write gives 23 as well, and sersync2 then loses the files without a word. A batch lists its
 * changes with `--ignore-missing-args` (rsync 3.1+), so a path gone is no error there, and its
 * command says itself what counts: 24 (a file vanished during the transfer: its own event
 * follows) is success, 23 becomes 123, which is retried and kept in the fail log like any
 * failure. The rule travels with the command, so a fail-log run judges it the same way. It runs in
 * a subshell, so its `exit` ends that entry alone when an operator runs the fail log with `sh FILE`.
 *
 * An rsync daemon remote gets `--sockopts=TCP_NODELAY`: rsync's protocol writes small messages,
 * and Nagle's algorithm against delayed acknowledgements costs 40 ms a time (about 90 ms a run
 * on loopback, 10 ms without). It changes nothing that is transferred.
 */
import type { PathEvent } from '../events/types';
import type { Remote } from '../localpath/config';
import { ancestorsOf, concatPath, pathKey, type PathName } from '../paths';
import { shellWord } from '../shell/quote';
import { rsyncOptions, type CommandSettings } from './command';
import { literalPattern, type RsyncCommand } from '../command/model';

/**
 * Most bytes of quoted list words in one command. Linux refuses a single argument over 128 KiB
 * (MAX_ARG_STRLEN), and the whole `sh -c` string is one; the rest of the line fits in the margin.
 */
export const MAX_LIST_BYTES = 120 * 1024;

/**
 * An event's include patterns, ancestors first: `a/`, `a/b/`, `a/b/c`, and `a/b/c/***` for a
 * directory whose whole content must go: a deleted one, one moved in, one changed. A directory
 * created here needs no `***`: the watcher reads it once its watch is in place and reports every
 * entry as an event of its own, which the list then names (sending the subtree again, level by
 * level of a `mkdir -p`, cost three times the rsync CPU in the bench's storm).
 */
function patternsOf(event: PathEvent): PathName[] {
  const out = ancestorsOf(event.path).map((dir) => concatPath(literalPattern(dir, false), '/'));
  out.push(literalPattern(event.path, false));
  if (event.isDir && !createdHere(event)) out.push(concatPath(literalPattern(event.path, true), '/***'));
  return out;
}

/**
 * Changes without the directories created here that hold a listed path: rsync (-R) creates such
 * a directory, with its attributes, as the listed path's parent, and listing it too would send
 * its whole content a second time (`-r` recurses into a listed directory).
 */
function withoutImpliedDirs(events: readonly PathEvent[]): PathEvent[] {
  const parents = new Set(events.flatMap((e) => ancestorsOf(e.path).map(pathKey)));
  return events.filter((e) => !(e.isDir && createdHere(e) && parents.has(pathKey(e.path))));
}

function createdHere(event: PathEvent): boolean {
  return event.kind === 'sync' && event.cause === 'created';
}

/**
 * Lists of words, each at most `maxBytes` long once shell-quoted (one item's words, which never
 * repeat among themselves, always stay in one list), with no word twice in a list: every list
 * stands alone, so an ancestor a list needs is in it even when the list before held it too.
 */
function packLists<T>(items: readonly T[], wordsOf: (item: T) => PathName[], maxBytes = MAX_LIST_BYTES): PathName[][] {
  const lists: PathName[][] = [];
  let list: PathName[] = [];
  // The keys of the list under way. A word is sized (shell-quoted) only when it is new to the
  // list: the ancestors most events share once per list, not once per event. The batch is built
  // on the event loop that every config of the process shares (3,000 events with deletes: 6-8 ms
  // when each event's words were quoted, 3-5 ms so).
  let seen = new Set<string>();
  let bytes = 0;
  for (const item of items) {
    const words = wordsOf(item);
    const keys = words.map(pathKey);
    let added = 0;
    for (let i = 0; i < words.length; i++) if (!seen.has(keys[i]!)) added += quotedBytes(words[i]!);
    if (list.length > 0 && bytes + added > maxBytes) {
      lists.push(list);
      list = [];
      seen = new Set();
      bytes = 0;
      added = 0;
      for (const word of words) added += quotedBytes(word);
    }
    for (let i = 0; i < words.length; i++) {
      if (seen.has(keys[i]!)) continue;
      seen.add(keys[i]!);
      list.push(words[i]!);
    }
    bytes += added;
  }
  if (list.length > 0) lists.push(list);
  return lists;
}

/** The bytes a list word takes in a command: shell-quoted, and a space. */
function quotedBytes(word: PathName): number {
  return Buffer.byteLength(shellWord(word)) + 1;
}

/**
 * The commands for one remote. Changes alone go through --files-from. A batch with deletes goes
 * through one include list for all its paths (changed ones too: a delete's `--delete` must not
 * race a separate sync of a path recreated inside a deleted directory, and one run costs less
 * than two). Each list is split so that no command carries more than `maxBytes` of it; one
 * event's patterns always stay together.
 */
export function batchCommands(s: CommandSettings, remote: Remote, events: readonly PathEvent[], maxBytes = MAX_LIST_BYTES): RsyncCommand[] {
  const common = { remote, cwd: s.watch, options: rsyncOptions(s) };
  if (events.some((e) => e.kind === 'delete')) {
    return packLists(events, patternsOf, maxBytes).map((patterns) => ({ ...common, kind: 'batch-deletes', patterns }));
  }
  return packLists(withoutImpliedDirs(events), (e) => [e.path], maxBytes).map((paths) => ({ ...common, kind: 'batch-changes', paths }));
}
