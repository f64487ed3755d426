/**
 * Many configs in one process, isolated (issue 22, item 2): the real bin/sersync2 with
 * `-o a.xml -o b.xml`, kernel inotify, a real rsync daemon on loopback per config. Each test makes
 * trouble in a only (its fail log unwritable, its plugin failing, its inotify queue overflowing,
 * its remote hung) and checks that meanwhile b mirrors a file with its bytes within 10 s, that b
 * logs no warning or error, that a's trouble is logged under `[a]`, and that the process runs on.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { writeConfig } from './helpers/config';
import { cleanups, linesOf, mirrors, type Site, sites, start, troubleOf } from './helpers/instances';
import { listenLoopback } from './helpers/loopback';
import { withQueuedEventsLimit } from './helpers/queuedEventsLimit';
import type { RunningSersync } from './helpers/sersync';
import { waitFor } from './helpers/wait';

/** Starts one process on both configs and waits until each is watching. */
async function startBoth(a: string, b: string): Promise<RunningSersync> {
  const sersync = await start(['-o', a, '-o', b], '[b] watch path is: ');
  await waitFor('a ready', () => sersync.stdout().includes('[a] watch path is: '));
  return sersync;
}

/** What every test ends on: b mirrored with no trouble of its own, and the process is still running. */
function assertBUnharmed(sersync: RunningSersync): void {
  assert.deepEqual(troubleOf(sersync, 'b'), [], `b reported no trouble:\n${sersync.stdout()}${sersync.stderr()}`);
  assert.equal(sersync.child.exitCode, null, `the process runs on:\n${sersync.stdout()}${sersync.stderr()}`);
  assert.equal(sersync.child.signalCode, null, 'the process was not killed by a signal');
}

/** Waits for a line of a's matching `pattern`, with the output in the failure. */
function waitForA(sersync: RunningSersync, what: string, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  return waitFor(what, () => {
    if (sersync.child.exitCode !== null || sersync.child.signalCode !== null) throw new Error(`sersync2 exited (${sersync.child.exitCode ?? sersync.child.signalCode}):\n${sersync.stdout()}${sersync.stderr()}`);
    return linesOf(sersync, 'a').find((line) => pattern.test(line));
  }, timeoutMs, 50).catch((error: Error) => {
    throw new Error(`${error.message}\n${sersync.stdout().slice(-4000)}${sersync.stderr().slice(-4000)}`);
  });
}

test("a's fail log unwritable at run time (its directory became a file): a's error is a's, b keeps mirroring", {
  // Once an unhandled rejection that ended the whole process (b with it): Failures.keep catches it.
  timeout: 90_000,
}, async () => {
  const { root, sites: [a, b] } = await sites('iso-faillog', ['a', 'b'], { a: { failLog: 'faildir-a/fail.sh' } });
  const sersync = await startBoth(a!.config, b!.config);
  // As root a chmod would not stop the write: a regular file where the directory was makes it ENOTDIR.
  const failDir = path.join(root, 'faildir-a');
  fs.rmSync(failDir, { recursive: true });
  fs.writeFileSync(failDir, 'not a directory\n');
  // a's remote down: its command and its retry fail, so the command has to go to the fail log.
  await a!.remote.stop();
  fs.writeFileSync(path.join(a!.watch, 'lost.txt'), 'x');
  const line = await waitForA(sersync, "a's fail log error", /ERROR: \[a\] .*(ENOTDIR|faildir-a)/);
  assert.match(line, /faildir-a\/fail\.sh|ENOTDIR/);
  // Nothing about the fail log is said without a's name.
  const untagged = `${sersync.stdout()}\n${sersync.stderr()}`.split('\n').filter((l) => /ENOTDIR|faildir-a/.test(l) && !l.includes('[a] '));
  assert.deepEqual(untagged, []);
  await mirrors(b!, 'while-a-cannot-log.txt');
  assertBUnharmed(sersync);
  assert.equal(await sersync.stop(), 0);
});

test("a's command plugin fails on each sync: its failures are a's, b keeps mirroring", { timeout: 90_000 }, async () => {
  const failing = (xml: string) => xml
    .replace('<plugin start="false" name="command"/>', '<plugin start="true" name="command"/>')
    .replace('<param prefix="/bin/sh" suffix="" ignoreError="true"/>', '<param prefix="/bin/false" suffix="" ignoreError="false"/>');
  const { sites: [a, b] } = await sites('iso-plugin', ['a', 'b'], { a: { edit: failing } });
  assert.match(fs.readFileSync(a!.config, 'utf8'), /prefix="\/bin\/false"/, 'the plugin is in a\'s config');
  const sersync = await startBoth(a!.config, b!.config);
  // a's rsync still works; the plugin, run after it, exits 1.
  await mirrors(a!, 'plugged.txt');
  await waitForA(sersync, "a's plugin failure", /WARN: \[a\] plugin command: .*plugged\.txt/);
  await mirrors(b!, 'while-a-plugin-fails.txt');
  assertBUnharmed(sersync);
  assert.equal(await sersync.stop(), 0);
});

