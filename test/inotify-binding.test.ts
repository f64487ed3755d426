/**
 * The inotify addon against the real kernel: fresh temp directories, every instance closed after
 * each test, and no sleeping: every wait is a condition with a deadline.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, test } from 'node:test';
import { Inotify, InotifyError, type InotifyEvent } from '../lib/inotify/binding';
import { decodeUtf8 } from '../lib/paths';
import { withQueuedEventsLimit } from './helpers/queuedEventsLimit';
import { waitFor } from './helpers/wait';

const BINDING = path.resolve(__dirname, '..', 'lib', 'inotify', 'binding.js');
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

test('the IN_* constants come from the addon and have the Linux values', () => {
  const expected: Record<string, number> = {
    IN_ACCESS: 0x1, IN_MODIFY: 0x2, IN_ATTRIB: 0x4, IN_CLOSE_WRITE: 0x8, IN_CLOSE_NOWRITE: 0x10, IN_CLOSE: 0x18,
    IN_OPEN: 0x20, IN_MOVED_FROM: 0x40, IN_MOVED_TO: 0x80, IN_MOVE: 0xc0, IN_CREATE: 0x100, IN_DELETE: 0x200,
    IN_DELETE_SELF: 0x400, IN_MOVE_SELF: 0x800, IN_ALL_EVENTS: 0xfff, IN_UNMOUNT: 0x2000, IN_Q_OVERFLOW: 0x4000,
    IN_IGNORED: 0x8000, IN_ONLYDIR: 0x1000000, IN_DONT_FOLLOW: 0x2000000, IN_EXCL_UNLINK: 0x4000000,
    IN_MASK_ADD: 0x20000000, IN_ISDIR: 0x40000000, IN_ONESHOT: 0x80000000, IN_MASK_CREATE: 0x10000000,
  };
  for (const [name, value] of Object.entries(expected)) {
    assert.equal((Inotify as unknown as Record<string, number>)[name], value, name);
  }
  assert.equal(Inotify.IN_CREATE, 0x100);
});

test('a file: create, modify, close_write, moved_from/moved_to with one cookie, delete; onBatch first', async () => {
  const dir = tempDir();
  const log: string[] = [];
  const events: InotifyEvent[] = [];
  const ino = track(new Inotify({ onBatch: (batch) => log.push(`batch:${batch.length}`) }));
  assert.ok(ino.fd >= 0);
  const wd = ino.addWatch({
    path: dir,
    watch_for: Inotify.IN_ALL_EVENTS,
    callback: (event) => {
      log.push('callback');
      events.push(event);
    },
  });
  assert.equal(ino.watchCount, 1);
  fs.writeFileSync(path.join(dir, 'f'), 'hello');
  fs.appendFileSync(path.join(dir, 'f'), ' world');
  fs.renameSync(path.join(dir, 'f'), path.join(dir, 'g'));
  fs.unlinkSync(path.join(dir, 'g'));
  await waitFor('IN_DELETE g', () => events.some((e) => has(e, Inotify.IN_DELETE) && e.name === 'g'));

  const interesting = Inotify.IN_CREATE | Inotify.IN_MODIFY | Inotify.IN_CLOSE_WRITE | Inotify.IN_MOVE | Inotify.IN_DELETE;
  const seen = events.filter((e) => e.mask & interesting).map((e) => `${e.mask.toString(16)}:${e.name}`);
  const hex = (n: number) => n.toString(16);
  assert.deepEqual(seen, [
    `${hex(Inotify.IN_CREATE)}:f`, `${hex(Inotify.IN_MODIFY)}:f`, `${hex(Inotify.IN_CLOSE_WRITE)}:f`,
    `${hex(Inotify.IN_MODIFY)}:f`, `${hex(Inotify.IN_CLOSE_WRITE)}:f`,
    `${hex(Inotify.IN_MOVED_FROM)}:f`, `${hex(Inotify.IN_MOVED_TO)}:g`, `${hex(Inotify.IN_DELETE)}:g`,
  ]);
  for (const e of events) {
    assert.equal(e.wd, wd);
    assert.equal(e.watch, wd);
  }
  const from = events.find((e) => has(e, Inotify.IN_MOVED_FROM))!;
  const to = events.find((e) => has(e, Inotify.IN_MOVED_TO))!;
  assert.notEqual(from.cookie, 0);
  assert.equal(from.cookie, to.cookie);
  assert.equal(events.find((e) => has(e, Inotify.IN_CREATE))!.cookie, 0);
  assert.equal(events[0]!.name, 'f');
  assert.ok(!('nameBytes' in events[0]!), 'a UTF-8 name needs no nameBytes');
  // Each batch: onBatch, then its callbacks.
  assert.match(log[0]!, /^batch:\d+$/);
  let expectCallbacks = 0;
  for (const entry of log) {
    if (entry.startsWith('batch:')) {
      assert.equal(expectCallbacks, 0, 'onBatch came before the previous batch was dispatched');
      expectCallbacks = Number(entry.slice(6));
    } else {
      assert.ok(expectCallbacks > 0, 'a callback came before its onBatch');
      expectCallbacks--;
    }
  }
});

test('mkdir reports IN_CREATE | IN_ISDIR; a file has no IN_ISDIR', async () => {
  const dir = tempDir();
  const events: InotifyEvent[] = [];
  const ino = track(new Inotify());
  ino.addWatch({ path: dir, watch_for: Inotify.IN_CREATE, callback: (e) => events.push(e) });
  fs.mkdirSync(path.join(dir, 'sub'));
  fs.writeFileSync(path.join(dir, 'file'), '');
  await waitFor('both creations', () => events.length >= 2);
  assert.equal(events[0]!.name, 'sub');
  assert.equal(events[0]!.mask, Inotify.IN_CREATE | Inotify.IN_ISDIR);
  assert.equal(events[1]!.name, 'file');
  assert.equal(events[1]!.mask, Inotify.IN_CREATE);
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
  const events: InotifyEvent[] = [];
  const ino = track(new Inotify());
  ino.addWatch({ path: dir, watch_for: Inotify.IN_CREATE, callback: (e) => events.push(e) });
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
  const events: InotifyEvent[] = [];
  const ino = track(new Inotify());
  ino.addWatch({ path: Buffer.from(dir), watch_for: Inotify.IN_CREATE, callback: (e) => events.push(e) });
  fs.writeFileSync(Buffer.concat([Buffer.from(`${dir}/`), raw]), 'x');
  await waitFor('the creation', () => events.length >= 1);
  assert.ok(Buffer.isBuffer(events[0]!.nameBytes));
  assert.deepEqual(events[0]!.nameBytes, raw);
  assert.equal(events[0]!.name, 'a\ufffd\ufffd');

  // A directory whose own name is not UTF-8, watched by its bytes (addWatch and addWatches).
  const rawDir = Buffer.concat([Buffer.from(`${dir}/d`), Buffer.from([0xe9])]);
  fs.mkdirSync(rawDir);
  const inner: InotifyEvent[] = [];
  const wd = ino.addWatch({ path: rawDir, watch_for: Inotify.IN_CREATE, callback: (e) => inner.push(e) });
  assert.deepEqual(Array.from(ino.addWatches([rawDir], Inotify.IN_CREATE)), [wd]);
  fs.writeFileSync(Buffer.concat([rawDir, Buffer.from('/inside')]), '');
  await waitFor('the creation inside the non-UTF-8 directory', () => inner.length >= 1);
  assert.equal(inner[0]!.name, 'inside');
});

test('removeWatch stops the events; a second removeWatch returns false', async () => {
  const removedDir = tempDir();
  const sentinelDir = tempDir();
  const batches: InotifyEvent[] = [];
  const callbacks: InotifyEvent[] = [];
  const ino = track(new Inotify({ onBatch: (batch) => batches.push(...batch) }));
  const wd = ino.addWatch({ path: removedDir, watch_for: Inotify.IN_CREATE, callback: (e) => callbacks.push(e) });
  const sentinel = ino.addWatch({ path: sentinelDir, watch_for: Inotify.IN_CREATE });
  assert.equal(ino.watchCount, 2);
  assert.equal(ino.removeWatch(wd), true);
  assert.equal(ino.watchCount, 1);
  assert.equal(ino.removeWatch(wd), false);
  await waitFor('IN_IGNORED', () => batches.some((e) => e.wd === wd && has(e, Inotify.IN_IGNORED)));
  assert.equal(ino.removeWatch(wd), false);
  // One queue: an event of the removed watch would come before the sentinel's.
  fs.writeFileSync(path.join(removedDir, 'late'), '');
  fs.writeFileSync(path.join(sentinelDir, 'sentinel'), '');
  await waitFor('the sentinel event', () => batches.some((e) => e.wd === sentinel && e.name === 'sentinel'));
  assert.deepEqual(batches.filter((e) => e.wd === wd).map((e) => e.mask), [Inotify.IN_IGNORED]);
  assert.equal(callbacks.length, 0);
  assert.equal(ino.removeWatch(12345), false);
});

test('a watch the kernel drops (rmdir, IN_ONESHOT) is forgotten after its IN_IGNORED', async () => {
  const dir = tempDir();
  const sub = path.join(dir, 'sub');
  fs.mkdirSync(sub);
  const events: InotifyEvent[] = [];
  const ino = track(new Inotify());
  const wd = ino.addWatch({ path: sub, watch_for: Inotify.IN_DELETE_SELF, callback: (e) => events.push(e) });
  const once: InotifyEvent[] = [];
  const onceWd = ino.addWatch({ path: dir, watch_for: Inotify.IN_CREATE | Inotify.IN_ONESHOT, callback: (e) => once.push(e) });
  assert.equal(ino.watchCount, 2);
  fs.rmdirSync(sub);
  await waitFor('IN_IGNORED of sub', () => events.some((e) => has(e, Inotify.IN_IGNORED)));
  assert.deepEqual(events.map((e) => e.mask), [Inotify.IN_DELETE_SELF, Inotify.IN_IGNORED]);
  assert.ok(!('name' in events[0]!) && !('nameBytes' in events[0]!), 'an event without a name has no name properties');
  assert.equal(ino.removeWatch(wd), false);
  fs.writeFileSync(path.join(dir, 'one'), '');
  await waitFor('IN_IGNORED of the one-shot watch', () => once.some((e) => has(e, Inotify.IN_IGNORED)));
  assert.equal(once[0]!.name, 'one');
  assert.equal(ino.watchCount, 0);
  assert.equal(ino.removeWatch(onceWd), false);
});

test('watching a missing path throws InotifyError ENOENT; a file with IN_ONLYDIR, ENOTDIR', () => {
  const dir = tempDir();
  const ino = track(new Inotify());
  const missing = path.join(dir, 'missing');
  assert.throws(() => ino.addWatch({ path: missing, watch_for: Inotify.IN_CREATE, callback: () => {} }), (error: unknown) => {
    assert.ok(error instanceof InotifyError);
    assert.ok(error instanceof Error);
    assert.equal(error.code, 'ENOENT');
    assert.equal(error.errno, -os.constants.errno.ENOENT);
    assert.equal(error.syscall, 'inotify_add_watch');
    assert.equal(error.path, missing);
    assert.match(error.message, /ENOENT/);
    return true;
  });
  fs.writeFileSync(path.join(dir, 'file'), '');
  assert.throws(() => ino.addWatch({ path: path.join(dir, 'file'), watch_for: Inotify.IN_CREATE | Inotify.IN_ONLYDIR }), { code: 'ENOTDIR' });
  assert.throws(() => ino.addWatch({ path: 'a\0b', watch_for: Inotify.IN_CREATE }), { code: 'EINVAL' });
  assert.equal(ino.watchCount, 0);
});

test('addWatches: one call for many paths, wd or negative errno per path, events to onBatch', async () => {
  const dir = tempDir();
  const a = path.join(dir, 'a');
  const b = path.join(dir, 'b');
  fs.mkdirSync(a);
  fs.mkdirSync(b);
  fs.writeFileSync(path.join(dir, 'file'), '');
  const events: InotifyEvent[] = [];
  const ino = track(new Inotify({ onBatch: (batch) => events.push(...batch) }));
  const wds = ino.addWatches([a, path.join(dir, 'missing'), Buffer.from(b), path.join(dir, 'file', 'x'), a], Inotify.IN_CREATE);
  assert.ok(wds instanceof Int32Array);
  assert.equal(wds.length, 5);
  assert.ok(wds[0]! > 0 && wds[2]! > 0 && wds[0] !== wds[2]);
  assert.equal(wds[1], -os.constants.errno.ENOENT);
  assert.equal(wds[3], -os.constants.errno.ENOTDIR);
  assert.equal(wds[4], wds[0], 'the same directory gets the same wd');
  assert.equal(ino.watchCount, 2);
  assert.equal(ino.addWatches([], Inotify.IN_CREATE).length, 0);
  assert.throws(() => ino.addWatches([a, 42 as unknown as string], Inotify.IN_CREATE), TypeError);
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
      for (const e of batch) if (has(e, Inotify.IN_CLOSE_WRITE)) names.add(e.name!);
    },
  }));
  ino.addWatches([dir], Inotify.IN_CREATE | Inotify.IN_CLOSE_WRITE);
  for (let i = 0; i < 200; i++) fs.writeFileSync(path.join(dir, `file-${i}`), 'x');
  await waitFor('200 names', () => names.size === 200);
  assert.ok(batches < 200, `${batches} batches`);
  assert.equal(events, 400);
  for (let i = 0; i < 200; i++) assert.ok(names.has(`file-${i}`));
});

test('IN_Q_OVERFLOW reaches onBatch (wd -1) and onOverflow', async (t) => {
  if (!isRoot) {
    t.skip('needs root to lower /proc/sys/fs/inotify/max_queued_events');
    return;
  }
  const dir = tempDir();
  const batch: InotifyEvent[] = [];
  let overflows = 0;
  let ino: Inotify;
  // The limit applies to instances created while it is set: lower it just around the constructor.
  try {
    ino = await withQueuedEventsLimit(16, () => track(new Inotify({ onBatch: (events) => batch.push(...events), onOverflow: () => overflows++ })));
  } catch (error) {
    t.skip(`cannot lower max_queued_events: ${(error as Error).message}`);
    return;
  }
  const perWatch: InotifyEvent[] = [];
  ino.addWatch({ path: dir, watch_for: Inotify.IN_CREATE, callback: (e) => perWatch.push(e) });
  for (let i = 0; i < 100; i++) fs.writeFileSync(path.join(dir, `f${i}`), '');
  await waitFor('the overflow', () => overflows > 0);
  assert.equal(overflows, 1);
  const overflow = batch.find((e) => has(e, Inotify.IN_Q_OVERFLOW))!;
  assert.equal(overflow.wd, -1);
  assert.equal(overflow.watch, -1);
  assert.equal(overflow.mask, Inotify.IN_Q_OVERFLOW);
  assert.ok(!('name' in overflow));
  assert.equal(batch[batch.length - 1], overflow, 'the overflow is the last event queued');
  assert.ok(batch.length <= 17, `${batch.length} events`);
  assert.equal(perWatch.length, batch.length - 1, 'the overflow event is not given to per-watch callbacks');
});

test('close() is idempotent; a closed instance refuses watches and reports fd -1', () => {
  const dir = tempDir();
  const ino = track(new Inotify());
  const wd = ino.addWatch({ path: dir, watch_for: Inotify.IN_CREATE });
  ino.close();
  ino.close();
  assert.equal(ino.fd, -1);
  assert.equal(ino.watchCount, 0);
  assert.equal(ino.removeWatch(wd), false);
  assert.throws(() => ino.addWatch({ path: dir, watch_for: Inotify.IN_CREATE }), { code: 'EBADF' });
  assert.deepEqual(Array.from(ino.addWatches([dir], Inotify.IN_CREATE)), [-os.constants.errno.EBADF]);
});

test('close() inside a callback stops the rest of the batch', async () => {
  const dir = tempDir();
  let calls = 0;
  let batchSize = 0;
  const ino = track(new Inotify({ onBatch: (batch) => (batchSize = batch.length) }));
  ino.addWatch({
    path: dir,
    watch_for: Inotify.IN_CREATE,
    callback: () => {
      calls++;
      ino.close();
      ino.close();
    },
  });
  for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(dir, `f${i}`), '');
  await waitFor('the first callback', () => calls > 0);
  assert.equal(batchSize, 5, 'the five creations came in one batch');
  assert.equal(calls, 1);
  assert.equal(ino.fd, -1);
});

test('persistent: false (or unref()) lets a process exit; persistent keeps it alive', async () => {
  const dir = tempDir();
  const quiet = await runNode(`
    const { Inotify } = require(${JSON.stringify(BINDING)});
    const a = new Inotify(false);
    a.addWatch({ path: ${JSON.stringify(dir)}, watch_for: Inotify.IN_CREATE, callback: () => {} });
    const b = new Inotify({ persistent: false });
    b.addWatches([${JSON.stringify(dir)}], Inotify.IN_CREATE);
    const c = new Inotify();
    c.addWatch({ path: ${JSON.stringify(dir)}, watch_for: Inotify.IN_CREATE });
    c.unref();
    console.log('ready');
  `);
  assert.equal(quiet.code, 0, quiet.stderr);
  assert.equal(quiet.stdout, 'ready\n');

  // A persistent instance, not even referenced by the script, keeps the process alive for its event.
  let created = false;
  const kept = await runNode(`
    const { Inotify } = require(${JSON.stringify(BINDING)});
    new Inotify().addWatch({ path: ${JSON.stringify(dir)}, watch_for: Inotify.IN_CREATE, callback: (e) => {
      console.log('event ' + e.name);
      process.exit(0);
    } });
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

test('an exception thrown in a callback becomes an uncaught exception', async () => {
  const dir = tempDir();
  const script = (handler: boolean) => `
    const { Inotify } = require(${JSON.stringify(BINDING)});
    const ino = new Inotify();
    let calls = 0;
    ino.addWatch({ path: ${JSON.stringify(dir)}, watch_for: Inotify.IN_CREATE, callback: (e) => {
      calls++;
      throw new Error('boom ' + e.name);
    } });
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
    const { Inotify } = require(${JSON.stringify(BINDING)});
    const isInotify = (fd) => { try { return fs.readlinkSync('/proc/self/fd/' + fd) === 'anon_inode:inotify'; } catch { return false; } };
    let fd = -1;
    (() => {
      const ino = new Inotify(false);
      ino.addWatch({ path: ${JSON.stringify(dir)}, watch_for: Inotify.IN_CREATE, callback: () => {} });
      fd = ino.fd;
    })();
    console.log('open ' + isInotify(fd));
    const deadline = Date.now() + 4000;
    (function check() {
      global.gc();
      if (!isInotify(fd)) return console.log('closed');
      if (Date.now() > deadline) return console.log('still open');
      setTimeout(check, 10);
    })();
  `, { args: ['--expose-gc'] });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, 'open true\nclosed\n');
});

test('a worker thread with open instances terminates cleanly', async () => {
  const dir = tempDir();
  const worker = `
    const { Inotify } = require(${JSON.stringify(BINDING)});
    const a = new Inotify();
    a.addWatch({ path: ${JSON.stringify(dir)}, watch_for: Inotify.IN_CREATE, callback: () => {} });
    const b = new Inotify(false);
    b.addWatches([${JSON.stringify(dir)}], Inotify.IN_CREATE);
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

test('subdirectories: only directories, exact bytes, unsorted; a leaf is known by its link count; errors are InotifyErrors', () => {
  const dir = tempDir();
  const ino = track(new Inotify({ persistent: false }));
  const odd = Buffer.from([0x6f, 0x64, 0x64, 0xff]);
  fs.mkdirSync(path.join(dir, 'a', 'deeper'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'b c'));
  fs.mkdirSync(Buffer.concat([Buffer.from(`${dir}/`), odd]));
  fs.writeFileSync(path.join(dir, 'file.txt'), 'x');
  fs.symlinkSync(path.join(dir, 'a'), path.join(dir, 'link-to-a'));
  spawnSync('mkfifo', [path.join(dir, 'fifo')]);
  for (const statEach of [false, true]) {
    const names = ino.subdirectories(dir, statEach).map((b) => b.toString('latin1')).sort();
    assert.deepEqual(names, ['a', 'b c', odd.toString('latin1')], `statEach ${statEach}`);
  }
  assert.deepEqual(ino.subdirectories(Buffer.from(`${dir}/a`)).map(String), ['deeper']);
  // A leaf (link count 2 on ext4 and tmpfs) and an empty result look the same; so does a real read.
  assert.deepEqual(ino.subdirectories(path.join(dir, 'a', 'deeper')), []);
  fs.writeFileSync(path.join(dir, 'a', 'deeper', 'only-a-file'), '');
  assert.deepEqual(ino.subdirectories(path.join(dir, 'a', 'deeper')), []);
  assert.throws(() => ino.subdirectories(path.join(dir, 'missing')), (e: unknown) => e instanceof InotifyError && e.code === 'ENOENT');
  assert.throws(() => ino.subdirectories(path.join(dir, 'file.txt')), (e: unknown) => e instanceof InotifyError && e.code === 'ENOTDIR');
});
