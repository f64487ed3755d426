/**
 * The receiving side: a real `rsync --daemon` on 127.0.0.1 on a free port, module `mirror`, one
 * per workspace. Its pid is kept so that the CPU of the daemon and of the per-connection children
 * it forks and reaps can be read from /proc (cutime/cstime of the daemon).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, portOpen } from '../workload/loopback';
import { waitUntil } from './wait';

export interface RsyncDaemon {
  readonly port: number;
  /** What arrived on the remote side. */
  readonly dir: string;
  readonly pid: number;
  stop(): Promise<void>;
}

async function waitPort(port: number, open: boolean, deadlineMs: number): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if ((await portOpen(port)) === open) return true;
    await waitUntil(() => false, 0, 20);
  }
  return false;
}

export async function startRsyncDaemon(workDir: string): Promise<RsyncDaemon> {
  const dir = path.join(workDir, 'remote-mirror');
  fs.mkdirSync(dir, { recursive: true });
  const conf = path.join(workDir, 'rsyncd-mirror.conf');
  const port = await freePort();
  // As root the module is chrooted, so the daemon keeps symlink targets exactly as they are.
  const root = process.getuid?.() === 0;
  fs.writeFileSync(conf, `${root ? 'uid = root\ngid = root\nuse chroot = yes\n' : 'use chroot = no\n'}max connections = 0\npid file = ${workDir}/rsyncd-mirror.pid\nlog file = ${workDir}/rsyncd-mirror.log\n[mirror]\n  path = ${dir}\n  read only = no\n  munge symlinks = no\n`);
  const child = spawn('rsync', ['--daemon', '--no-detach', `--config=${conf}`, `--port=${port}`, '--address=127.0.0.1'], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  if (!(await waitPort(port, true, 10_000)) || child.pid === undefined) {
    child.kill('SIGKILL');
    throw new Error(`the rsync daemon did not listen on port ${port} within 10 s`);
  }
  const pid = child.pid;
  return {
    port,
    dir,
    pid,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
      await waitPort(port, false, 10_000);
    },
  };
}
