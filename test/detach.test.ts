/**
 * `-d` as callers use it: `$(sersync2 -d ...)`, `ssh host sersync2 -d ...`, a configuration tool's
 * shell task. Each waits until every copy of its pipes is closed, so the parent must print the
 * start-up lines and leave, and the detached child must hold none of the caller's descriptors.
 * The real bin/sersync2, kernel inotify and an rsync daemon on loopback.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { writeConfig } from './helpers/config';
import { alive, descriptors, pidsWith, runCaptured, sersyncAsUser } from './helpers/proc';
import { startRsyncDaemon, type RsyncDaemon } from './helpers/rsyncd';
import { BIN, commandRecorder } from './helpers/sersync';
import { tempDir } from './helpers/tempDir';
import { waitFor } from './helpers/wait';

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const ENV = { ...process.env, SERSYNC2_SYSCTL: '0' };

async function workspace(name: string, daemon?: RsyncDaemon) {
  const root = tempDir(`${name}-`);
  const watch = path.join(root, 'w');
  fs.mkdirSync(watch);
  const remote = daemon ?? (await startRsyncDaemon(root));
  if (!daemon) cleanups.push(() => remote.stop());
  const config = writeConfig(path.join(root, 'confxml.xml'), { watch, failLog: path.join(root, 'fail.sh'), port: remote.port });
  // Whatever a failed test left running.
  cleanups.push(() => {
    for (const pid of pidsWith(config)) process.kill(pid, 'SIGKILL');
  });
  return { root, watch, config, remote };
}

/** The one daemon started with `config`, stopped at the end of the test file. */
function daemonOf(config: string): number {
  const pids = pidsWith(config);
  assert.equal(pids.length, 1, `one process for ${config}: ${pids.join(' ')}`);
  const pid = pids[0]!;
  cleanups.push(async () => {
    if (!alive(pid)) return;
    process.kill(pid, 'SIGTERM');
    await waitFor(`daemon ${pid} to exit`, () => !alive(pid));
  });
  return pid;
}

test('$(sersync2 -d): returns within a second of "watch path is", exit 0; the child holds none of the caller\'s descriptors and mirrors', async () => {
  const ws = await workspace('detach');
  // The caller's pipes also on fds 250 and 251, without close-on-exec, as bash's `250>&1` passes them
  // down (a harness's or an ssh session's descriptors): they too must be closed for stdout to end.
  const run = await runCaptured('bash', ['-c', 'exec "$@" 250>&1 251>&2', 'bash', process.execPath, BIN, '-d', '-o', ws.config], { env: ENV, mark: 'watch path is: ' });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.signal, null);
  assert.equal(run.stderr, '');
  assert.match(run.stdout, /^option: -d \trun as a daemon$/m);
  assert.ok(run.stdout.endsWith(`run the sersync: \nwatch path is: ${ws.watch}\n`), run.stdout);
  assert.ok(run.markAt !== undefined);
  const returnMs = run.closedAt - run.markAt;
  console.log(`$(sersync2 -d): every pipe closed ${returnMs.toFixed(0)} ms after "watch path is"`);
  assert.ok(returnMs < 1000, `${returnMs} ms`);

  const pid = daemonOf(ws.config);
  const fds = descriptors(pid);
  for (const fd of [0, 1, 2]) assert.equal(fds.get(fd), '/dev/null', `fd ${fd}`);
  assert.equal(fs.readFileSync(`/proc/${pid}/comm`, 'utf8'), 'sersync2\n');
  assert.match(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'), new RegExp(`^sersync2 -d -o ${ws.config}`));
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  assert.equal(Number(stat[3]), pid, 'a session of its own (setsid)');

  fs.writeFileSync(path.join(ws.watch, 'after-detach.txt'), 'mirrored by the detached daemon');
  await waitFor('the file on the rsync daemon', () => fs.existsSync(path.join(ws.remote.dir, 'after-detach.txt')), 10_000, 50);
  await waitFor('its bytes', () => fs.readFileSync(path.join(ws.remote.dir, 'after-detach.txt'), 'utf8') === 'mirrored by the detached daemon');
});

test('-d --log-file: the child\'s stdout and stderr are the log file, which has each start-up line once; the caller gets them too', async () => {
  const ws = await workspace('detach-log');
  const log = path.join(ws.root, 'logs', 'sersync2.log');
  const run = await runCaptured(process.execPath, [BIN, '-d', '-o', ws.config, '--log-file', log], { env: ENV, mark: 'watch path is: ' });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /watch path is: /);
  const pid = daemonOf(ws.config);
  const fds = descriptors(pid);
  assert.equal(fds.get(0), '/dev/null');
  assert.equal(fds.get(1), log);
  assert.equal(fds.get(2), log);
  // The caller returns once the child has said "watch path is" on its pipe; the log file's
  // appender writes the same line asynchronously, a moment later under load.
  await waitFor('the start-up lines in the log file', () => fs.readFileSync(log, 'utf8').includes(`watch path is: ${ws.watch}`), 10_000, 20);
  const text = fs.readFileSync(log, 'utf8');
  assert.equal(text.split(`watch path is: ${ws.watch}`).length - 1, 1, text);
  assert.match(text, /^\d{4}-\d\d-\d\dT[\d:.]+ INFO watch path is: /m);
  fs.writeFileSync(path.join(ws.watch, 'logged.txt'), 'x');
  await waitFor('the file on the rsync daemon', () => fs.existsSync(path.join(ws.remote.dir, 'logged.txt')), 10_000, 50);
});

