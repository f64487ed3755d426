/**
 * The inotify addon against the real kernel: fresh temp directories, every instance closed after
 * each test, and no sleeping: every wait is a condition with a deadline.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, test } from 'node:test';
import { Inotify, type InotifyEvent } from '../lib/inotify/binding';
import { IN } from '../lib/inotify/mask';
import { decodeUtf8 } from '../lib/paths';
import { withQueuedEventsLimit } from './helpers/queuedEventsLimit';
import { waitFor } from './helpers/wait';

const BINDING = path.resolve(__dirname, '..', 'lib', 'inotify', 'binding.js');
/** The prelude of a child's script: the binding, and a watch of DIR whose events are ignored. */
const childWatch = (dir: string, persistent: boolean) => `new (require(${JSON.stringify(BINDING)}).Inotify)({ persistent: ${persistent}, onBatch: () => {} }).addWatches([${JSON.stringify(dir)}], ${IN.CREATE})`;
const isRoot = process.getuid?.() === 0;

const instances: Inotify[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const ino of instances.splice(0)) ino.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function track(ino: Inotify): Inotify {
  instances.push(ino);
  return ino;
}

/** An instance whose batches all land in `events`. */
function collecting(options: { persistent?: boolean } = {}): { ino: Inotify; events: InotifyEvent[] } {
  const events: InotifyEvent[] = [];
  const ino = track(new Inotify({ ...options, onBatch: (batch) => events.push(...batch) }));
  return { ino, events };
}

/** The wd of a new watch on one path (the test fails when the kernel refuses it). */
function watch(ino: Inotify, p: string | Buffer, mask: number): number {
  const wd = ino.addWatches([p], mask)[0]!;
  assert.ok(wd >= 0, `watch ${String(p)}: errno ${-wd}`);
  return wd;
}

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inotify-binding-'));
  dirs.push(dir);
  return dir;
}

const has = (event: InotifyEvent, bit: number): boolean => (event.mask & bit) !== 0;

