/**
 * A watch root that cannot be watched. At start (unreadable for the daemon's user, not a directory,
 * missing): one line naming the directory and the reason, exit 1, nothing left running, in the
 * foreground and with -d. While running (made unreadable, deleted): reported once, and nothing
 * more is watched. Tests run as root, for whom a mode-000 directory is readable, so the daemon runs
 * as an unprivileged user there. The real bin/sersync2, kernel inotify, an rsync daemon on loopback.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { writeConfig } from './helpers/config';
import { type Collecting, pidsWith, runCaptured, sersyncAsUser, spawnCollecting } from './helpers/proc';
import { startRsyncDaemon } from './helpers/rsyncd';
import { BIN, sighupLines } from './helpers/sersync';
import { tempDir } from './helpers/tempDir';
import { waitFor } from './helpers/wait';

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const ENV = { ...process.env, SERSYNC2_SYSCTL: '0' };

async function workspace(name: string) {
  const root = tempDir(`${name}-`);
  // The unprivileged daemon reads the config and writes its fail log here.
  fs.chmodSync(root, 0o777);
  const watch = path.join(root, 'w');
  fs.mkdirSync(watch);
  const remote = await startRsyncDaemon(root);
  cleanups.push(() => remote.stop());
  const config = writeConfig(path.join(root, 'confxml.xml'), { watch, failLog: path.join(root, 'fail.sh'), port: remote.port });
  cleanups.push(() => {
    for (const pid of pidsWith(config)) process.kill(pid, 'SIGKILL');
  });
  return { root, watch, config, remote };
}

const cases: ReadonlyArray<{ what: string; spoil: (watch: string) => void; line: (watch: string, config: string) => RegExp }> = [
  {
    what: 'unreadable (mode 000)',
    spoil: (watch) => fs.chmodSync(watch, 0o000),
    line: (watch) => new RegExp(`^sersync2: cannot watch ${watch}: permission denied \\(EACCES\\)\\n$`),
  },
  {
    what: 'not a directory',
    spoil: (watch) => {
      fs.rmdirSync(watch);
      fs.writeFileSync(watch, 'a file');
    },
    line: (_watch, config) => new RegExp(`^${config}:\\d+: <sersync><localpath watch="[^"]+">: watch is not a directory\\n$`),
  },
  {
    what: 'missing',
    spoil: (watch) => fs.rmdirSync(watch),
    line: (_watch, config) => new RegExp(`^${config}:\\d+: <sersync><localpath watch="[^"]+">: watch directory does not exist\\n$`),
  },
];

for (const c of cases) {
  for (const detached of [false, true]) {
    test(`watch root ${c.what}${detached ? ', with -d' : ''}: one line, exit 1, no stack trace, no process left`, async () => {
      const ws = await workspace('root-start');
      c.spoil(ws.watch);
      const [command, args] = sersyncAsUser([...(detached ? ['-d'] : []), '-o', ws.config]);
      const run = await runCaptured(command, args, { env: ENV, timeoutMs: 10_000 });
      assert.equal(run.status, 1, `${run.stdout}\n${run.stderr}`);
      assert.match(run.stderr, c.line(ws.watch, ws.config));
      assert.doesNotMatch(run.stdout + run.stderr, /internal error|\n\s+at /);
      assert.doesNotMatch(run.stdout, /watch path is/);
      assert.deepEqual(pidsWith(ws.config), []);
      assert.deepEqual(pidsWith(ws.watch), [], 'no command left running in it (cd WATCH && rsync ...)');
    });
  }
}

test('no inotify instance to be had (max_user_instances 0, in a user namespace): one line naming the sysctl, exit 1', async () => {
  const ws = await workspace('no-instance');
  const run = await runCaptured('unshare', ['--user', '--map-root-user', 'sh', '-c', 'echo 0 > /proc/sys/user/max_inotify_instances && exec "$0" "$@"', process.execPath, BIN, '-o', ws.config], { env: ENV, timeoutMs: 10_000 });
  assert.equal(run.status, 1, run.stderr);
  assert.equal(run.stderr, 'sersync2: cannot start inotify: EMFILE: too many open files, inotify_init1 (too many inotify instances: raise fs.inotify.max_user_instances)\n');
  assert.deepEqual(pidsWith(ws.config), []);
});

/** The daemon as the unprivileged user, its output collected. */
async function startAsUser(config: string) {
  const [command, args] = sersyncAsUser(['-o', config]);
  const daemon = spawnCollecting(command, args, { env: ENV });
  cleanups.push(() => daemon.stop());
  await untilWatching(daemon, 'watch path is: ');
  return daemon;
}

/** Waits for the daemon's `watch path is:` line; an exit before it fails the test with the output. */
function untilWatching(daemon: Collecting, line: string): Promise<boolean> {
  return waitFor('the daemon to watch', () => {
    if (daemon.child.exitCode !== null) throw new Error(`exited ${daemon.child.exitCode}: ${daemon.output()}`);
    return daemon.output().includes(line);
  }, 20_000);
}

