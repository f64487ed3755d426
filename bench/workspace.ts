/**
 * One tool's sandbox for one scenario: a fresh directory with the watched tree, a fresh
 * `rsync --daemon` on 127.0.0.1 (bench/rsyncd.ts, module `mirror`), and the rsync counter.
 * Nothing is shared between tools, so one tool's leftovers cannot help or slow the next.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startRsyncDaemon, type RsyncDaemon } from './rsyncd';
import { removeTree, removeTreeSync, type Cleanup } from './cleanup';
import { createRsyncCounter, type RsyncCounter } from './rsyncCounter';

export interface Workspace {
  /** The tool's private directory: configs, logs, the status file. */
  readonly dir: string;
  /** The directory the tool watches (empty unless the scenario fills it). */
  readonly watch: string;
  readonly daemon: RsyncDaemon;
  readonly rsync: RsyncCounter;
  /** Stops the daemon and removes the directory. Idempotent. */
  close(): Promise<void>;
}

let serial = 0;

/**
 * Paths are kept short (`/dev/shm/sb-XXXXXX/7/w`, as short as `/var/www/example.com`): lsyncd's
 * start-up walk slows down with the path's length (100,000 directories: 2.0 s under an 18-char
 * root, 6.5 s under a 30-char one, measured with lsyncd 2.2.3), and a bench artefact must not
 * decide its figures. `name` is written into the directory, for whoever looks at a leftover.
 */
export async function createWorkspace(cleanup: Cleanup, root: string, name: string): Promise<Workspace> {
  const dir = path.join(root, String(++serial));
  const watch = path.join(dir, 'w');
  fs.mkdirSync(watch, { recursive: true });
  fs.writeFileSync(path.join(dir, 'NAME'), `${name}\n`);
  const closeDir = cleanup.add({ close: () => removeTree(dir), kill: () => removeTreeSync(dir) });
  const daemon = await startRsyncDaemon(dir);
  const pidFile = path.join(dir, 'rsyncd-mirror.pid');
  const closeDaemon = cleanup.add({
    close: () => daemon.stop(),
    // At exit there is no time for the helper's graceful stop: the pid file names the daemon.
    kill: () => {
      try {
        process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGKILL');
      } catch {
        // not running
      }
    },
  });
  const rsync = createRsyncCounter(dir);
  return {
    dir,
    watch,
    daemon,
    rsync,
    close: async () => {
      await closeDaemon();
      await closeDir();
    },
  };
}
