/**
 * "The remote tree equals the local one", measured cheaply and confirmed exactly. Each poll
 * compares fingerprints (type, size, link target: readdir and lstat, no reads), which a 10,000
 * file tree takes a few tens of ms for; once they match, the test suite's byte-for-byte snapshot
 * comparison confirms it, and only then does the wait end. The time reported is that of the poll
 * that saw the match, so the confirmation's own cost is not charged to the tool; its resolution
 * is the poll interval (20 ms, more for big trees, see below).
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { diffTrees, snapshot } from '../workload/tree';
import { CrashError } from './child';
import { sleep } from './wait';

/** Relative path -> "d", "f:SIZE" or "l:TARGET". */
export type Fingerprint = Map<string, string>;

function fingerprint(root: string): Fingerprint {
  const out: Fingerprint = new Map();
  const walk = (dir: string, rel: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // removed while we looked: the next poll sees the new state
    }
    for (const e of entries) {
      const key = rel ? `${rel}/${e.name}` : e.name;
      const abs = path.join(dir, e.name);
      try {
        if (e.isDirectory()) {
          out.set(key, 'd');
          walk(abs, key);
        } else if (e.isSymbolicLink()) out.set(key, `l:${fs.readlinkSync(abs)}`);
        else out.set(key, `f:${fs.lstatSync(abs).size}`);
      } catch {
        // vanished meanwhile
      }
    }
  };
  walk(root, '');
  return out;
}

/** The share of local entries the remote has right, less its extra entries: 1 when equal. */
function agreement(local: Fingerprint, remote: Fingerprint): number {
  if (local.size === 0) return remote.size === 0 ? 1 : 0;
  let same = 0;
  for (const [key, value] of local) if (remote.get(key) === value) same++;
  const extra = Math.max(0, remote.size - same);
  return Math.max(0, (same - extra) / local.size);
}

export type Convergence = { readonly converged: true; readonly ms: number } | { readonly converged: false; readonly progress: number; readonly ms: number };

export interface ConvergeOptions {
  /** The shortest spacing of polls (20 ms). */
  readonly everyMs?: number;
  /** Sees each poll's fingerprints, at the time of the poll: the storms' tail is read from them (bench/tail.ts). */
  readonly observe?: (local: Fingerprint, remote: Fingerprint, seenAt: number) => void;
  /** How the tool ended, once it did: the wait stops there with a CrashError instead of sitting out the deadline. */
  readonly exited?: () => string | undefined;
}

/**
 * Waits until `remoteDir` equals `localDir` (which no longer changes), at most until
 * `deadline` (a performance.now() value). `ms` counts from `since`.
 */
export async function waitForConvergence(localDir: string, remoteDir: string, since: number, deadline: number, { everyMs = 20, observe, exited }: ConvergeOptions = {}): Promise<Convergence & { readonly local: Fingerprint }> {
  const local = fingerprint(localDir);
  let progress = 0;
  for (;;) {
    const seenAt = performance.now();
    const remote = fingerprint(remoteDir);
    observe?.(local, remote, seenAt);
    progress = agreement(local, remote);
    if (progress === 1 && remote.size === local.size) {
      const d = diffTrees(snapshot(localDir), snapshot(remoteDir));
      if (d.missing.length + d.extra.length + d.differing.length === 0) return { converged: true, ms: seenAt - since, local };
    }
    const end = exited?.();
    if (end !== undefined) throw new CrashError(`${Math.floor(progress * 100)}% mirrored, then ${end}`);
    if (performance.now() > deadline) return { converged: false, progress, ms: performance.now() - since, local };
    // A poll of a 10,000-file tree costs tens of ms of CPU: polls are spaced to at most a fifth
    // of one core, so the bench does not take from the tools the two cores it measures them on.
    await sleep(Math.max(everyMs, 4 * (performance.now() - seenAt)));
  }
}
