import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SyncEvent } from '../lib/events/types';
import { BusyPaths } from '../lib/queue/busyPaths';
import { EventQueue } from '../lib/queue/queue';

const sync = (path: string, isDir = false): SyncEvent => ({ kind: 'sync', path, isDir, cause: 'modified' });
const del = (path: string, isDir = false): SyncEvent => ({ kind: 'delete', path, isDir, cause: 'deleted' });

/** Tests of the rules use no settling time; the settling test below sets its own clock. */
class Queue extends EventQueue {
  constructor(options: ConstructorParameters<typeof EventQueue>[0] = {}) {
    super({ settleMs: 0, ...options });
  }
}

function drainPaths(q: EventQueue): string[] {
  const out: string[] = [];
  for (let e = q.take(); e; e = q.take()) out.push(e.kind === 'full' ? `full:${e.reason}` : `${e.kind}:${String(e.path)}`);
  return out;
}

test('workers take the oldest first', () => {
  const q = new Queue();
  q.push(sync('a'));
  q.push(sync('b'));
  q.push(sync('c'));
  assert.deepEqual(drainPaths(q), ['sync:a', 'sync:b', 'sync:c']);
});

test('the same path among the 10 newest merges and takes the newer operation', () => {
  const q = new Queue();
  q.push(sync('a.txt'));
  q.push(sync('b.txt'));
  assert.equal(q.push(del('a.txt')), 'merged');
  assert.deepEqual(drainPaths(q), ['delete:a.txt', 'sync:b.txt']);
});

test('a path older than the 10 newest entries is queued again', () => {
  const q = new Queue();
  q.push(sync('x'));
  for (let i = 0; i < 10; i++) q.push(sync(`f${i}`));
  assert.equal(q.push(sync('x')), 'queued');
  assert.equal(q.length, 12);
});

test('a directory delete erases every queued event under it, and only under it', () => {
  const q = new Queue();
  q.push(sync('p/q/r/deep.txt'));
  q.push(del('p/q/r', true));
  q.push(sync('pp/keep.txt'));
  q.push(sync('p'));
  q.push(del('p', true));
  assert.deepEqual(drainPaths(q), ['sync:pp/keep.txt', 'delete:p']);
});

test('events on the same path, or one inside the other, never run together', () => {
  const q = new Queue();
  q.push(sync('d', true));
  q.push(sync('d/f'));
  q.push(sync('e'));
  const first = q.take()!;
  assert.equal(first.kind === 'sync' && first.path, 'd');
  // d/f waits for d; e is free.
  const second = q.take(BusyPaths.of([first]))!;
  assert.equal(second.kind === 'sync' && second.path, 'e');
  assert.equal(q.take(BusyPaths.of([first, second])), undefined);
  const third = q.take(BusyPaths.of([second]))!;
  assert.equal(third.kind === 'sync' && third.path, 'd/f');
});

test('past its bound the queue collapses into one full sync, so memory stays bounded', () => {
  const q = new Queue({ maxLength: 100 });
  for (let i = 0; i < 1000; i++) q.push(sync(`f${i}`));
  assert.ok(q.length <= 100, `length ${q.length}`);
  const all = drainPaths(q);
  assert.equal(all.filter((e) => e === 'full:queue-full').length, 1);
  assert.ok(q.collapsedEvents >= 100);
});

test('an overflow full sync replaces what was queued, and is not queued twice', () => {
  const q = new Queue();
  q.push(sync('a'));
  q.push({ kind: 'full', reason: 'overflow' });
  assert.equal(q.push({ kind: 'full', reason: 'overflow' }), 'merged');
  q.push(sync('b'));
  assert.deepEqual(drainPaths(q), ['full:overflow', 'sync:b']);
});

test('raw-byte paths are distinct from text paths and merge with themselves', () => {
  const q = new Queue();
  const bytes = Buffer.from([0x61, 0xff]);
  q.push({ kind: 'sync', path: bytes, isDir: false, cause: 'modified' });
  q.push({ kind: 'sync', path: 'a\u00ff', isDir: false, cause: 'modified' });
  assert.equal(q.push({ kind: 'delete', path: Buffer.from([0x61, 0xff]), isDir: false, cause: 'deleted' }), 'merged');
  assert.equal(q.length, 2);
});

