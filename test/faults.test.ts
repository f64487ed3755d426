/**
 * Faults the storms do not cover (test/storm.test.ts has the remote killed mid-storm and our
 * SIGKILL + -r): a remote that refuses every write (a read-only rsync module). The failures go
 * to the fail log and are retried, the daemon stays up, and it does not spin: its CPU use over a
 * few seconds of failing stays low. Once the module is writable again, the mirror converges.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { writeConfig } from './helpers/config';
import { startRsyncDaemon } from './helpers/rsyncd';
import { startSersync } from './helpers/sersync';
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