/** SIGHUP makes the daemon report its counts: by then every earlier kernel event has been read. */
async function reported(daemon: Collecting): Promise<string> {
  const reports = () => sighupLines(daemon.output());
  const before = reports().length;
  daemon.child.kill('SIGHUP');
  return waitFor(`SIGHUP report ${before + 1}`, () => reports()[before], 10_000);
}

/** Reports until nothing is queued or running: a file's second event can still run after its bytes arrived. */
function untilIdle(daemon: Collecting): Promise<string> {
  return waitFor('the daemon to be idle', async () => {
    const line = await reported(daemon);
    return / 0 queued, 0 running, /.test(line) && line;
  }, 10_000, 50);
}

test('a watch root made unreadable while running: reported once, nothing more is watched, no failing commands; SIGTERM still stops it', async () => {
  const ws = await workspace('root-later');
  fs.mkdirSync(path.join(ws.watch, 'sub'));
  const daemon = await startAsUser(ws.config);
  fs.writeFileSync(path.join(ws.watch, 'before.txt'), 'mirrored');
  await waitFor('before.txt on the rsync daemon', () => fs.existsSync(path.join(ws.remote.dir, 'before.txt')), 10_000, 50);
  assert.match(await untilIdle(daemon), /^SIGHUP: 2 watches, /);

  fs.chmodSync(ws.watch, 0o000);
  const message = `ERROR: the watch directory ${ws.watch} cannot be read any more (permission denied (EACCES)): nothing more is watched`;
  await waitFor('the report', () => daemon.output().includes(message), 10_000);
  // Root still writes there; without the watches there is nothing to run (it would fail: cd: can't cd).
  for (let i = 0; i < 20; i++) fs.writeFileSync(path.join(ws.watch, 'sub', `after${i}.txt`), 'x');
  fs.writeFileSync(path.join(ws.watch, 'after.txt'), 'x');
  assert.match(await reported(daemon), /^SIGHUP: 0 watches, 0 queued, 0 running, 0 waiting for retry/);
  const out = daemon.output();
  assert.equal(out.split(message).length - 1, 1, out);
  assert.doesNotMatch(out, /can't cd|internal error/);
  assert.equal(fs.readFileSync(path.join(ws.root, 'fail.sh'), 'utf8'), '');
  assert.equal(daemon.child.exitCode, null, 'keeps running, as for a deleted root');
  daemon.child.kill('SIGTERM');
  assert.equal(await daemon.exited, 0);
});

for (const how of ['deleted', 'moved'] as const) {
  test(`a watch root ${how} while running: reported once, nothing more is watched`, async () => {
    const ws = await workspace(`root-${how}`);
    fs.mkdirSync(path.join(ws.watch, 'a', 'b'), { recursive: true });
    const daemon = await startAsUser(ws.config);
    const moved = path.join(ws.root, 'moved-away');
    if (how === 'deleted') fs.rmSync(ws.watch, { recursive: true });
    else fs.renameSync(ws.watch, moved);
    const message = `ERROR: the watch directory ${ws.watch} was deleted, moved or unmounted: nothing more is watched`;
    await waitFor('the report', () => daemon.output().includes(message), 10_000);
    // A moved tree still exists: its watches would go on reporting paths that are no longer there.
    if (how === 'moved') fs.writeFileSync(path.join(moved, 'a', 'b', 'late.txt'), 'x');
    // (The deletes seen before the root's own may still be running, to a directory that is gone.)
    assert.match(await reported(daemon), how === 'moved' ? /^SIGHUP: 0 watches, 0 queued, 0 running/ : /^SIGHUP: 0 watches, /);
    assert.equal(daemon.output().split(message).length - 1, 1, daemon.output());
    if (how === 'moved') assert.doesNotMatch(daemon.output(), /can't cd/);
    daemon.child.kill('SIGTERM');
    assert.equal(await daemon.exited, 0);
  });
}

test('a watch root that is a symlink to a directory is followed, and mirrored', async () => {
  const ws = await workspace('root-link');
  const link = path.join(ws.root, 'link');
  fs.symlinkSync(ws.watch, link);
  fs.writeFileSync(ws.config, fs.readFileSync(ws.config, 'utf8').replace(`<localpath watch="${ws.watch}">`, `<localpath watch="${link}">`));
  const daemon = spawnCollecting(process.execPath, [BIN, '-o', ws.config], { env: ENV });
  cleanups.push(() => daemon.stop());
  await untilWatching(daemon, `watch path is: ${link}`);
  fs.mkdirSync(path.join(link, 'd'));
  fs.writeFileSync(path.join(link, 'd', 'through-the-link.txt'), 'linked');
  await waitFor('the file on the rsync daemon', () => fs.existsSync(path.join(ws.remote.dir, 'd', 'through-the-link.txt')), 10_000, 50);
  daemon.child.kill('SIGTERM');
  assert.equal(await daemon.exited, 0, daemon.output());
});
