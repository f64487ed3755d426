/**
 * Ours, in compat mode (`bin/sersync2 -o CONFIG`) or batch mode (`--batch`). The config is the
 * stock confxml.xml pointed at the rsync daemon's port (bench/config.ts) with rsync's -z dropped:
 * every tool runs archive mode without compression, as lsyncd's and the loop's flags do.
 * bin/sersync2 is executed itself, not through `node`, so its #! line's V8 flags apply as in
 * production; SERSYNC2_SYSCTL=0 as in the tests (the bench sets the kernel limits for all tools).
 */
import fs from 'node:fs';
import path from 'node:path';
import { BENCH_PARAMS, writeConfig } from '../config';
import { BIN } from '../paths';
import { startProcess } from '../child';
import { waitUntil } from '../wait';
import type { OurStatus, RunningTool, Tool, ToolId } from './types';

function sersyncTool(id: Extract<ToolId, 'compat' | 'batch' | 'fanotify'>): Tool {
  return {
    id,
    watchMarker: `"watch path is: DIR" on stdout (started without -r${id === 'fanotify' ? ', with --watcher fanotify' : ''})`,
    start(cleanup, ws, options): RunningTool {
      const config = writeConfig(path.join(ws.dir, 'confxml.xml'), { watch: ws.watch, failLog: path.join(ws.dir, 'fail.sh'), port: ws.daemon.port, params: BENCH_PARAMS });
      const statusFile = path.join(ws.dir, 'status.json');
      const args = ['-o', config, ...(options.statusFile ? ['--status-file', statusFile] : []), ...MODE_ARGS[id]];
      const env = { ...process.env, SERSYNC2_SYSCTL: '0', PATH: `${ws.rsync.binDir}:${process.env.PATH ?? ''}` };
      const proc = startProcess(cleanup, BIN, args, { env, cwd: ws.dir, logPrefix: path.join(ws.dir, id) });
      const marker = proc.marker('stdout', 'watch path is: ');
      const watching = (deadlineMs: number) => marker.wait(deadlineMs);
      return {
        id,
        pid: proc.pid,
        watching,
        ready: watching,
        stop: proc.stop,
        tail: proc.tail,
        exited: proc.exited,
        status: options.statusFile
          ? async (deadlineMs) => {
              const before = mtimeOf(statusFile);
              process.kill(proc.pid, 'SIGUSR1');
              // The file is replaced by a rename: a new mtime means a complete new file.
              const fresh = await waitUntil(() => mtimeOf(statusFile) !== before && mtimeOf(statusFile) !== undefined, deadlineMs, 5);
              if (!fresh) return undefined;
              return JSON.parse(fs.readFileSync(statusFile, 'utf8')) as OurStatus;
            }
          : undefined,
      };
    },
  };
}

/** What each of ours adds to the compat command line. */
const MODE_ARGS: Record<Extract<ToolId, 'compat' | 'batch' | 'fanotify'>, readonly string[]> = { compat: [], batch: ['--batch'], fanotify: ['--watcher', 'fanotify'] };

function mtimeOf(file: string): number | undefined {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

export const compatTool = sersyncTool('compat');
export const batchTool = sersyncTool('batch');
/** Compat on the fanotify watcher (--watcher fanotify): only when BENCH_TOOLS names it. */
export const fanotifyTool = sersyncTool('fanotify');
