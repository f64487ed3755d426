/**
 * Limits, with the real kernel: out of inotify watches, and a watch root that disappears.
 * The watch limit is lowered only for the daemon, in a user namespace of its own
 * (/proc/sys/user/max_inotify_watches there), so the machine's limit and the other tests are
 * untouched. The daemon must name the sysctl and how many watches the tree needs, say how many
 * directories are unwatched, repeat it, and cover them with full syncs.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { writeConfig } from './helpers/config';
import { startRsyncDaemon } from './helpers/rsyncd';
import { spawnCollecting } from './helpers/proc';
import { BIN, startSersync } from './helpers/sersync';
import { waitFor } from './helpers/wait';

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

test('max_user_watches exhausted: a loud, repeated error naming the sysctl and the watches needed, and full syncs cover the unwatched part', { timeout: 60_000 }, async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'limits-'));
  cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }));
  const watch = path.join(root, 'w');
  // 1 + 10 + 50 = 61 directories; the namespace allows 20 watches.
  for (let i = 0; i < 10; i++) for (let j = 0; j < 5; j++) fs.mkdirSync(path.join(watch, `d${i}`, `e${j}`), { recursive: true });
  const daemon = await startRsyncDaemon(root);
  cleanups.push(() => daemon.stop());
  const config = writeConfig(path.join(root, 'confxml.xml'), { watch, failLog: path.join(root, 'fail.sh'), port: daemon.port });
  const daemonProc = spawnCollecting('unshare', ['--user', '--map-root-user', 'sh', '-c', 'echo 20 > /proc/sys/user/max_inotify_watches && exec "$0" "$@"', process.execPath, BIN, '-o', config], {
    env: { ...process.env, SERSYNC2_SYSCTL: '0', SERSYNC2_MINUTE_MS: '100' },
  });
  cleanups.push(() => daemonProc.stop());
  const { child } = daemonProc;
  await waitFor('the watch-limit error', () => daemonProc.output().includes('NOT watched'), 20_000);
  const line = daemonProc.output().split('\n').find((l) => l.includes('NOT watched'))!;
  console.log(`limits: ${line}`);
  assert.match(line, /^ERROR.*\b41 directories are NOT watched\b/);
  assert.match(line, /fs\.inotify\.max_user_watches/);
  assert.match(line, /needs at least 61 watches/);
  assert.equal(daemonProc.output().split('\n').filter((l) => l.includes('cannot watch')).length, 0, 'one summary, not a line per directory');
  // A file deep in the unwatched part still reaches the remote, through the periodic full sync.
  fs.writeFileSync(path.join(watch, 'd9', 'e4', 'deep.txt'), 'unwatched but mirrored');
  await waitFor('the periodic full sync to mirror the unwatched file', () => fs.existsSync(path.join(daemon.dir, 'd9', 'e4', 'deep.txt')), 20_000, 50);
  await waitFor('the warning to repeat', () => daemonProc.output().split('NOT watched').length - 1 >= 2, 20_000, 50);
  assert.equal(child.exitCode, null);
});

test('a watch root deleted while running is reported, and the daemon keeps running', { timeout: 30_000 }, async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rootgone-'));
  cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }));
  const watch = path.join(root, 'w');
  fs.mkdirSync(path.join(watch, 'sub'), { recursive: true });
  const daemon = await startRsyncDaemon(root);
  cleanups.push(() => daemon.stop());
  const config = writeConfig(path.join(root, 'confxml.xml'), { watch, failLog: path.join(root, 'fail.sh'), port: daemon.port });
  const sersync = await startSersync(['-o', config]);
  cleanups.push(async () => void (await sersync.stop()));
  fs.rmSync(watch, { recursive: true });
  await waitFor('the report', () => sersync.stdout().includes(`the watch directory ${watch} was deleted, moved or unmounted`), 10_000);
  assert.equal(sersync.child.exitCode, null);
  assert.equal(await sersync.stop(), 0);
});
