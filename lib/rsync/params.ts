/**
 * What `<commonParams params="...">` says about the commands built with it. Read conservatively:
 * an option this does not understand never makes it answer yes.
 */

/** Short options that take an argument: the rest of their word is that argument, not more options. */
const SHORT_WITH_ARGUMENT = new Set(['B', 'e', 'f', 'M', 'T', '@']);

/**
 * Whether a sync of a directory with these options sends everything under it (`-r`, or `-a`
 * without `--files-from`, and no `--no-r` after it): the queue may then let a queued directory's
 * command cover the syncs inside it (lib/queue/queue.ts, COMPATIBILITY.md "The queue").
 */
export function isRecursive(commonParams: string): boolean {
  let recursive = false;
  for (const word of commonParams.split(/\s+/)) {
    if (word.startsWith('--')) {
      const name = word.slice(2).split('=')[0];
      if (name === 'recursive' || name === 'archive') recursive = true;
      else if (name === 'no-recursive' || name === 'no-r' || name === 'files-from') return false;
    } else if (word.startsWith('-')) {
      for (const letter of word.slice(1)) {
        if (letter === 'r' || letter === 'a') recursive = true;
        if (SHORT_WITH_ARGUMENT.has(letter)) break;
      }
    }
  }
  return recursive;
}