/** Runs `node -e script`; resolves with its output once it exits, or rejects after the deadline. */
function runNode(script: string, options: { args?: string[]; onStdout?: (text: string) => void; timeoutMs?: number } = {}): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [...(options.args ?? []), '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    options.onStdout?.(stdout);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timeoutMs = options.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child still running after ${timeoutMs} ms; stdout: ${stdout}; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

test('mask.ts has the kernel header\'s values', (t) => {
  const header = '/usr/include/linux/inotify.h';
  if (!fs.existsSync(header)) {
    t.skip(`${header} is not installed`);
    return;
  }
  const defined = new Map([...fs.readFileSync(header, 'utf8').matchAll(/^#define\s+IN_(\w+)\s+(0x[0-9a-fA-F]+)/gm)].map((m) => [m[1]!, Number(m[2])]));
  for (const [name, value] of Object.entries(IN)) assert.equal(value, defined.get(name), `IN_${name}`);
});

test('a file: create, modify, close_write, moved_from/moved_to with one cookie, delete, in one ordered stream', async () => {
  const dir = tempDir();
  const { ino, events } = collecting();
  const wd = watch(ino, dir, IN.CREATE | IN.MODIFY | IN.CLOSE_WRITE | IN.MOVED_FROM | IN.MOVED_TO | IN.DELETE | IN.OPEN);
  fs.writeFileSync(path.join(dir, 'f'), 'hello');
  fs.appendFileSync(path.join(dir, 'f'), ' world');
  fs.renameSync(path.join(dir, 'f'), path.join(dir, 'g'));
  fs.unlinkSync(path.join(dir, 'g'));
  await waitFor('IN_DELETE g', () => events.some((e) => has(e, IN.DELETE) && e.name === 'g'));

  const interesting = IN.CREATE | IN.MODIFY | IN.CLOSE_WRITE | IN.MOVED_FROM | IN.MOVED_TO | IN.DELETE;
  const seen = events.filter((e) => e.mask & interesting).map((e) => `${e.mask.toString(16)}:${e.name}`);
  const hex = (n: number) => n.toString(16);
  assert.deepEqual(seen, [
    `${hex(IN.CREATE)}:f`, `${hex(IN.MODIFY)}:f`, `${hex(IN.CLOSE_WRITE)}:f`,
    `${hex(IN.MODIFY)}:f`, `${hex(IN.CLOSE_WRITE)}:f`,
    `${hex(IN.MOVED_FROM)}:f`, `${hex(IN.MOVED_TO)}:g`, `${hex(IN.DELETE)}:g`,
  ]);
  for (const e of events) assert.equal(e.wd, wd);
  const from = events.find((e) => has(e, IN.MOVED_FROM))!;
  const to = events.find((e) => has(e, IN.MOVED_TO))!;
  assert.notEqual(from.cookie, 0);
  assert.equal(from.cookie, to.cookie);
  assert.equal(events.find((e) => has(e, IN.CREATE))!.cookie, 0);
  assert.equal(events[0]!.name, 'f');
  assert.ok(!('nameBytes' in events[0]!), 'a UTF-8 name needs no nameBytes');
});

test('mkdir reports IN_CREATE | IN_ISDIR; a file has no IN_ISDIR', async () => {
  const dir = tempDir();
  const { ino, events } = collecting();
  watch(ino, dir, IN.CREATE);
  fs.mkdirSync(path.join(dir, 'sub'));
  fs.writeFileSync(path.join(dir, 'file'), '');
  await waitFor('both creations', () => events.length >= 2);
  assert.equal(events[0]!.name, 'sub');
  assert.equal(events[0]!.mask, IN.CREATE | IN.ISDIR);
  assert.equal(events[1]!.name, 'file');
  assert.equal(events[1]!.mask, IN.CREATE);
});

test('nameBytes comes exactly with the names that are not UTF-8 by the one rule (decodeUtf8)', async () => {
  const dir = tempDir();
  const names = [
    [0xf0, 0x9f, 0x98, 0x80], // U+1F600
    [0xef, 0xbb, 0xbf, 0x61], // U+FEFF first
    [0xf4, 0x8f, 0xbf, 0xbf], // U+10FFFF
    [0xed, 0x9f, 0xbf], // U+D7FF, the last before the surrogates
    [0xc0, 0x80], // overlong NUL
    [0xe0, 0x80, 0xaf], // overlong
    [0xed, 0xa0, 0x80], // a surrogate
    [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
    [0x61, 0xe2, 0x82], // cut short
    [0x80], // a lone continuation byte
  ].map((b) => Buffer.from(b));
  const { ino, events } = collecting();
  watch(ino, dir, IN.CREATE);
  for (const name of names) fs.writeFileSync(Buffer.concat([Buffer.from(`${dir}/`), name]), '');
  await waitFor('the creations', () => events.length >= names.length);
  for (const [i, name] of names.entries()) {
    const valid = decodeUtf8(name) !== undefined;
    const e = events[i]!;
    if (valid) {
      assert.equal(e.nameBytes, undefined, `${name.toString('hex')} is UTF-8`);
      assert.deepEqual(Buffer.from(e.name!), name);
    } else assert.deepEqual(e.nameBytes, name, `${name.toString('hex')} is not UTF-8`);
  }
});

test('non-UTF-8 names: nameBytes holds the exact bytes; Buffer paths can be watched', async () => {
  const dir = tempDir();
  const raw = Buffer.from([0x61, 0xff, 0xfe]);
  const { ino, events } = collecting();
  const top = watch(ino, Buffer.from(dir), IN.CREATE);
  fs.writeFileSync(Buffer.concat([Buffer.from(`${dir}/`), raw]), 'x');
  await waitFor('the creation', () => events.length >= 1);
  assert.ok(Buffer.isBuffer(events[0]!.nameBytes));
  assert.deepEqual(events[0]!.nameBytes, raw);
  assert.equal(events[0]!.name, 'a\ufffd\ufffd');

  // A directory whose own name is not UTF-8, watched by its bytes.
  const rawDir = Buffer.concat([Buffer.from(`${dir}/d`), Buffer.from([0xe9])]);
  fs.mkdirSync(rawDir);
  const wd = watch(ino, rawDir, IN.CREATE);
  assert.notEqual(wd, top);
  fs.writeFileSync(Buffer.concat([rawDir, Buffer.from('/inside')]), '');
  await waitFor('the creation inside the non-UTF-8 directory', () => events.some((e) => e.wd === wd));
  assert.equal(events.find((e) => e.wd === wd)!.name, 'inside');
});

test('removeWatch stops the events; a second removeWatch returns false', async () => {
  const removedDir = tempDir();
  const sentinelDir = tempDir();
  const { ino, events } = collecting();
  const wd = watch(ino, removedDir, IN.CREATE);
  const sentinel = watch(ino, sentinelDir, IN.CREATE);
  assert.equal(ino.removeWatch(wd), true);
  assert.equal(ino.removeWatch(wd), false);
  await waitFor('IN_IGNORED', () => events.some((e) => e.wd === wd && has(e, IN.IGNORED)));
  assert.equal(ino.removeWatch(wd), false);
  // One queue: an event of the removed watch would come before the sentinel's.
  fs.writeFileSync(path.join(removedDir, 'late'), '');
  fs.writeFileSync(path.join(sentinelDir, 'sentinel'), '');
  await waitFor('the sentinel event', () => events.some((e) => e.wd === sentinel && e.name === 'sentinel'));
  assert.deepEqual(events.filter((e) => e.wd === wd).map((e) => e.mask), [IN.IGNORED]);
  assert.equal(ino.removeWatch(12345), false);
});

test('a watch the kernel drops (rmdir, IN_ONESHOT) ends with IN_IGNORED and cannot be removed', async () => {
  const dir = tempDir();
  const sub = path.join(dir, 'sub');
  fs.mkdirSync(sub);
  const { ino, events } = collecting();
  const wd = watch(ino, sub, IN.DELETE_SELF);
  const onceWd = watch(ino, dir, IN.CREATE | 0x80000000); // IN_ONESHOT
  fs.rmdirSync(sub);
  await waitFor('IN_IGNORED of sub', () => events.some((e) => e.wd === wd && has(e, IN.IGNORED)));
  const ofSub = events.filter((e) => e.wd === wd);
  assert.deepEqual(ofSub.map((e) => e.mask), [IN.DELETE_SELF, IN.IGNORED]);
  assert.ok(!('name' in ofSub[0]!) && !('nameBytes' in ofSub[0]!), 'an event without a name has no name properties');
  assert.equal(ino.removeWatch(wd), false);
  fs.writeFileSync(path.join(dir, 'one'), '');
  await waitFor('IN_IGNORED of the one-shot watch', () => events.some((e) => e.wd === onceWd && has(e, IN.IGNORED)));
  assert.deepEqual(events.filter((e) => e.wd === onceWd).map((e) => e.name ?? e.mask), ['one', IN.IGNORED]);
  assert.equal(ino.removeWatch(onceWd), false);
});

test('addWatches: one call for many paths, wd or negative errno per path, never a throw for a path', async () => {
  const dir = tempDir();
  const a = path.join(dir, 'a');
  const b = path.join(dir, 'b');
  fs.mkdirSync(a);
  fs.mkdirSync(b);
  fs.writeFileSync(path.join(dir, 'file'), '');
  const { ino, events } = collecting();
  const wds = ino.addWatches([a, path.join(dir, 'missing'), Buffer.from(b), path.join(dir, 'file', 'x'), a, path.join(dir, 'file'), 'a\0b'], IN.CREATE | IN.ONLYDIR);
  assert.ok(wds instanceof Int32Array);
  assert.equal(wds.length, 7);
  assert.ok(wds[0]! > 0 && wds[2]! > 0 && wds[0] !== wds[2]);
  assert.equal(wds[1], -os.constants.errno.ENOENT);
  assert.equal(wds[3], -os.constants.errno.ENOTDIR);
  assert.equal(wds[4], wds[0], 'the same directory gets the same wd');
  assert.equal(wds[5], -os.constants.errno.ENOTDIR, 'IN_ONLYDIR refuses a file');
  assert.equal(wds[6], -os.constants.errno.EINVAL, 'a NUL inside a path');
  assert.equal(ino.addWatches([], IN.CREATE).length, 0);
  assert.throws(() => ino.addWatches([a, 42 as unknown as string], IN.CREATE), TypeError);
  fs.writeFileSync(path.join(a, 'in-a'), '');
  fs.writeFileSync(path.join(b, 'in-b'), '');
  await waitFor('both events', () => events.length >= 2);
  assert.deepEqual(events.map((e) => [e.wd, e.name]), [[wds[0], 'in-a'], [wds[2], 'in-b']]);
});

test('batching: 200 files written in one tick arrive in fewer than 200 onBatch calls', async () => {
  const dir = tempDir();
  const names = new Set<string>();
  let batches = 0;
  let events = 0;
  const ino = track(new Inotify({
    onBatch: (batch) => {
      batches++;
      events += batch.length;
      for (const e of batch) if (has(e, IN.CLOSE_WRITE)) names.add(e.name!);
    },
  }));
  watch(ino, dir, IN.CREATE | IN.CLOSE_WRITE);
  for (let i = 0; i < 200; i++) fs.writeFileSync(path.join(dir, `file-${i}`), 'x');
  await waitFor('200 names', () => names.size === 200);
  assert.ok(batches < 200, `${batches} batches`);
  assert.equal(events, 400);
  for (let i = 0; i < 200; i++) assert.ok(names.has(`file-${i}`));
});

test('IN_Q_OVERFLOW reaches onBatch (wd -1), last', async (t) => {
  if (!isRoot) {
    t.skip('needs root to lower /proc/sys/fs/inotify/max_queued_events');
    return;
  }
  const dir = tempDir();
  let made: { ino: Inotify; events: InotifyEvent[] };
  // The limit applies to instances created while it is set: lower it just around the constructor.
  try {
    made = await withQueuedEventsLimit(16, () => collecting());
  } catch (error) {
    t.skip(`cannot lower max_queued_events: ${(error as Error).message}`);
    return;
  }
  const { ino, events } = made;
  watch(ino, dir, IN.CREATE);
  for (let i = 0; i < 100; i++) fs.writeFileSync(path.join(dir, `f${i}`), '');
  await waitFor('the overflow', () => events.some((e) => has(e, IN.Q_OVERFLOW)));
  const overflows = events.filter((e) => has(e, IN.Q_OVERFLOW));
  assert.equal(overflows.length, 1);
  const overflow = overflows[0]!;
  assert.equal(overflow.wd, -1);
  assert.equal(overflow.mask, IN.Q_OVERFLOW);
  assert.ok(!('name' in overflow));
  assert.equal(events[events.length - 1], overflow, 'the overflow is the last event queued');
  assert.ok(events.length <= 17, `${events.length} events`);
});

test('close() is idempotent; a closed instance refuses watches', () => {
  const dir = tempDir();
  const { ino } = collecting();
  const wd = watch(ino, dir, IN.CREATE);
  ino.close();
  ino.close();
  assert.equal(ino.removeWatch(wd), false);
  assert.deepEqual(Array.from(ino.addWatches([dir], IN.CREATE)), [-os.constants.errno.EBADF]);
});

test('close() inside onBatch: no batch after it, no error', async () => {
  const dir = tempDir();
  let batches = 0;
  const ino = track(new Inotify({
    onBatch: () => {
      batches++;
      ino.close();
      ino.close();
    },
  }));
  watch(ino, dir, IN.CREATE);
  // A second instance on the same directory says when the later events have been read.
  const { ino: sentinel, events } = collecting();
  watch(sentinel, dir, IN.CREATE);
  fs.writeFileSync(path.join(dir, 'first'), '');
  await waitFor('the first batch', () => batches > 0);
  for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(dir, `f${i}`), '');
  await waitFor('the later creations, seen by the sentinel', () => events.some((e) => e.name === 'f4'));
  assert.equal(batches, 1);
});

test('persistent: false lets a process exit; persistent keeps it alive', async () => {
  const dir = tempDir();
  const quiet = await runNode(`${childWatch(dir, false)}; console.log('ready');`);
  assert.equal(quiet.code, 0, quiet.stderr);
  assert.equal(quiet.stdout, 'ready\n');

  // A persistent instance, not even referenced by the script, keeps the process alive for its event.
  let created = false;
  const kept = await runNode(`
    const { Inotify } = require(${JSON.stringify(BINDING)});
    new Inotify({ onBatch: (batch) => {
      console.log('event ' + batch[0].name);
      process.exit(0);
    } }).addWatches([${JSON.stringify(dir)}], ${IN.CREATE});
    global.gc();
    console.log('ready');
  `, {
    args: ['--expose-gc'],
    onStdout: (text) => {
      if (!created && text.includes('ready')) {
        created = true;
        fs.writeFileSync(path.join(dir, 'wake'), '');
      }
    },
  });
  assert.equal(kept.code, 0, kept.stderr);
  assert.equal(kept.stdout, 'ready\nevent wake\n');
});

test('an exception thrown in onBatch becomes an uncaught exception', async () => {
  const dir = tempDir();
  const script = (handler: boolean) => `
    const { Inotify } = require(${JSON.stringify(BINDING)});
    let calls = 0;
    const ino = new Inotify({ onBatch: (batch) => {
      calls++;
      throw new Error('boom ' + batch[0].name);
    } });
    ino.addWatches([${JSON.stringify(dir)}], ${IN.CREATE});
    ${handler ? `process.on('uncaughtException', (error) => { console.log('caught ' + error.message + ' after ' + calls); ino.close(); });` : ''}
    console.log('ready');
  `;
  for (const handler of [true, false]) {
    let created = false;
    const result = await runNode(script(handler), {
      onStdout: (text) => {
        if (!created && text.includes('ready')) {
          created = true;
          fs.writeFileSync(path.join(dir, `f-${handler}`), '');
        }
      },
    });
    if (handler) {
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, 'ready\ncaught boom f-true after 1\n');
    } else {
      assert.equal(result.code, 1);
      assert.match(result.stderr, /Error: boom f-false/);
    }
  }
});

test('a forgotten non-persistent instance is closed by its finalizer', async () => {
  const dir = tempDir();
  const result = await runNode(`
    const fs = require('fs');
    const inotifyFds = () => fs.readdirSync('/proc/self/fd').filter((fd) => { try { return fs.readlinkSync('/proc/self/fd/' + fd) === 'anon_inode:inotify'; } catch { return false; } }).length;
    const before = inotifyFds();
    (() => { ${childWatch(dir, false)}; })();
    console.log('open ' + (inotifyFds() - before));
    const deadline = Date.now() + 4000;
    (function check() {
      global.gc();
      if (inotifyFds() === before) return console.log('closed');
      if (Date.now() > deadline) return console.log('still open');
      setTimeout(check, 10);
    })();
  `, { args: ['--expose-gc'] });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, 'open 1\nclosed\n');
});

test('a worker thread with open instances terminates cleanly', async () => {
  const dir = tempDir();
  const worker = `
    ${childWatch(dir, true)};
    ${childWatch(dir, false)};
    require('worker_threads').parentPort.postMessage('ready');
  `;
  const result = await runNode(`
    const { Worker } = require('worker_threads');
    const w = new Worker(${JSON.stringify(worker)}, { eval: true });
    w.on('error', (e) => { console.log('error ' + e.message); });
    w.once('message', () => w.terminate().then((code) => console.log('terminated ' + code)));
  `);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.signal, null);
  assert.equal(result.stdout, 'terminated 1\n');
});

