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
 * failure. The rule travels with the command, so a fail-log run judges it the same way.
 *
 * An rsync daemon remote gets `--sockopts=TCP_NODELAY`: rsync's protocol writes small messages,
 * and Nagle's algorithm against delayed acknowledgements costs 40 ms a time (about 90 ms a run
 * on loopback, 10 ms without). It changes nothing that is transferred.
 */
import type { PathEvent } from '../events/types';
import type { Remote } from '../localpath/config';
import { ancestorsOf, concatPath, pathKey, type PathName } from '../paths';
import { shellWord } from '../shell/quote';
import { commandPieces, literalPattern, type CommandSettings } from './command';

/**
 * Most bytes of quoted list words in one command. Linux refuses a single argument over 128 KiB
 * (MAX_ARG_STRLEN), and the whole `sh -c` string is one; the rest of the line fits in the margin.
 */
export const MAX_LIST_BYTES = 120 * 1024;

export const NODELAY = '--sockopts=TCP_NODELAY';

/** Appended to every batch command (see the exit statuses above). */
export const BATCH_EXIT_RULE = ' || { s=$?; [ $s = 24 ] && exit 0; [ $s = 23 ] && exit 123; exit $s; }';

/** The include patterns for a set of events, ancestors first, without repeats. */
export function includePatterns(events: readonly PathEvent[]): PathName[] {
  const seen = new Set<string>();
  const out: PathName[] = [];
  const add = (p: PathName) => {
    const key = pathKey(p);
    if (seen.has(key)) return;
    seen.add(key);
    out.push(p);
  };
  for (const event of events) {
    for (const dir of ancestorsOf(event.path)) add(concatPath(literalPattern(dir, false), '/'));
    add(literalPattern(event.path, false));
    if (event.isDir) add(concatPath(literalPattern(event.path, true), '/***'));
  }
  return out;
}

/** The paths to send, without repeats, in the order they came. */
export function changedPaths(events: readonly PathEvent[]): PathName[] {
  const seen = new Set<string>();
  const out: PathName[] = [];
  for (const { path } of events) {
    const key = pathKey(path);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(path);
  }
  return out;
}

/** Splits items into runs whose sizes add up to at most `maxBytes` (an item larger alone still gets a run). */
export function chunkBy<T>(items: readonly T[], sizeOf: (item: T) => number, maxBytes = MAX_LIST_BYTES): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Bytes a list of words takes in a command: each quoted, and a space. */
function listBytes(words: readonly PathName[]): number {
  return words.reduce((sum, word) => sum + Buffer.byteLength(shellWord(word)) + 1, 0);
}

/**
 * The commands for one remote. Changes alone go through --files-from. A batch with deletes goes
 * through one include list for all its paths (changed ones too: a delete's `--delete` must not
 * race a separate sync of a path recreated inside a deleted directory, and one run costs less
 * than two). Each list is split so that no command carries more than `maxBytes` of it; one
 * event's patterns always stay together.
 */
export function batchCommands(s: CommandSettings, remote: Remote, events: readonly PathEvent[], maxBytes = MAX_LIST_BYTES): string[] {
  const p = commandPieces(s, remote);
  const options = `${s.rsync.commonParams} -R ${p.transport}${s.rsync.ssh ? '' : `${NODELAY} `}`;
  const list = (words: readonly PathName[]) => `cd ${shellWord(s.watch)} && printf '%s\\0' ${words.map(shellWord).join(' ')} | rsync ${options}`;
  if (events.some((e) => e.kind === 'delete')) {
    const groups = chunkBy(events, (e) => listBytes(includePatterns([e])), maxBytes);
    return groups.map((group) => `${list(includePatterns(group))}${p.del ? `${p.del} ` : ''}--from0 --include-from=- --exclude='*' ./ ${p.target}${p.redirect}${BATCH_EXIT_RULE}`);
  }
  const groups = chunkBy(changedPaths(events), (path) => listBytes([path]), maxBytes);
  return groups.map((group) => `${list(group)}--from0 --files-from=- --ignore-missing-args ./ ${p.target}${p.redirect}${BATCH_EXIT_RULE}`);
}
