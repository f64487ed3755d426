/**
 * A real `rsync --daemon` on 127.0.0.1, on a free port, with one writable module. With
 * `tmpfsBytes` the module's directory is a tmpfs of that size mounted in a mount namespace of the
 * daemon's own (`unshare -m`, or user namespaces when not root): a small remote disk that fills up,
 * invisible to the rest of the machine, gone when the daemon exits.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, portOpen } from '../../workload/loopback';
import { waitFor } from './wait';

export { freePort };

export interface RsyncDaemon {
  readonly port: number;
  readonly module: string;
  /**
   * The module's directory: what arrived on the remote side. With a tmpfs, the same directory seen
   * through the daemon's mount namespace (`/proc/PID/root/...`); it changes with each restart.
   */
  readonly dir: string;
  /** The daemon's process id (undefined once stopped). */
  readonly pid: number | undefined;
  stop(): Promise<void>;
  /** Starts it again on the same port (after stop). A tmpfs module starts again empty. */
  restart(): Promise<void>;
}

export interface RsyncDaemonOptions {
  /** Mount a tmpfs of this size over the module's directory, for the daemon only. */
  readonly tmpfsBytes?: number;
  /** The tmpfs's inode limit (nr_inodes; its root directory takes one). */
  readonly tmpfsInodes?: number;
}

/**
 * `unshare ... sh -c 'mount -t tmpfs ... DIR && exec COMMAND'`: COMMAND runs in a mount namespace
 * of its own, over a fresh tmpfs at DIR. unshare and sh exec, so the child's pid is COMMAND's. As
 * root, `unshare -m` is enough. Otherwise a user namespace makes us root to mount (`-r`), and a
 * nested one gives COMMAND our own uid back, since a root rsync daemon calls setgroups(), which a
 * user namespace refuses.
 */
function inTmpfsNamespace(mountOptions: string, dir: string, command: readonly string[]): [string, string[]] {
  const uid = process.getuid?.() ?? 0;
  const drop = uid === 0 ? [] : ['unshare', '--user', `--map-user=${uid}`, `--map-group=${process.getgid?.() ?? uid}`];
  const unshare = uid === 0 ? ['-m', '--propagation', 'private'] : ['-r', '-m', '--propagation', 'private'];
  return ['unshare', [...unshare, 'sh', '-c', 'mount -t tmpfs -o "$1" tmpfs "$2" && shift 2 && exec "$@"', 'sh', mountOptions, dir, ...drop, ...command]];
}

function tmpfsMountOptions(o: RsyncDaemonOptions): string {
  return `size=${o.tmpfsBytes}${o.tmpfsInodes ? `,nr_inodes=${o.tmpfsInodes}` : ''}`;
}

/**
 * Why a daemon with a tmpfs module cannot run here (no unshare, no mount namespaces, tmpfs
 * refused), or undefined when it can: tries the same unshare and mount once, on a scratch directory.
 */
export function tmpfsUnavailable(scratchDir: string): string | undefined {
  const dir = fs.mkdtempSync(path.join(scratchDir, 'tmpfs-probe-'));
  try {
    const [command, args] = inTmpfsNamespace('size=64k', dir, ['sh', '-c', ': > "$1/x"', 'sh', dir]);
    const r = spawnSync(command, args, { encoding: 'utf8' });
    if (r.error) return `cannot run unshare: ${r.error.message}`;
    if (r.status !== 0) return `cannot mount a tmpfs in a private mount namespace: ${r.stderr.trim() || `exit ${r.status}`}`;
    if (fs.existsSync(path.join(dir, 'x'))) return 'the tmpfs mount leaked out of its namespace';
    return undefined;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function startRsyncDaemon(workDir: string, module = 'mirror', extra = '', options: RsyncDaemonOptions = {}): Promise<RsyncDaemon> {
  const dir = path.join(workDir, `remote-${module}`);
  fs.mkdirSync(dir, { recursive: true });
  const conf = path.join(workDir, `rsyncd-${module}.conf`);
  const port = await freePort();
  const tmpfs = options.tmpfsBytes !== undefined;
  // As root the module is chrooted, so the daemon keeps symlink targets exactly as they are.
  const root = process.getuid?.() === 0;
  fs.writeFileSync(conf, `${root ? 'uid = root\ngid = root\nuse chroot = yes\n' : 'use chroot = no\n'}max connections = 0\npid file = ${workDir}/rsyncd-${module}.pid\nlog file = ${workDir}/rsyncd-${module}.log\n[${module}]\n  path = ${dir}\n  read only = no\n  munge symlinks = no\n${extra}`);
  let child: ChildProcess | undefined;
  const start = async () => {
    fs.rmSync(`${workDir}/rsyncd-${module}.pid`, { force: true });
    const rsyncArgs = ['--daemon', '--no-detach', `--config=${conf}`, `--port=${port}`, '--address=127.0.0.1'];
    const c = tmpfs ? spawn(...inTmpfsNamespace(tmpfsMountOptions(options), dir, ['rsync', ...rsyncArgs]), { stdio: ['ignore', 'ignore', 'pipe'] }) : spawn('rsync', rsyncArgs, { stdio: 'ignore' });
    child = c;
    let stderr = '';
    c.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitFor(`rsync daemon on port ${port}`, () => {
      if (c.exitCode !== null || c.signalCode !== null) throw new Error(`the rsync daemon exited (${c.exitCode ?? c.signalCode}) before it listened: ${stderr.trim()}`);
      return portOpen(port);
    });
  };
  await start();
  return {
    port,
    module,
    get dir() {
      return tmpfs && child?.pid !== undefined ? path.join(`/proc/${child.pid}/root`, dir) : dir;
    },
    get pid() {
      return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
    },
    stop: async () => {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((resolve) => c.once('exit', resolve));
      c.kill('SIGTERM');
      await exited;
      await waitFor(`port ${port} to close`, async () => !(await portOpen(port)));
    },
    restart: start,
  };
}
