/** A real `rsync --daemon` on 127.0.0.1, on a free port, with one writable module. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { waitFor } from './wait';

export interface RsyncDaemon {
  readonly port: number;
  readonly module: string;
  /** The module's directory: what arrived on the remote side. */
  readonly dir: string;
  stop(): Promise<void>;
  /** Starts it again on the same port (after stop). */
  restart(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startRsyncDaemon(workDir: string, module = 'mirror', extra = ''): Promise<RsyncDaemon> {
  const dir = path.join(workDir, `remote-${module}`);
  fs.mkdirSync(dir, { recursive: true });
  const conf = path.join(workDir, `rsyncd-${module}.conf`);
  const port = await freePort();
  // As root the module is chrooted, so the daemon keeps symlink targets exactly as they are.
  const root = process.getuid?.() === 0;
  fs.writeFileSync(conf, `${root ? 'uid = root\ngid = root\nuse chroot = yes\n' : 'use chroot = no\n'}max connections = 0\npid file = ${workDir}/rsyncd-${module}.pid\nlog file = ${workDir}/rsyncd-${module}.log\n[${module}]\n  path = ${dir}\n  read only = no\n  munge symlinks = no\n${extra}`);
  let child: ChildProcess | undefined;
  const start = async () => {
    fs.rmSync(`${workDir}/rsyncd-${module}.pid`, { force: true });
    child = spawn('rsync', ['--daemon', '--no-detach', `--config=${conf}`, `--port=${port}`, '--address=127.0.0.1'], { stdio: 'ignore' });
    await waitFor(`rsync daemon on port ${port}`, () => portOpen(port));
  };
  await start();
  return {
    port,
    module,
    dir,
    stop: async () => {
      const c = child;
      if (!c || c.exitCode !== null) return;
      const exited = new Promise((resolve) => c.once('exit', resolve));
      c.kill('SIGTERM');
      await exited;
      await waitFor(`port ${port} to close`, async () => !(await portOpen(port)));
    },
    restart: start,
  };
}
