/** The local rsync's version, read once from `rsync --version` (batch mode needs 3.1 or later). */
import { spawnSync } from 'node:child_process';

export interface RsyncVersion {
  readonly major: number;
  readonly minor: number;
  readonly text: string;
}

/** `rsync  version 3.2.7  protocol version 31` gives 3.2.7; undefined for anything else. */
export function parseRsyncVersion(output: string): RsyncVersion | undefined {
  const m = /^rsync\s+version\s+v?(\d+)\.(\d+)(\S*)/m.exec(output);
  return m ? { major: Number(m[1]), minor: Number(m[2]), text: `${m[1]}.${m[2]}${m[3]}` } : undefined;
}

/** Undefined when rsync cannot be run or does not say (a wrapper, a stand-in): then nothing is assumed against it. */
export function localRsyncVersion(): RsyncVersion | undefined {
  const result = spawnSync('rsync', ['--version'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
  return result.status === 0 ? parseRsyncVersion(result.stdout) : undefined;
}

export function atLeast(v: RsyncVersion, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}
