/**
 * Starting a fleet of instances (instances/fleet.ts) the two ways a host can run them:
 *   - `one`: ours, one process with every file (`bin/sersync2 -o i00.xml -o i01.xml ...`);
 *   - `procs`: one process per file, the classic way (an init script or a template unit each),
 *     ours or the reference sersync2, spawned back to back.
 * "Watching" is the moment the last instance has its watches in place, counted from the first
 * spawn: ours logs `[NAME] watch path is: DIR` per instance in one process, `watch path is: DIR`
 * alone; sersync2 prints its line before its walk, so its end is found as tools/reference.ts does.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startProcess, type ToolProcess } from '../child';
import type { Cleanup } from '../cleanup';
import { BIN } from '../paths';
import { countDirs, walkEnd } from '../tools/reference';
import type { Workspace } from '../workspace';
import type { Instance } from './fleet';

export type Shape = 'one' | 'procs';

export interface Launched {
  /** The processes started (one, or one per instance). */
  readonly pids: readonly number[];
  /** Ms from the first spawn until every instance watches its whole tree. */
  watching(deadlineMs: number): Promise<number>;
  /** How the first process that ended did; undefined while all run. */
  exited(): string | undefined;
  /** The last output of each process, for error messages. */
  tail(): string;
  /** Stops every process (each as child.ts stops one). Idempotent. */
  stop(): Promise<void>;
}

/** The marker a process prints per instance: with several configs, each line carries `[NAME] `. */
const WATCHING = 'watch path is: ';

function launched(procs: readonly ToolProcess[], doneAt: (deadlineMs: number) => Promise<number>[]): Launched {
  const first = Math.min(...procs.map((p) => p.spawnedAt));
  let watched: Promise<number> | undefined;
  return {
    pids: procs.map((p) => p.pid),
    watching: (deadlineMs) => {
      // Every wait settles before this does: a marker still polling a stopped process's output would read a closed file.
      watched ??= Promise.allSettled(doneAt(deadlineMs)).then((all) => {
        const failed = all.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed) throw failed.reason;
        return Math.max(...all.map((r) => (r as PromiseFulfilledResult<number>).value)) - first;
      });
      return watched;
    },
    exited: () => procs.map((p) => p.exited()).find((e) => e !== undefined),
    tail: () => procs.map((p) => p.tail()).join('\n'),
    stop: async () => {
      await Promise.all(procs.map((p) => p.stop()));
    },
  };
}

/** Ours, compat or `--batch`, in the given shape; SERSYNC2_SYSCTL=0 as in every scenario (the bench sets the limits). */
export function launchOurs(cleanup: Cleanup, ws: Workspace, fleet: readonly Instance[], shape: Shape, batch: boolean): Launched {
  const env = { ...process.env, SERSYNC2_SYSCTL: '0', PATH: `${ws.rsync.binDir}:${process.env.PATH ?? ''}` };
  const mode = batch ? ['--batch'] : [];
  const groups = shape === 'one' ? [fleet] : fleet.map((i) => [i]);
  const started = groups.map((group, k) => {
    const args = [...group.flatMap((i) => ['-o', i.config]), ...mode];
    const proc = startProcess(cleanup, BIN, args, { env, cwd: ws.dir, logPrefix: path.join(ws.dir, `ours-${k}`) });
    const markers = group.length === 1 ? [proc.marker('stdout', WATCHING)] : group.map((i) => proc.marker('stdout', `[${i.name}] ${WATCHING}`));
    return { proc, markers };
  });
  return launched(
    started.map((s) => s.proc),
    (deadlineMs) => started.flatMap(({ proc, markers }) => markers.map(async (m) => proc.spawnedAt + (await m.wait(deadlineMs)))),
  );
}

/** The reference sersync2, one process per config (it takes one -o), in the foreground as tools/reference.ts runs it. */
export function launchReference(cleanup: Cleanup, ws: Workspace, fleet: readonly Instance[], binary: string): Launched {
  const env = { ...process.env, PATH: `${ws.rsync.binDir}:${process.env.PATH ?? ''}` };
  const started = fleet.map((i, k) => {
    const dirs = countDirs(i.watch);
    const proc = startProcess(cleanup, binary, ['-o', i.config], { env, cwd: ws.dir, logPrefix: path.join(ws.dir, `sersync2-${k}`) });
    return { proc, dirs, marker: proc.marker('stdout', WATCHING) };
  });
  return launched(
    started.map((s) => s.proc),
    (deadlineMs) =>
      started.map(async ({ proc, dirs, marker }) => {
        const deadline = performance.now() + deadlineMs;
        const printed = proc.spawnedAt + (await marker.wait(deadlineMs));
        return walkEnd(proc.pid, dirs, printed, deadline);
      }),
  );
}
