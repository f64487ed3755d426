/**
 * The reference: the original sersync2 2.5.4 binary, from SERSYNC2_REF (never in the
 * repository: see bench/README.md), run as its users run it, `sersync2 -o confxml.xml`, with
 * the very config ours in compat mode gets (bench/config.ts checks it reaches only 127.0.0.1).
 * No -d: with it sersync2 forks, calls setsid and the spawned process exits at once, so the bench
 * would measure nothing; in the foreground it stays the process the bench spawned, in its own
 * process group, and SIGTERM to that group stops it and the rsyncs it runs.
 *
 * sersync2 prints "watch path is: DIR" before its watch walk, not after it, so its "all watched"
 * is found another way: after that line, the last moment its CPU time moved, once the CPU has
 * then stood still for STILL_MS and the kernel reports as many inotify watches as the tree has
 * directories (one read of /proc/PID/fdinfo, which is too costly to poll: see proc.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { BENCH_PARAMS, writeConfig } from '../config';
import { startProcess, TimeoutError } from '../child';
import { inotifyWatches, ownCpuSeconds } from '../proc';
import { sleep } from '../wait';
import type { RunningTool, Tool } from './types';

/** CPU standing still this long after its last move counts as the walk's end (then confirmed by the watch count). */
const STILL_MS = 300;
/** /proc/PID/stat of one process costs ~0.04 ms: polled often, it costs nothing and its resolution is the clock tick (10 ms). */
const POLL_MS = 10;

/** The directories under `root`, itself included: the watches a recursive watcher holds. */
export function countDirs(root: string): number {
  let n = 1;
  for (const e of fs.readdirSync(root, { withFileTypes: true })) if (e.isDirectory()) n += countDirs(path.join(root, e.name));
  return n;
}

/** performance.now() of the walk's end: when `pid`'s CPU last moved before it held `dirs` watches and stood still. */
export async function walkEnd(pid: number, dirs: number, since: number, deadline: number): Promise<number> {
  let cpu = ownCpuSeconds(pid);
  let movedAt = since;
  for (;;) {
    await sleep(POLL_MS);
    const now = performance.now();
    const c = ownCpuSeconds(pid);
    if (c === undefined) throw new Error('sersync2 exited during its watch walk');
    if (c !== cpu) {
      cpu = c;
      movedAt = now;
    } else if (now - movedAt >= STILL_MS) {
      const watches = inotifyWatches(pid);
      if (watches >= dirs) return movedAt;
      // Still walking (blocked on I/O?): wait another still spell before the next costly read.
      movedAt = performance.now();
    }
    if (now > deadline) throw new TimeoutError(`sersync2 held ${inotifyWatches(pid)} of ${dirs} watches after the deadline`);
  }
}

export function referenceTool(binary: string): Tool {
  return {
    id: 'sersync2',
    watchMarker: `"watch path is: DIR" on stdout, which it prints before its walk, then the last move of its CPU time once the kernel shows a watch on every directory (/proc/PID/fdinfo; to ~20 ms)`,
    start(cleanup, ws): RunningTool {
      const config = writeConfig(path.join(ws.dir, 'confxml.xml'), { watch: ws.watch, failLog: path.join(ws.dir, 'fail.sh'), port: ws.daemon.port, params: BENCH_PARAMS });
      const dirs = countDirs(ws.watch);
      const env = { ...process.env, PATH: `${ws.rsync.binDir}:${process.env.PATH ?? ''}` };
      const proc = startProcess(cleanup, binary, ['-o', config], { env, cwd: ws.dir, logPrefix: path.join(ws.dir, 'sersync2') });
      const marker = proc.marker('stdout', 'watch path is: ');
      let walked: Promise<number> | undefined;
      const watching = (deadlineMs: number) => {
        walked ??= (async () => {
          const deadline = performance.now() + deadlineMs;
          const printed = proc.spawnedAt + (await marker.wait(deadlineMs));
          return (await walkEnd(proc.pid, dirs, printed, deadline)) - proc.spawnedAt;
        })();
        return walked;
      };
      return { id: 'sersync2', pid: proc.pid, watching, ready: watching, stop: proc.stop, tail: proc.tail, exited: proc.exited };
    },
  };
}
