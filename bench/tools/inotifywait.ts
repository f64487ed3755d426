/**
 * The plain inotifywait + rsync loop (tools/inotifywait-loop.sh), the baseline:
 * inotifywait -m -r printing one line per event, a shell reading them and running a whole-tree
 * `rsync -rlptgoD -u --delete src/ dst` per line, after draining the lines already queued. Cheap
 * on a small tree, and the thing whose every rsync costs seconds on a big one.
 */
import path from 'node:path';
import { startProcess } from '../child';
import type { RunningTool, Tool } from './types';

/** The script in the source tree (dist/ holds only compiled TypeScript). */
const LOOP_SCRIPT = path.resolve(__dirname, '../../../bench/tools/inotifywait-loop.sh');

export const loopTool: Tool = {
  id: 'loop',
  watchMarker: '"Watches established." from inotifywait on stderr',
  start(cleanup, ws): RunningTool {
    const env = { ...process.env, PATH: `${ws.rsync.binDir}:${process.env.PATH ?? ''}` };
    const proc = startProcess(cleanup, 'bash', [LOOP_SCRIPT, ws.watch, `rsync://127.0.0.1:${ws.daemon.port}/mirror/`], { env, cwd: ws.dir, logPrefix: path.join(ws.dir, 'loop') });
    const marker = proc.marker('stderr', 'Watches established.');
    const watching = (deadlineMs: number) => marker.wait(deadlineMs);
    return { id: 'loop', pid: proc.pid, watching, ready: watching, stop: proc.stop, tail: proc.tail, exited: proc.exited };
  },
};
