/**
 * Counting rsync runs the same way for every tool: a wrapper named `rsync`, first in PATH (ours
 * and the loop find rsync through PATH; lsyncd is given the wrapper as its rsync binary), that
 * appends one byte to a counter file and execs the real rsync. It costs every run the same one
 * exec of /bin/sh, whichever tool started it, so the comparison stays fair; and the count is
 * simply the counter file's size.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface RsyncCounter {
  /** The directory to put first in PATH. */
  readonly binDir: string;
  /** The wrapper itself, for tools that take an rsync path (lsyncd's rsync.binary). */
  readonly wrapper: string;
  /** rsync runs started since creation or the last reset(). */
  runs(): number;
  /** Counts from zero again (after a tool's start-up, whose initial sync is not the workload's). */
  reset(): void;
}

let realRsync: string | undefined;

/** The real rsync, found before any wrapper is put in PATH. */
function findRealRsync(): string {
  realRsync ??= execFileSync('sh', ['-c', 'command -v rsync'], { encoding: 'utf8' }).trim();
  if (!realRsync) throw new Error('rsync not found in PATH; run `make bench`, which installs it');
  return realRsync;
}

export function createRsyncCounter(dir: string): RsyncCounter {
  const binDir = path.join(dir, 'bin');
  const counter = path.join(dir, 'rsync-runs');
  const wrapper = path.join(binDir, 'rsync');
  fs.mkdirSync(binDir, { recursive: true });
  fs.writeFileSync(counter, '');
  // printf with O_APPEND: one write(2) of one byte, atomic between concurrent rsyncs.
  fs.writeFileSync(wrapper, `#!/bin/sh\nprintf . >> '${counter}'\nexec '${findRealRsync()}' "$@"\n`, { mode: 0o755 });
  let base = 0;
  const size = () => fs.statSync(counter).size;
  return {
    binDir,
    wrapper,
    runs: () => size() - base,
    reset: () => {
      base = size();
    },
  };
}
