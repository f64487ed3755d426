/**
 * Recovery without an operator, against a real rsync daemon: the remote dies, work goes on
 * locally, the remote comes back on the same port after 15 s, and the mirror must be whole again
 * within 60 s, well before the fail log's period. Also crontab full syncs with their excludes.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { writeConfig } from './helpers/config';
import { startRsyncDaemon, type RsyncDaemon } from './helpers/rsyncd';
import { startSersync } from './helpers/sersync';
import { diffTrees, snapshot } from './helpers/tree';
import { waitFor } from './helpers/wait';

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function identical(local: string, remote: string): boolean {
  const d = diffTrees(snapshot(local), snapshot(remote));
  return d.missing.length + d.extra.length + d.differing.length === 0;
}

test('a 15 s outage of the remote is caught up within 60 s, with no operator', { timeout: 120_000 }, async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'outage-'));
  cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }));
  const watch = path.join(root, 'w');
  fs.mkdirSync(watch);
  const daemon: RsyncDaemon = await startRsyncDaemon(root);
  cleanups.push(() => daemon.stop());
  const config = writeConfig(path.join(root, 'confxml.xml'), { watch, failLog: path.join(root, 'fail.sh'), port: daemon.port });
  const sersync = await startSersync(['-o', config]);
  cleanups.push(async () => void (await sersync.stop()));

  for (let i = 0; i < 50; i++) fs.writeFileSync(path.join(watch, `f${i}.txt`), `first ${i}`);
  await waitFor('the first 50 files', () => identical(watch, daemon.dir), 30_000, 50);

  await daemon.stop();
  const downAt = Date.now();
  for (let i = 50; i < 100; i++) fs.writeFileSync(path.join(watch, `f${i}.txt`), `second ${i}`);
  for (let i = 0; i < 10; i++) fs.rmSync(path.join(watch, `f${i}.txt`));
  fs.mkdirSync(path.join(watch, 'nested', 'deeper'), { recursive: true });
  fs.writeFileSync(path.join(watch, 'nested', 'deeper', 'file.txt'), 'nested');
  await waitFor('the failures to reach the fail log', () => fs.readFileSync(path.join(root, 'fail.sh'), 'utf8').includes('nested'), 30_000);

  await new Promise((resolve) => setTimeout(resolve, Math.max(0, 15_000 - (Date.now() - downAt)))); // the outage itself lasts 15 s
  await daemon.restart();
  const upAt = Date.now();
  await waitFor('the remote to be whole again', () => identical(watch, daemon.dir), 60_000, 100);
  const catchUp = Date.now() - upAt;
  console.log(`# outage: caught up ${catchUp} ms after the remote came back`);
  assert.ok(catchUp <= 60_000);
});

test('crontab: a full sync of every remote on schedule, without the crontabfilter patterns', { timeout: 60_000 }, async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'crontab-'));
  cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }));
  const watch = path.join(root, 'w');
  fs.mkdirSync(path.join(watch, 'info'), { recursive: true });
  fs.writeFileSync(path.join(watch, 'index.html'), 'html');
  fs.writeFileSync(path.join(watch, 'page.php'), 'php');
  fs.writeFileSync(path.join(watch, 'info', 'x.txt'), 'info');
  const daemon = await startRsyncDaemon(root);
  cleanups.push(() => daemon.stop());
  const config = writeConfig(path.join(root, 'confxml.xml'), { watch, failLog: path.join(root, 'fail.sh'), port: daemon.port });
  fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace('<crontab start="false" schedule="600">', '<crontab start="true" schedule="1">').replace('<crontabfilter start="false">', '<crontabfilter start="true">'));
  // One "minute" of config time lasts 300 ms here.
  const sersync = await startSersync(['-o', config], { env: { SERSYNC2_MINUTE_MS: '300' } });
  cleanups.push(async () => void (await sersync.stop()));
  await waitFor('the crontab full sync', () => fs.existsSync(path.join(daemon.dir, 'index.html')), 20_000);
  assert.equal(fs.existsSync(path.join(daemon.dir, 'page.php')), false, '*.php is excluded');
  assert.equal(fs.existsSync(path.join(daemon.dir, 'info', 'x.txt')), false, 'info/* is excluded');
});
