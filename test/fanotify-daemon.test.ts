/**
 * `--watcher` as the operator meets it, on the real bin/sersync2: fanotify refused (not root, a
 * filesystem that cannot report handles: overlayfs, what containers run on) is one line and exit 1
 * when asked for by name, and one `watcher:` line then inotify under `auto`, which takes fanotify
 * for a tree of 100,000 directories or more. Root only (as the fanotify tests are); mirroring on
 * fanotify itself is checked by the golden replay, the churn and the workload tests.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { BIG_TREE } from '../lib/fanotify/auto';
import { fanotifySkip } from './helpers/fanotify';
import { runCaptured, sersyncAsUser, spawnCollecting } from './helpers/proc';
import { commandRecorder, startSersync } from './helpers/sersync';
import { waitFor } from './helpers/wait';

const skip = fanotifySkip();
const top = fs.mkdtempSync(path.join(os.tmpdir(), 'fanotify-daemon-'));
const mounts: string[] = [];
after(() => {
  for (const m of mounts.reverse()) spawnSync('umount', ['-l', m]);
  fs.rmSync(top, { recursive: true, force: true });
});

function configFor(name: string, watch: string): string {
  const dir = path.join(top, name);
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  fs.chmodSync(top, 0o755);
  const file = path.join(dir, 'confxml.xml');
  fs.writeFileSync(file, `<?xml version="1.0" encoding="ISO-8859-1"?>
<head version="2.5"><sersync>
  <localpath watch="${watch}"><remote ip="127.0.0.1" name="m"/></localpath>
  <failLog path="${dir}/fail.sh" timeToExecute="60"/>
</sersync></head>
`);
  fs.chmodSync(dir, 0o777);
  return file;
}

/** A tree of BIG_TREE directories (and the root), made fast: 100 of 1,000 each. */
function bigTree(root: string): void {
  for (let i = 0; i < 100; i++) {
    const branch = path.join(root, `b${i}`);
    fs.mkdirSync(branch, { recursive: true });
    for (let j = 0; j < BIG_TREE / 100 - 1; j++) fs.mkdirSync(path.join(branch, `d${j}`));
  }
}

/** An overlay mount on `dir` (lower `big` when given): fanotify cannot mark it (EOPNOTSUPP). */
function overlay(name: string, big: boolean): string {
  const base = path.join(top, name);
  for (const d of ['lower', 'upper', 'work', 'merged']) fs.mkdirSync(path.join(base, d), { recursive: true });
  if (big) bigTree(path.join(base, 'lower'));
  const merged = path.join(base, 'merged');
  const r = spawnSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${base}/lower,upperdir=${base}/upper,workdir=${base}/work`, merged], { encoding: 'utf8' });
  assert.equal(r.status, 0, `mount -t overlay: ${r.stderr}`);
  mounts.push(merged);
  return merged;
}

const oneLine = (stderr: string): string[] => stderr.trim().split('\n');

test('--watcher fanotify, not root: exit 1, one line naming CAP_SYS_ADMIN and the way out; no stack trace', { skip }, async () => {
  const watch = path.join(top, 'w-user');
  fs.mkdirSync(watch);
  const [cmd, args] = sersyncAsUser(['-o', configFor('user', watch), '--watcher', 'fanotify']);
  const r = await runCaptured(cmd, args, { env: { ...process.env, SERSYNC2_SYSCTL: '0' } });
  assert.equal(r.status, 1, r.stderr);
  assert.deepEqual(oneLine(r.stderr), [`sersync2: cannot watch ${watch} with fanotify: fanotify needs CAP_SYS_ADMIN (run as root) (EPERM); use --watcher inotify`]);
});

test('--watcher fanotify on overlayfs: exit 1, one line (EOPNOTSUPP)', { skip }, async () => {
  const watch = overlay('ov-small', false);
  const r = await runCaptured(process.execPath, [path.resolve(__dirname, '../../bin/sersync2'), '-o', configFor('ov-small', watch), '--watcher', 'fanotify'], { env: { ...process.env, SERSYNC2_SYSCTL: '0' } });
  assert.equal(r.status, 1, r.stderr);
  assert.deepEqual(oneLine(r.stderr), [`sersync2: cannot watch ${watch} with fanotify: its filesystem cannot report file handles (EOPNOTSUPP); use --watcher inotify`]);
});

test(`--watcher auto: fanotify for ${BIG_TREE} directories; on overlayfs one line, then inotify; both mirror`, { skip, timeout: 180_000 }, async () => {
  for (const [name, watch, expected] of [
    ['auto-ext', path.join(top, 'auto-ext'), `watcher: fanotify (${BIG_TREE} directories or more under `],
    ['auto-ov', overlay('ov-big', true), `watcher: inotify, since cannot watch ${path.join(top, 'ov-big', 'merged')} with fanotify: its filesystem cannot report file handles (EOPNOTSUPP)`],
  ] as const) {
    if (name === 'auto-ext') bigTree(watch);
    const recorder = commandRecorder(path.join(top, `${name}-rec`));
    const sersync = await startSersync(['-o', configFor(name, watch), '--watcher', 'auto'], { env: recorder.env });
    try {
      await waitFor(`${name}: the watcher line`, () => sersync.stdout().includes(expected), 60_000);
      fs.writeFileSync(path.join(watch, 'b7', 'd5', 'new file'), 'x');
      await waitFor(`${name}: the rsync of the new file`, () => recorder.commands().some((c) => c.includes('./b7/d5/new file')), 30_000);
    } finally {
      assert.equal(await sersync.stop(), 0, sersync.stderr());
    }
  }
});

test(`--watcher auto, not root, ${BIG_TREE} directories: one line, then inotify, which sees a new file`, { skip, timeout: 180_000 }, async () => {
  const watch = path.join(top, 'auto-user');
  bigTree(watch);
  // --dry-run prints each command instead of running it: nobody needs no recorder directory of its own.
  const [cmd, args] = sersyncAsUser(['-o', configFor('auto-user', watch), '--watcher', 'auto', '--dry-run']);
  const sersync = spawnCollecting(cmd, args, { env: { ...process.env, SERSYNC2_SYSCTL: '0' } });
  try {
    await waitFor('the watcher line and the watch', () => sersync.output().includes('watcher: inotify (fanotify would need root)') && sersync.output().includes('watch path is: '), 60_000);
    fs.writeFileSync(path.join(watch, 'b7', 'd5', 'new file'), 'x');
    await waitFor('the command for the new file', () => sersync.output().includes('./b7/d5/new file'), 30_000);
    assert.equal(sersync.child.exitCode, null, sersync.output());
  } finally {
    await sersync.stop();
  }
  assert.equal(sersync.child.signalCode ?? sersync.child.exitCode, 0, sersync.output());
});
