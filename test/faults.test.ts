/**
 * Faults the storms do not cover (test/storm.test.ts has the remote killed mid-storm and our
 * SIGKILL + -r): a remote that refuses every write (a read-only rsync module), and a remote whose
 * disk is full (the module on a 512 KiB tmpfs, mounted for the rsync daemon only). The failures
 * go to the fail log and are retried, the daemon stays up, and it does not spin: its CPU use over
 * a few seconds of failing stays low. Once the module is writable again, or the remote has space
 * again, the mirror converges with no operator.
 *
 * What rsync 3.x exits with on a full remote depends on where ENOSPC hits: writing a file's data
 * is fatal, exit 11 (wait status 2816), retried; creating the temporary file (no inode left),
 * a directory or a long symlink is not, exit 23, which sersync2 counts as success (and so does
 * compat mode, whose commands are sersync2's); a batch command turns it into 123, a failure.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { writeConfig } from './helpers/config';
import { startRsyncDaemon, tmpfsUnavailable, type RsyncDaemon } from './helpers/rsyncd';
import { startSersync, type RunningSersync } from './helpers/sersync';
import { diffTrees, snapshot } from './helpers/tree';
import { waitFor } from './helpers/wait';

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** user + system CPU time of a process, in clock ticks (100 per second on Linux). */
function cpuTicks(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

test('a read-only remote: failures logged and retried, no crash, no busy loop, converges once writable', { timeout: 120_000 }, async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'faults-'));
  cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }));
  const watch = path.join(root, 'w');
  fs.mkdirSync(watch);
  const daemon = await startRsyncDaemon(root, 'mirror', '  read only = yes\n');
  cleanups.push(() => daemon.stop());
  const failLog = path.join(root, 'fail.sh');
  const config = writeConfig(path.join(root, 'confxml.xml'), { watch, failLog, port: daemon.port });
  const sersync = await startSersync(['-o', config]);
  cleanups.push(async () => void (await sersync.stop()));
  const pid = sersync.child.pid!;
  const rsyncdLog = path.join(root, 'rsyncd-mirror.log');
  const refusals = () => (fs.existsSync(rsyncdLog) ? fs.readFileSync(rsyncdLog, 'utf8').split('module is read only').length - 1 : 0);

  for (let i = 0; i < 30; i++) fs.writeFileSync(path.join(watch, `f${i}.txt`), `file ${i}`);
  await waitFor('the failures to reach the fail log', () => fs.existsSync(failLog) && (fs.readFileSync(failLog, 'utf8').match(/^#errno/gm) ?? []).length >= 30, 30_000);
  assert.equal((fs.statSync(failLog).mode & 0o777).toString(8), '600');
  const before = refusals();
  const t0 = cpuTicks(pid);
  const started = Date.now();
  // Retried in memory (after 1, 2, 4 ... s): the remote sees more attempts.
  await waitFor('a retry to reach the remote', () => refusals() > before, 20_000, 100);
  await waitFor('3 s of failing to pass', () => Date.now() - started >= 3000, 10_000, 100);
  const cpu = (cpuTicks(pid) - t0) / 100 / ((Date.now() - started) / 1000);
  console.log(`faults: read-only remote: ${refusals()} refusals seen by the remote, daemon CPU ${(cpu * 100).toFixed(1)}% while failing`);
  assert.ok(cpu < 0.25, `the daemon used ${(cpu * 100).toFixed(0)}% of a core while the remote refused writes`);
  assert.equal(sersync.child.exitCode, null, 'the daemon is still running');

  // The module becomes writable: the retries finish the job, with no operator.
  await daemon.stop();
  fs.writeFileSync(path.join(root, 'rsyncd-mirror.conf'), fs.readFileSync(path.join(root, 'rsyncd-mirror.conf'), 'utf8').replace('  read only = yes\n', ''));
  await daemon.restart();
  await waitFor('the mirror to converge', () => {
    const d = diffTrees(snapshot(watch), snapshot(daemon.dir));
    return d.missing.length + d.extra.length + d.differing.length === 0;
  }, 60_000, 100);
});

/** Why the tmpfs remote cannot run here, or false: probed once with the same unshare and mount. */
const noTmpfs = tmpfsUnavailable(os.tmpdir()) ?? false;

interface FullRemote {
  readonly watch: string;
  readonly failLog: string;
  readonly daemon: RsyncDaemon;
  readonly sersync: RunningSersync;
  /** Lines of the rsync daemon's log that report ENOSPC: the attempts that reached the full remote. */
  enospc(): number;
  /** The fail log's `#errno` headers. */
  errnos(): string[];
  converged(): boolean;
}

/** A watched tree mirrored to a module on a tmpfs of `bytes` (and `inodes`), already nearly full. */
async function fullRemote(name: string, tmpfs: { bytes: number; inodes?: number }, fill: (remoteDir: string) => void, args: readonly string[] = []): Promise<FullRemote> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `faults-${name}-`));
  cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }));
  const watch = path.join(root, 'w');
  fs.mkdirSync(watch);
  const daemon = await startRsyncDaemon(root, 'mirror', '', { tmpfsBytes: tmpfs.bytes, tmpfsInodes: tmpfs.inodes });
  cleanups.push(() => daemon.stop());
  // The tmpfs is the daemon's alone: seen through /proc/PID/root, not at the path itself.
  const remote = fs.statfsSync(daemon.dir);
  assert.equal(remote.type, 0x01021994, 'the module is on a tmpfs (TMPFS_MAGIC) in the daemon\'s namespace');
  assert.equal(remote.blocks * remote.bsize, tmpfs.bytes);
  assert.notEqual(daemon.dir, path.join(root, 'remote-mirror'));
  fill(daemon.dir);
  assert.deepEqual(fs.readdirSync(path.join(root, 'remote-mirror')), [], 'the tmpfs is invisible outside the daemon\'s namespace');
  const failLog = path.join(root, 'fail.sh');
  const config = writeConfig(path.join(root, 'confxml.xml'), { watch, failLog, port: daemon.port });
  const sersync = await startSersync([...args, '-o', config]);
  cleanups.push(async () => void (await sersync.stop()));
  const rsyncdLog = path.join(root, 'rsyncd-mirror.log');
  return {
    watch,
    failLog,
    daemon,
    sersync,
    enospc: () => (fs.existsSync(rsyncdLog) ? fs.readFileSync(rsyncdLog, 'utf8').match(/No space left on device/g)?.length ?? 0 : 0),
    errnos: () => (fs.existsSync(failLog) ? fs.readFileSync(failLog, 'utf8').match(/^#errno .*/gm) ?? [] : []),
    converged: () => {
      const d = diffTrees(snapshot(watch), snapshot(daemon.dir));
      return d.missing.length + d.extra.length + d.differing.length === 0;
    },
  };
}

test('a full remote disk: write failures (rsync exit 11) logged and retried, no busy loop, converges once space is freed', { timeout: 120_000, skip: noTmpfs }, async () => {
  const KiB = 1024;
  // 512 KiB, 400 of them taken by a filler: the 6 x 64 KiB written below cannot all fit (one at most).
  const r = await fullRemote('disk-full', { bytes: 512 * KiB }, (dir) => fs.writeFileSync(path.join(dir, 'filler.bin'), Buffer.alloc(400 * KiB, 1)));
  const pid = r.sersync.child.pid!;
  for (let i = 0; i < 6; i++) fs.writeFileSync(path.join(r.watch, `big${i}.bin`), crypto.randomBytes(64 * KiB));

  // Each command failed twice (the first retry too) before it reached the fail log.
  await waitFor('at least 5 failures in the fail log', () => r.errnos().length >= 5, 30_000, 50);
  assert.equal((fs.statSync(r.failLog).mode & 0o777).toString(8), '600');
  const statuses = [...new Set(r.errnos())];
  assert.deepEqual(statuses, ['#errno 2816'], 'rsync exits 11 (error in file IO) when the data does not fit');
  const before = r.enospc();
  const t0 = cpuTicks(pid);
  const started = Date.now();
  // Retried in memory (after 1, 2, 4 ... s): the remote sees more attempts.
  await waitFor('a retry to reach the full remote', () => r.enospc() > before, 20_000, 100);
  await waitFor('3 s of failing to pass', () => Date.now() - started >= 3000, 10_000, 100);
  const cpu = (cpuTicks(pid) - t0) / 100 / ((Date.now() - started) / 1000);
  assert.ok(cpu < 0.25, `the daemon used ${(cpu * 100).toFixed(0)}% of a core while the remote disk was full`);
  assert.equal(r.sersync.child.exitCode, null, 'the daemon is still running');
  assert.ok(r.daemon.pid, 'the rsync daemon is still running');
  assert.equal(r.converged(), false, 'the remote cannot hold the files yet');

  // Space comes back on the remote (the filler goes): the backoff (at most 30 s) finishes the job.
  fs.rmSync(path.join(r.daemon.dir, 'filler.bin'));
  const freed = Date.now();
  await waitFor('the mirror to converge', () => r.converged(), 60_000, 100);
  console.log(`faults: full remote disk: ${r.errnos().length} failures in the fail log (${statuses.join(', ')}), ${r.enospc()} ENOSPC lines in the remote's log, daemon CPU ${(cpu * 100).toFixed(1)}% while failing, converged ${Date.now() - freed} ms after the space was freed`);
});

test('batch mode, a remote out of inodes: rsync exits 23 (mkstemp ENOSPC), which a batch counts as a failure (123): logged, retried, converges once inodes are freed', { timeout: 120_000, skip: noTmpfs }, async () => {
  // 8 inodes: the root directory and 7 fillers take them all.
  const r = await fullRemote('no-inodes', { bytes: 512 * 1024, inodes: 8 }, (dir) => {
    for (let i = 0; i < 7; i++) fs.writeFileSync(path.join(dir, `filler${i}`), '');
  }, ['--batch']);
  for (let i = 0; i < 3; i++) fs.writeFileSync(path.join(r.watch, `small${i}.txt`), `small ${i}`);
  await waitFor('the remote to refuse the files', () => r.enospc() >= 3, 20_000, 50);
  // A batch fails twice (the first retry too) before it reaches the fail log.
  await waitFor('the failure in the fail log', () => r.errnos().length >= 1, 10_000, 50);
  assert.deepEqual([...new Set(r.errnos())], ['#errno 31488'], 'rsync exit 23, turned into 123 by the batch command');
  assert.equal(r.converged(), false);
  for (let i = 0; i < 7; i++) fs.rmSync(path.join(r.daemon.dir, `filler${i}`));
  const freed = Date.now();
  await waitFor('the mirror to converge', () => r.converged(), 45_000, 100);
  assert.equal(r.sersync.child.exitCode, null, 'the daemon is still running');
  console.log(`faults: remote out of inodes (batch): ${r.errnos().length} failures in the fail log (${r.errnos()[0]}); converged ${Date.now() - freed} ms after inodes were freed`);
});
