/**
 * Process behaviour of the real bin/sersync2: SIGTERM with a full queue (nothing lost), two
 * instances side by side, inotify overflow. -d is in test/detach.test.ts.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { configWorkspace, writeConfig } from './helpers/config';
import { withQueuedEventsLimit } from './helpers/queuedEventsLimit';
import { BIN, commandRecorder, startSersync } from './helpers/sersync';
import { waitFor, waitForStable } from './helpers/wait';


test('a missing watch directory stops the start with a one-line error', () => {
  const ws = configWorkspace('nowatch');
  fs.rmSync(ws.watch, { recursive: true });
  const run = spawnSync(process.execPath, [BIN, '-o', ws.config], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(run.status, 1);
  assert.match(run.stderr.trim(), /^[^\n]*confxml.xml:\d+: <sersync><localpath watch="[^"]+">: watch directory does not exist$/);
});

test('a fail log that cannot be created stops the start with one line naming it and why, exit 1', () => {
  const ws = configWorkspace('badfaillog');
  // A path under a regular file: ENOTDIR, whoever runs the test (root included).
  fs.writeFileSync(path.join(ws.root, 'afile'), '');
  const failLog = path.join(ws.root, 'afile', 'rsync_fail_log.sh');
  writeConfig(ws.config, { watch: ws.watch, failLog });
  const run = spawnSync(process.execPath, [BIN, '-o', ws.config], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, SERSYNC2_SYSCTL: '0' } });
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.equal(run.stderr, `sersync2: cannot write the fail log ${failLog}: not a directory (ENOTDIR)\n`);
  assert.doesNotMatch(run.stdout, /watch path is/);
  // A directory we may not write to (read-only /proc, so it holds as root too).
  writeConfig(ws.config, { watch: ws.watch, failLog: '/proc/sersync2-test/fail.sh' });
  const proc = spawnSync(process.execPath, [BIN, '-o', ws.config], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, SERSYNC2_SYSCTL: '0' } });
  assert.equal(proc.status, 1, proc.stdout + proc.stderr);
  assert.match(proc.stderr, /^sersync2: cannot write the fail log \/proc\/sersync2-test\/fail\.sh: [^\n]+ \(E[A-Z]+\)\n$/);
});

test('a --log-file that cannot be written stops the start with one line naming it and why, exit 1', () => {
  const ws = configWorkspace('badlogfile');
  fs.writeFileSync(path.join(ws.root, 'afile'), '');
  const logFile = path.join(ws.root, 'afile', 'sersync2.log');
  const run = spawnSync(process.execPath, [BIN, '-o', ws.config, '--log-file', logFile], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, SERSYNC2_SYSCTL: '0' } });
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.equal(run.stderr, `sersync2: cannot write the log file ${logFile}: mkdir ${path.join(ws.root, 'afile')}: file already exists (EEXIST)\n`);
});

test('SIGTERM: running commands finish, every queued command goes to the fail log, exit 0', async () => {
  const ws = configWorkspace('sigterm');
  const rec = commandRecorder(path.join(ws.root, 'rec'));
  // an rsync that takes a while, so the queue fills up behind one worker
  fs.writeFileSync(path.join(ws.root, 'rec', 'bin', 'rsync'), '#!/bin/sh\nsleep 0.3\n', { mode: 0o755 });
  const sersync = await startSersync(['-n', '1', '-o', ws.config], { env: rec.env });
  for (let i = 0; i < 40; i++) fs.writeFileSync(path.join(ws.watch, `f${i}.txt`), String(i));
  await waitFor('the first command to start', () => rec.commands().length > 0);
  assert.equal(await sersync.stop('SIGTERM'), 0, sersync.stderr());
  const ran = new Set(rec.commands().map((c) => /"\.\/(f\d+)\.txt"/.exec(c)?.[1]));
  const kept = fs.readFileSync(ws.failLog, 'utf8');
  const queued = new Set([...kept.matchAll(/"\.\/(f\d+)\.txt"/g)].map((m) => m[1]));
  for (let i = 0; i < 40; i++) assert.ok(ran.has(`f${i}`) || queued.has(`f${i}`), `f${i}.txt was neither synced nor kept`);
  assert.ok(queued.size > 0, 'something was still queued at SIGTERM');
  assert.match(kept, /#queued at shutdown\ncd .* && rsync -artuz -R "\.\/f\d+\.txt" 127\.0\.0\.1::mirror >\/dev\/null 2>&1 \n\n/);
  assert.equal((fs.statSync(ws.failLog).mode & 0o777).toString(8), '600');
});

test('two instances side by side: own directory, own commands, own fail log', async () => {
  const a = configWorkspace('multi-a');
  const b = configWorkspace('multi-b');
  const recA = commandRecorder(path.join(a.root, 'rec'));
  const recB = commandRecorder(path.join(b.root, 'rec'), 10);
  const sa = await startSersync(['-o', a.config], { env: recA.env });
  const sb = await startSersync(['-o', b.config], { env: recB.env });
  try {
    fs.writeFileSync(path.join(a.watch, 'only-a.txt'), 'a');
    fs.writeFileSync(path.join(b.watch, 'only-b.txt'), 'b');
    await waitFor('a', () => recA.commands().some((c) => c.includes('only-a.txt')));
    await waitFor('b to fail twice into its fail log', () => fs.readFileSync(b.failLog, 'utf8').includes('only-b.txt'));
    assert.ok(recA.commands().every((c) => c.startsWith(`cd ${a.watch} `)));
    assert.ok(recB.commands().every((c) => c.startsWith(`cd ${b.watch} `)));
    assert.equal(fs.readFileSync(a.failLog, 'utf8'), '');
  } finally {
    assert.equal(await sa.stop(), 0);
    assert.equal(await sb.stop(), 0);
  }
});

test('inotify overflow: a warning and a full sync to every remote', { skip: process.getuid?.() !== 0 && 'needs root to lower max_queued_events' }, async () => {
  const ws = configWorkspace('overflow');
  const rec = commandRecorder(path.join(ws.root, 'rec'));
  // The limit is taken when an inotify instance is created: lower it only while ours starts.
  const sersync = await withQueuedEventsLimit(4096, () => startSersync(['-o', ws.config], { env: rec.env }));
  try {
    process.kill(sersync.child.pid!, 'SIGSTOP');
    spawnSync('bash', ['-c', 'for i in $(seq 3000); do : > f$i; done'], { cwd: ws.watch });
    process.kill(sersync.child.pid!, 'SIGCONT');
    await waitFor('the overflow warning', () => sersync.stdout().includes('inotify queue overflow'));
    await waitFor('a full sync', () => rec.commands().some((c) => c.includes(' --delete ./ 127.0.0.1::mirror')));
    await waitForStable('the commands', () => rec.commands().length, 300);
  } finally {
    assert.equal(await sersync.stop(), 0);
  }
});

test('--dry-run prints each command and runs none', async () => {
  const ws = configWorkspace('dryrun');
  const rec = commandRecorder(path.join(ws.root, 'rec'));
  const sersync = await startSersync(['--dry-run', '-o', ws.config], { env: rec.env });
  try {
    fs.writeFileSync(path.join(ws.watch, 'shadow.txt'), 's');
    await waitFor('the printed command', () => sersync.stdout().includes(`cd ${ws.watch} && rsync -artuz -R "./shadow.txt" 127.0.0.1::mirror >/dev/null 2>&1 `));
    assert.deepEqual(rec.commands(), []);
  } finally {
    await sersync.stop();
  }
});


test('run as its #! line starts it, the daemon collects the start-up walk\'s garbage once it watches; under a plain node, without gc, it does not', async () => {
  const ws = configWorkspace('startupgc');
  for (let i = 0; i < 200; i++) fs.mkdirSync(path.join(ws.watch, `d${i}`, 'sub'), { recursive: true });
  const env = { ...process.env, SERSYNC2_SYSCTL: '0' };
  const LINE = /start-up garbage collected: V8 heap (\d+\.\d) -> (\d+\.\d) MB in \d+ ms/;
  const runs = { shebang: [BIN], node: [process.execPath, BIN] };
  for (const [how, command] of Object.entries(runs)) {
    // The kernel reads bin/sersync2's #! line (node --max-semi-space-size=1 --expose-gc) only when it is run itself.
    const child = spawn(command[0]!, [...command.slice(1), '-o', ws.config, '--log-level', 'debug'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await waitFor(`${how}: watching`, () => out.includes('watch path is: '), 20_000);
      // The collection, when there is one, runs in the same turn as the ready, before any signal is handled.
      child.kill('SIGTERM');
      assert.equal(await exited, 0, out);
    } finally {
      child.kill('SIGKILL');
    }
    const line = LINE.exec(out);
    if (how === 'shebang') {
      assert.ok(line, `no collection line:\n${out}`);
      assert.ok(Number(line[2]) <= Number(line[1]), line[0]);
    } else assert.equal(line, null, 'node without --expose-gc has no gc to call');
  }
});