test('-d with a bad config: exit 1 with the error on stderr, at once, and no process left', async () => {
  const ws = await workspace('detach-bad');
  fs.writeFileSync(ws.config, fs.readFileSync(ws.config, 'utf8').replace('<timeout start="false" time="100"/>', '<timeout start="true" time="abc"/>'));
  const run = await runCaptured(process.execPath, [BIN, '-d', '-o', ws.config], { env: ENV });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /^[^\n]*confxml\.xml:\d+: [^\n]*<timeout time="abc">: time must be a positive integer\n$/);
  assert.deepEqual(pidsWith(ws.config), []);
});

test('-d with a --log-file that cannot be opened: exit 1 with one line, nothing started', async () => {
  const ws = await workspace('detach-nolog');
  const blocker = path.join(ws.root, 'not-a-dir');
  fs.writeFileSync(blocker, '');
  const run = await runCaptured(process.execPath, [BIN, '-d', '-o', ws.config, '--log-file', path.join(blocker, 'x.log')], { env: ENV });
  assert.equal(run.status, 1);
  assert.match(run.stderr, new RegExp(`^sersync2: cannot open ${blocker}/x\\.log: E[A-Z]+: [^\\n]+\\n$`));
  assert.deepEqual(pidsWith(ws.config), []);
});

test('-d with a watch root it cannot read: exit 1 with one line naming it and why, no stack trace, no process left', async () => {
  const ws = await workspace('detach-root');
  fs.chmodSync(ws.watch, 0o000);
  fs.chmodSync(ws.root, 0o777); // the unprivileged user writes its fail log there
  const [command, args] = sersyncAsUser(['-d', '-o', ws.config]);
  const run = await runCaptured(command, args, { env: ENV });
  assert.equal(run.status, 1, run.stdout);
  assert.equal(run.stderr, `sersync2: cannot watch ${ws.watch}: permission denied (EACCES)\n`);
  assert.deepEqual(pidsWith(ws.config), []);
});

test('-d: a SIGTERM to the caller during start-up stops the child too; the parent waits for it and exits 1', async () => {
  const ws = await workspace('detach-term');
  // -r with an rsync that takes 2 s: start-up is still going when the signal comes.
  const rec = commandRecorder(path.join(ws.root, 'rec'));
  fs.writeFileSync(path.join(ws.root, 'rec', 'bin', 'rsync'), '#!/bin/sh\nsleep 2\n', { mode: 0o755 });
  const env = { ...ENV, ...rec.env };
  let parent: number | undefined;
  const running = runCaptured(process.execPath, [BIN, '-d', '-r', '-o', ws.config], { env, onSpawn: (pid) => (parent = pid) });
  await waitFor('the -r full sync to start', () => rec.commands().length > 0, 10_000);
  assert.ok(parent !== undefined && alive(parent), 'the waiting parent');
  process.kill(parent, 'SIGTERM');
  const run = await running;
  assert.equal(run.status, 1);
  assert.match(run.stdout, /SIGTERM during start-up: stopping once the current step is done/);
  assert.match(run.stderr, /^sersync2: the daemon stopped at SIGTERM during start-up\n$/);
  assert.deepEqual(pidsWith(ws.config), [], 'the child has stopped');
});

test('-d: a child killed during start-up makes the parent say so and exit 1', async () => {
  const ws = await workspace('detach-kill');
  const rec = commandRecorder(path.join(ws.root, 'rec'));
  fs.writeFileSync(path.join(ws.root, 'rec', 'bin', 'rsync'), '#!/bin/sh\nsleep 2\n', { mode: 0o755 });
  let parent: number | undefined;
  const running = runCaptured(process.execPath, [BIN, '-d', '-r', '-o', ws.config], { env: { ...ENV, ...rec.env }, onSpawn: (pid) => (parent = pid) });
  await waitFor('the -r full sync to start', () => rec.commands().length > 0, 10_000);
  const child = pidsWith(ws.config).find((pid) => pid !== parent);
  assert.ok(child, 'the detached child');
  process.kill(child, 'SIGKILL');
  const run = await running;
  assert.equal(run.status, 1);
  assert.equal(run.stderr, 'sersync2: the daemon was killed by SIGKILL during start-up\n');
  assert.deepEqual(pidsWith(ws.config), []);
});