/** The files f0..f(n-1) holding their own number, written by one child process at full speed. */
function writeMany(dir: string, n: number): void {
  const script = 'const fs = require("node:fs"); const [dir, n] = process.argv.slice(1); for (let i = 0; i < Number(n); i++) fs.writeFileSync(dir + "/f" + i, i + "\\n");';
  const r = spawnSync(process.execPath, ['-e', script, dir, String(n)], { encoding: 'utf8' });
  assert.equal(r.error, undefined);
  assert.equal(r.status, 0, r.stderr);
}

/** How many of f0..f(n-1) are on the site's remote with their bytes. */
function arrivedCount(s: Site, n: number): number {
  let count = 0;
  for (let i = 0; i < n; i++) {
    const file = path.join(s.remote.dir, `f${i}`);
    if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === `${i}\n`) count++;
  }
  return count;
}

test("a's inotify queue overflows: a's full sync is a's, b keeps mirroring and sees no overflow, a's files all arrive", { timeout: 120_000 }, async () => {
  const { sites: [a, b] } = await sites('iso-storm', ['a', 'b']);
  // The kernel takes the limit when each config's inotify instance is made: both are, before the ready lines.
  const sersync = await withQueuedEventsLimit(64, () => startBoth(a!.config, b!.config));
  const n = 2000;
  // Paused while the files are written, the process cannot keep up: a's 64-event queue overflows
  // for certain, whatever the machine's load. b's tree gets no event meanwhile.
  sersync.child.kill('SIGSTOP');
  try {
    writeMany(a!.watch, n);
  } finally {
    sersync.child.kill('SIGCONT');
  }
  await waitForA(sersync, "a's overflow", /WARN: \[a\] .*(queue overflow|queue full|full sync)/);
  await mirrors(b!, 'while-a-overflows.txt');
  assert.deepEqual(linesOf(sersync, 'b').filter((l) => /queue overflow|queue full|full sync/.test(l)), [], "a's overflow is not b's");
  assertBUnharmed(sersync);
  await waitFor(`all ${n} of a's files on a's remote`, () => arrivedCount(a!, n) === n, 60_000, 250).catch((error: Error) => {
    throw new Error(`${error.message} (${arrivedCount(a!, n)} arrived)\n${sersync.stdout().slice(-3000)}`);
  });
  assert.equal(await sersync.stop(), 0);
});

test("a's remote hangs (accepts, never answers): while a's rsync waits for its timeout, b mirrors within 10 s", { timeout: 90_000 }, async () => {
  const { root, dir, sites: [b] } = await sites('iso-hung', ['b']);
  // a's remote: a TCP server that takes each connection and never says a word.
  const open = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    open.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => open.delete(socket));
  });
  const port = await listenLoopback(server, cleanups);
  cleanups.push(() => {
    for (const socket of open) socket.destroy();
  });
  const aWatch = path.join(root, 'w-a');
  fs.mkdirSync(aWatch);
  const aConfig = writeConfig(path.join(dir, 'a.xml'), { watch: aWatch, failLog: path.join(root, 'fail-a.sh'), port, timeout: 5 });
  const sersync = await startBoth(aConfig, b!.config);
  fs.writeFileSync(path.join(aWatch, 'stuck.txt'), 'x');
  await waitFor("a's rsync connected to the hung remote", () => open.size > 0, 10_000);
  const hungAt = Date.now();
  await mirrors(b!, 'while-a-hangs.txt', 10_000);
  const tookMs = Date.now() - hungAt;
  assert.ok(open.size > 0, `a's rsync was still hung when b's file arrived (${tookMs} ms later)`);
  // a's timeout (5 s) ends its rsync and its retry's (rsync exit 30), and that failure is a's.
  await waitForA(sersync, "a's rsync timing out", /WARN: \[a\] command failed again .*timeout/, 45_000);
  assert.ok(connections >= 1);
  assertBUnharmed(sersync);
  for (const socket of open) socket.destroy();
  assert.equal(await sersync.stop(), 0);
});
