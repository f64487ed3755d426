/**
 * Many configs in one process (`-o a.xml -o b.xml`, `--config-dir DIR`), each isolated: the real
 * bin/sersync2, kernel inotify, one real rsync daemon on loopback per config. Whatever befalls one
 * config (its remote down, its watch root gone, its file refused or changed), the other keeps
 * mirroring: a file written into it arrives, with its bytes, while the trouble lasts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { writeConfig } from './helpers/config';
import { cleanups, mirrors, sites, start } from './helpers/instances';
import { startRsyncDaemon } from './helpers/rsyncd';
import { BIN, sighupLines } from './helpers/sersync';
import { waitFor } from './helpers/wait';

test('-o twice: one process, each config mirrors to its own remote, its lines carry its name, the status file lists both', { timeout: 60_000 }, async () => {
  const { root, sites: [a, b] } = await sites('instances-two', ['a', 'b']);
  const statusFile = path.join(root, 'status.json');
  const sersync = await start(['-o', a!.config, '-o', b!.config, '--status-file', statusFile], '[b] watch path is: ');
  await waitFor('both configs ready', () => sersync.stdout().includes(`[a] watch path is: ${a!.watch}`));
  await mirrors(a!, 'one.txt');
  await mirrors(b!, 'two.txt');
  assert.ok(!fs.existsSync(path.join(b!.remote.dir, 'one.txt')), 'a file of a is not sent to b');
  assert.match(sersync.stdout(), /^\[a\] option: -o \tconfig xml name：  .*a\.xml$/m);
  process.kill(sersync.child.pid!, 'SIGUSR1');
  const status = await waitFor('the status file with two configs', () => {
    const parsed = fs.existsSync(statusFile) && (JSON.parse(fs.readFileSync(statusFile, 'utf8')) as { instances?: Array<{ name: string; watch: string }> });
    return parsed && parsed.instances?.length === 2 && parsed;
  });
  assert.deepEqual(status.instances!.map((i) => [i.name, i.watch]), [[a!.name, a!.watch], [b!.name, b!.watch]].sort());
  assert.equal(await sersync.stop(), 0);
});

test("isolation: a's remote down, then a's watch root gone; b keeps mirroring meanwhile, and a's failures stay a's", { timeout: 90_000 }, async () => {
  const { sites: [a, b] } = await sites('instances-isolation', ['a', 'b']);
  const sersync = await start(['-o', a!.config, '-o', b!.config], '[b] watch path is: ');
  await waitFor('a ready', () => sersync.stdout().includes('[a] watch path is: '));
  await a!.remote.stop();
  fs.writeFileSync(path.join(a!.watch, 'lost.txt'), 'x');
  // a's command has failed and waits for its retry (its own SIGHUP line says so) while b is tried.
  const aLine = /\[a\] SIGHUP: \d+ watches, \d+ queued, \d+ running, (\d+) waiting for retry/g;
  await waitFor("a's command waiting for a retry", () => {
    sersync.child.kill('SIGHUP');
    return [...sersync.stdout().matchAll(aLine)].some((m) => Number(m[1]) > 0);
  }, 20_000, 200);
  await mirrors(b!, 'while-a-is-down.txt');
  fs.rmSync(a!.watch, { recursive: true });
  await waitFor("a's root loss reported under a's name", () => /ERROR: \[a\] .*w-a/.test(sersync.stdout() + sersync.stderr()));
  await mirrors(b!, 'while-a-is-gone.txt');
  assert.ok(!/\[b\].*(ERROR|WARN)|(ERROR|WARN): \[b\]/.test(sersync.stdout() + sersync.stderr()), `b reported no trouble:\n${sersync.stdout()}`);
  assert.equal(sersync.child.exitCode, null, 'the process runs on');
  await sersync.stop();
});

test('--config-dir at start: a broken file is refused with its one-line error, the others run; -d exits 0 once they are ready', { timeout: 60_000 }, async () => {
  const { dir, sites: [a] } = await sites('instances-refused', ['a']);
  fs.writeFileSync(path.join(dir, 'broken.xml'), '<head version="2.5"><sersync><localpath watch="/nonexistent-dir-x"/></sersync></head>\n');
  const sersync = await start(['--config-dir', dir], '[a] watch path is: ');
  const out = sersync.stdout() + sersync.stderr();
  const refused = out.split('\n').filter((line) => line.includes('[broken]'));
  assert.equal(refused.length, 1, out);
  assert.match(refused[0]!, /^ERROR: \[broken\] .*broken\.xml is not running: .*broken\.xml/);
  await mirrors(a!, 'runs.txt');
  await sersync.stop();
});

test('--config-dir names are data: a newline and an escape stay inside their lines, which mirror; one not UTF-8 is refused, not dropped', { timeout: 60_000 }, async () => {
  const { root, dir, sites: [a, odd] } = await sites('instances-names', ['a', 'odd']);
  fs.renameSync(odd!.config, path.join(dir, 'x\nERROR: [a] forged \x1b[31m.xml'));
  fs.writeFileSync(Buffer.concat([Buffer.from(`${dir}/n`), Buffer.from([0xff]), Buffer.from('.xml')]), fs.readFileSync(a!.config));
  const statusFile = path.join(root, 'status.json');
  const sersync = await start(['--config-dir', dir, '--status-file', statusFile], '[a] watch path is: ');
  const shown = '"x\\nERROR: [a] forged \\x1b[31m"';
  await waitFor('the config with the odd name ready', () => sersync.stdout().includes(`[${shown}] watch path is: ${odd!.watch}`));
  await mirrors(odd!, 'odd.txt');
  await mirrors(a!, 'a.txt');
  const out = `${sersync.stdout()}\n${sersync.stderr()}`;
  assert.ok(!out.includes('\x1b'), 'no escape byte is logged');
  const forged = out.split('\n').filter((line) => line.includes('forged'));
  assert.ok(forged.length > 5 && forged.every((line) => line.includes(`[${shown}] `)), forged.join('\n'));
  assert.match(out, /^ERROR: \["n\\xff"\] ".*\/n\\xff\.xml" is not running: its name is not UTF-8, so it cannot be given as a path: rename it$/m);
  process.kill(sersync.child.pid!, 'SIGUSR1');
  const status = await waitFor('the status file with the refused one', () => {
    const parsed = fs.existsSync(statusFile) && (JSON.parse(fs.readFileSync(statusFile, 'utf8')) as { instances?: Array<{ name: string }>; refused?: Array<{ name: string }> });
    return parsed && parsed.instances?.length === 2 && parsed;
  });
  assert.deepEqual([status.instances!.map((i) => i.name).sort(), status.refused!.map((r) => r.name)], [[shown, 'a'].sort(), ['"n\\xff"']]);
  assert.equal(await sersync.stop(), 0);
});

test('two configs given one fail log in one process: the second is warned about at start, and both mirror', { timeout: 60_000 }, async () => {
  const { sites: [a, b] } = await sites('instances-shared-faillog', ['a', 'b'], { a: { failLog: 'shared.sh' }, b: { failLog: 'shared.sh' } });
  const sersync = await start(['-o', a!.config, '-o', b!.config], '[b] watch path is: ');
  await mirrors(a!, 'one.txt');
  await mirrors(b!, 'two.txt');
  const warned = `${sersync.stdout()}\n${sersync.stderr()}`.split('\n').filter((line) => line.includes('its fail log'));
  assert.deepEqual(warned, [`WARN: [b] its fail log ${a!.failLog} is also [a]'s: each one's fail-log run runs the other's commands too, and waits out the other's remote; give each config its own <failLog path>`]);
  assert.equal(await sersync.stop(), 0);
});

test('SIGHUP after a refused file is deleted: the status file no longer lists it, and --status is OK again', { timeout: 60_000 }, async () => {
  const { root, dir, sites: [a] } = await sites('instances-refused-gone', ['a']);
  const broken = path.join(dir, 'broken.xml');
  fs.writeFileSync(broken, '<head version="2.5"><sersync>\n');
  const statusFile = path.join(root, 'status.json');
  const sersync = await start(['--config-dir', dir, '--status-file', statusFile], '[a] watch path is: ');
  const refusedNow = async (what: string, want: number) => {
    process.kill(sersync.child.pid!, 'SIGUSR1');
    return waitFor(what, () => {
      const parsed = fs.existsSync(statusFile) && (JSON.parse(fs.readFileSync(statusFile, 'utf8')) as { refused?: Array<{ name: string }> });
      return parsed && parsed.refused?.length === want && parsed.refused;
    });
  };
  assert.deepEqual((await refusedNow('broken.xml refused', 1)).map((r) => r.name), ['broken']);
  fs.rmSync(broken);
  sersync.child.kill('SIGHUP');
  await waitFor('the reload', () => sersync.stdout().includes('SIGHUP: config files read again'), 20_000);
  await refusedNow('no file refused', 0);
  const status = spawnSync(process.execPath, [BIN, '--status', statusFile], { encoding: 'utf8' });
  assert.equal(status.status, 0, status.stdout);
  assert.match(status.stdout, /^SERSYNC2 OK/);
  await mirrors(a!, 'still.txt');
  assert.equal(await sersync.stop(), 0);
});

test('SIGHUP reload: added starts, removed stops, changed restarts, unchanged untouched, a change that does not parse keeps the old one', { timeout: 90_000 }, async () => {
  const { root, dir, sites: [a, b, c] } = await sites('instances-reload', ['a', 'b', 'c']);
  // c waits outside the directory until the reload adds it.
  const cAside = path.join(root, 'c.xml');
  fs.renameSync(c!.config, cAside);
  const sersync = await start(['--config-dir', dir], '[b] watch path is: ');
  await waitFor('a ready', () => sersync.stdout().includes('[a] watch path is: '));
  const reloads = () => sersync.stdout().match(/SIGHUP: config files read again/g)?.length ?? 0;

  // b queues a file its remote cannot take: removed, its queued work goes to its fail log.
  fs.renameSync(cAside, path.join(dir, 'c.xml'));
  fs.rmSync(b!.config);
  const aBytes = fs.readFileSync(a!.config);
  sersync.child.kill('SIGHUP');
  await waitFor('the first reload', () => reloads() === 1, 20_000);
  assert.match(sersync.stdout(), /SIGHUP: config files read again: 1 added, 1 removed, 0 restarted, 1 unchanged, 0 not usable/);
  assert.ok(sersync.stdout().includes('[c] watch path is: '), sersync.stdout());
  await mirrors(c!, 'added.txt');
  await mirrors(a!, 'untouched.txt');
  fs.writeFileSync(path.join(b!.watch, 'after-removal.txt'), 'x');

  // A change that does not parse: a keeps running as it was.
  fs.writeFileSync(a!.config, '<head version="2.5"><sersync>\n');
  sersync.child.kill('SIGHUP');
  await waitFor('the second reload', () => reloads() === 2, 20_000);
  assert.match(sersync.stdout() + sersync.stderr(), /ERROR: \[a\] .*a\.xml changed but cannot be used, so this config keeps running as it was: /);
  await mirrors(a!, 'kept.txt');

  // A valid change: a restarts on its new text (another remote port: c's daemon).
  fs.writeFileSync(a!.config, aBytes.toString().replace(`port="${a!.remote.port}"`, `port="${c!.remote.port}"`));
  sersync.child.kill('SIGHUP');
  await waitFor('the third reload', () => reloads() === 3, 20_000);
  assert.match(sersync.stdout(), /SIGHUP: config files read again: 0 added, 0 removed, 1 restarted, 1 unchanged, 0 not usable/);
  fs.writeFileSync(path.join(a!.watch, 'moved.txt'), 'to c');
  await waitFor('a now mirrors to the new remote', () => fs.existsSync(path.join(c!.remote.dir, 'moved.txt')));
  assert.ok(!fs.existsSync(path.join(b!.remote.dir, 'after-removal.txt')), 'b no longer mirrors');
  assert.equal(await sersync.stop(), 0);
  assert.equal(sighupLines(sersync.stdout()).filter((l) => l.startsWith('SIGHUP')).length >= 3, true);
});

test('SIGHUP: a running config whose file became a symlink to nothing keeps running, as a change that does not parse does', { timeout: 60_000 }, async () => {
  const { root, dir, sites: [a] } = await sites('instances-dangling', ['a']);
  const sersync = await start(['--config-dir', dir], 'watch path is: ');
  fs.renameSync(a!.config, path.join(root, 'a.xml.moved'));
  fs.symlinkSync(path.join(root, 'gone.xml'), a!.config);
  sersync.child.kill('SIGHUP');
  await waitFor('the reload', () => sersync.stdout().includes('SIGHUP: config files read again'), 20_000);
  assert.match(sersync.stdout(), /SIGHUP: config files read again: 0 added, 0 removed, 0 restarted, 0 unchanged, 1 not usable/);
  assert.match(`${sersync.stdout()}${sersync.stderr()}`, /^ERROR: \[a\] .*a\.xml changed but cannot be used, so this config keeps running as it was: it is a symbolic link to .*gone\.xml, which is not there$/m);
  await mirrors(a!, 'still.txt');
  assert.equal(await sersync.stop(), 0);
});

test('two configs over the same tree (overlapping watch roots): both mirror each file', { timeout: 60_000 }, async () => {
  const { root, dir, sites: [a] } = await sites('instances-overlap', ['a']);
  const other = await startRsyncDaemon(fs.mkdirSync(path.join(root, 'r-same'), { recursive: true }) ?? path.join(root, 'r-same'));
  cleanups.push(() => other.stop());
  const same = writeConfig(path.join(dir, 'same.xml'), { watch: a!.watch, failLog: path.join(root, 'fail-same.sh'), port: other.port });
  const sersync = await start(['-o', a!.config, '-o', same], '[same] watch path is: ');
  await waitFor('a ready', () => sersync.stdout().includes('[a] watch path is: '));
  await mirrors(a!, 'both.txt');
  await waitFor('the same file on the second remote', () => fs.existsSync(path.join(other.dir, 'both.txt')));
  await sersync.stop();
});
