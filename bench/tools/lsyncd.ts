/**
 * Debian's lsyncd 2.2.3 with default.rsync and delay = 0, the configuration the issue names.
 * Its rsync flags are chosen to equal ours: archive (which lsyncd expands to -lptgoD plus -r),
 * update, no compress, and protect_args off (default.rsync turns -s on by default; ours and the
 * loop do not pass it). It gets `--sockopts=TCP_NODELAY` too, as our batch mode passes it to a
 * daemon: without it each of its runs waits ~80 ms more on delayed acknowledgements, and the
 * table would measure a socket option instead of the batching. The binary is our counting
 * wrapper, which execs the real rsync. `maxProcesses` is our batch mode's `parallel` (the rsyncs
 * a big batch is split among, lib/rsync/config.ts's default; -n's 10 threads do not cap it), not
 * lsyncd's default of 1: both get the same parallelism.
 *
 * Markers, from its log on stdout (nodaemon = true logs there, one line per write, unbuffered):
 * lsyncd adds every watch in its initialize() walk and only then, in its first cycle, logs
 * "recursive startup rsync: SRC -> TARGET" and spawns the initial full rsync; "Startup of SRC
 * -> TARGET finished." follows when that rsync is done, and only then does it act on events.
 */
import fs from 'node:fs';
import path from 'node:path';
import { NODELAY } from '../../lib/command/model';
import { RSYNC_DEFAULTS } from '../../lib/rsync/config';
import { startProcess } from '../child';
import type { RunningTool, Tool } from './types';

/** Our batch mode's rsyncs at once, given to lsyncd too. */
export const LSYNCD_MAX_PROCESSES = RSYNC_DEFAULTS.batch.parallel;

/** A Lua string literal (JSON's escapes are a subset of Lua's for the paths we make). */
const lua = (text: string) => JSON.stringify(text);

function lsyncdConfig(source: string, port: number, rsyncBinary: string): string {
  return [
    'settings { nodaemon = true, insist = true }',
    'sync {',
    '  default.rsync,',
    `  source = ${lua(source)},`,
    `  target = ${lua(`rsync://127.0.0.1:${port}/mirror/`)},`,
    '  delay = 0,',
    `  maxProcesses = ${LSYNCD_MAX_PROCESSES},`,
    `  rsync = { binary = ${lua(rsyncBinary)}, archive = true, update = true, compress = false, protect_args = false, _extra = { ${lua(NODELAY)} } },`,
    '}',
    '',
  ].join('\n');
}

export const lsyncdTool: Tool = {
  id: 'lsyncd',
  watchMarker: 'its "recursive startup rsync" log line, logged right after its watch walk (its initial full rsync runs after that and is not counted)',
  start(cleanup, ws): RunningTool {
    const config = path.join(ws.dir, 'lsyncd.lua');
    fs.writeFileSync(config, lsyncdConfig(ws.watch, ws.daemon.port, ws.rsync.wrapper));
    const proc = startProcess(cleanup, 'lsyncd', [config], { cwd: ws.dir, logPrefix: path.join(ws.dir, 'lsyncd') });
    const watching = proc.marker('stdout', 'Normal: recursive startup rsync: ');
    const startupDone = proc.marker('stdout', `-> rsync://127.0.0.1:${ws.daemon.port}/mirror/ finished.`);
    return {
      id: 'lsyncd',
      pid: proc.pid,
      watching: (deadlineMs) => watching.wait(deadlineMs),
      ready: (deadlineMs) => startupDone.wait(deadlineMs),
      stop: proc.stop,
      tail: proc.tail,
      exited: proc.exited,
    };
  },
};