test('an event is handed out only once it has settled, so a burst on one path merges first', () => {
  let now = 0;
  const q = new EventQueue({ settleMs: 3, now: () => now });
  q.push(sync('a.txt'));
  assert.equal(q.take(), undefined);
  assert.equal(q.untilSettled(), 3);
  now = 1;
  assert.equal(q.push(sync('a.txt')), 'merged');
  now = 2.9999;
  assert.equal(q.take(), undefined);
  assert.equal(q.untilSettled(), 1, 'never 0 while still settling, or the workers would never look again');
  now = 3;
  assert.equal(q.take()?.kind, 'sync');
  assert.equal(q.take(), undefined);
  assert.equal(q.untilSettled(), undefined, 'nothing is settling');
});

test('takeUpTo: one pass takes the oldest settled events that nothing running blocks, and stops at a full sync', () => {
  const q = new Queue();
  for (const p of ['a/1', 'b/1', 'a/2', 'c', 'b/2']) q.push(sync(p));
  q.push({ kind: 'full', reason: 'recovery' });
  q.push(sync('d'));
  const batch = q.takeUpTo(10, BusyPaths.of([sync('b', true)]));
  assert.deepEqual(batch.map((e) => e.kind !== 'full' && e.path), ['a/1', 'a/2', 'c']);
  // The full sync waits for b/1 and b/2, which are still queued before it.
  assert.deepEqual(q.takeUpTo(10).map((e) => e.kind !== 'full' && e.path), ['b/1', 'b/2']);
  assert.deepEqual(q.takeUpTo(10).map((e) => e.kind), ['full']);
  assert.deepEqual(q.takeUpTo(10).map((e) => e.kind !== 'full' && e.path), ['d']);
});

test('takeUpTo: looks a bounded way past blocked events, and takes them once they are free', () => {
  const q = new Queue({ maxLength: 1_000_000 });
  const running = Array.from({ length: 10_000 }, (_, i) => sync(`run/${i}`));
  for (let i = 0; i < 20_000; i++) q.push(sync(i % 2 ? `run/${i}` : `free/${i}`));
  const first = q.takeUpTo(1000, BusyPaths.of(running));
  // 1000 wanted + 256 looked past: half of them are free.
  assert.equal(first.length, 628);
  assert.ok(first.every((e) => e.kind !== 'full' && String(e.path).startsWith('free/')));
  let rest = 0;
  for (let batch = q.takeUpTo(1000); batch.length > 0; batch = q.takeUpTo(1000)) {
    assert.ok(batch.length <= 1000);
    rest += batch.length;
  }
  assert.equal(rest, 20_000 - 628);
  assert.equal(q.length, 0);
});

test('a directory delete drops everything queued under it, whatever the bytes of the names', () => {
  const raw = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
  const q = new Queue({ mergeWindow: 0 });
  // A UTF-8 directory holding non-UTF-8 names (raw-byte paths), an ASCII one too.
  q.push({ kind: 'sync', path: raw('café/', [0xff, 0x41]), isDir: false, cause: 'modified' });
  q.push({ kind: 'sync', path: raw('café/sub/', [0xe9]), isDir: false, cause: 'modified' });
  q.push({ kind: 'sync', path: raw('plain/', [0xfe]), isDir: false, cause: 'modified' });
  q.push(sync('café/ok.txt'));
  // A non-UTF-8 directory holding UTF-8 names: the whole path is raw bytes.
  q.push({ kind: 'sync', path: raw([0xd6, 0xd0], '/ü.txt'), isDir: false, cause: 'modified' });
  // Look-alikes that are not inside: a sibling with the same prefix, another encoding of "café".
  q.push({ kind: 'sync', path: raw('café2/', [0xff]), isDir: false, cause: 'modified' });
  q.push({ kind: 'sync', path: raw('caf', [0xe9], '/x'), isDir: false, cause: 'modified' });
  q.push(del('café', true));
  q.push(del('plain', true));
  q.push({ kind: 'delete', path: Buffer.from([0xd6, 0xd0]), isDir: true, cause: 'deleted' });
  const left = drainPaths(q).map((p) => Buffer.from(p).toString('hex'));
  const expected = ['sync:café2/\ufffd', 'sync:caf\ufffd/x', 'delete:café', 'delete:plain', 'delete:\ufffd\ufffd'].map((p) => Buffer.from(p).toString('hex'));
  assert.deepEqual(left, expected);
});
