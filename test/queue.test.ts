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

/** The oldest event a worker may take now. */
const take = (q: EventQueue, busy?: BusyPaths) => q.takeUpTo(1, busy).events[0];

function drainPaths(q: EventQueue): string[] {
  const out: string[] = [];
  for (let e = take(q); e; e = take(q)) out.push(e.kind === 'full' ? `full:${e.reason}` : `${e.kind}:${String(e.path)}`);
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

test('a path older than the 10 newest entries is queued again, unless its queued command is the same', () => {
  const q = new Queue();
  q.push(sync('x'));
  for (let i = 0; i < 10; i++) q.push(sync(`f${i}`));
  assert.equal(q.push(sync('x')), 'covered', 'the queued sync of x, not started, reads the disk when it starts');
  assert.equal(q.push(del('x')), 'covered', 'the delete takes the queued sync: its command sends x if it exists again');
  assert.equal(q.length, 11);
  for (let i = 10; i < 20; i++) q.push(sync(`f${i}`));
  assert.equal(q.push(sync('x')), 'queued', 'a sync after a delete is another command: it runs after it, as in sersync2');
  assert.equal(q.push(del('x', true)), 'merged', "the newest x is in the window again: sersync2's merge");
  assert.equal(q.length, 22);
  const taken = q.takeUpTo(100);
  assert.deepEqual(taken.events.filter((e) => e.kind !== 'full' && e.path === 'x').map((e) => e.kind), ['delete', 'delete']);
  assert.deepEqual(taken.covered.map((e) => e.kind), ['sync', 'sync'], 'the covered events, for the plugin');
});

test('a sync inside a directory whose recursive command is queued, not started, is covered by it', () => {
  const q = new Queue({ coversSubtree: (e) => e.isDir });
  q.push(sync('d', true));
  assert.equal(q.push(sync('d/e', true)), 'covered');
  assert.equal(q.push(sync('d/e/f')), 'covered');
  assert.equal(q.push(del('d/g')), 'queued', 'a sync of d deletes nothing: the delete runs on its own');
  assert.equal(q.push(sync('dd/x')), 'queued', 'a sibling with the same prefix is not inside');
  const first = q.takeUpTo(1);
  assert.deepEqual(first.events.map((e) => e.kind !== 'full' && e.path), ['d']);
  assert.deepEqual(first.covered.map((e) => String(e.path)), ['d/e', 'd/e/f']);
  // d has started: what happens inside it now needs a command of its own, after d.
  assert.equal(q.push(sync('d/h')), 'queued');
  assert.equal(new Queue().push(sync('d', true)) && new Queue().push(sync('d/x')), 'queued', 'no coversSubtree, nothing is covered');
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

test('events on the same path, or one inside the other, never run together; what waits comes back when its blocker ends', () => {
  const q = new Queue();
  q.push(sync('d', true));
  q.push(sync('d/f'));
  q.push(sync('e'));
  const first = take(q)!;
  assert.equal(first.kind === 'sync' && first.path, 'd');
  // d/f waits for d; e is free.
  const second = take(q, BusyPaths.of([first]))!;
  assert.equal(second.kind === 'sync' && second.path, 'e');
  assert.equal(take(q, BusyPaths.of([first, second])), undefined);
  q.release([second]);
  assert.equal(take(q, BusyPaths.of([first])), undefined, 'd/f still waits: d has not ended');
  q.release([first]);
  const third = take(q, BusyPaths.of([second]))!;
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
  assert.equal(take(q), undefined);
  assert.equal(q.untilSettled(), 3);
  now = 1;
  assert.equal(q.push(sync('a.txt')), 'merged');
  now = 2.9999;
  assert.equal(take(q), undefined);
  assert.equal(q.untilSettled(), 1, 'never 0 while still settling, or the workers would never look again');
  now = 3;
  assert.equal(take(q)?.kind, 'sync');
  assert.equal(take(q), undefined);
  assert.equal(q.untilSettled(), undefined, 'nothing is settling');
});

test('takeUpTo: one pass takes the oldest settled events that nothing running blocks, and stops at a full sync', () => {
  const q = new Queue();
  for (const p of ['a/1', 'b/1', 'a/2', 'c', 'b/2']) q.push(sync(p));
  q.push({ kind: 'full', reason: 'recovery' });
  q.push(sync('d'));
  const running = sync('b', true);
  const batch = q.takeUpTo(10, BusyPaths.of([running]));
  assert.deepEqual(batch.events.map((e) => e.kind !== 'full' && e.path), ['a/1', 'a/2', 'c']);
  assert.deepEqual(q.takeUpTo(10, BusyPaths.of([running])).events, [], 'b/1 and b/2 wait for b, the full sync after them');
  q.release([running]);
  // The full sync waits for b/1 and b/2, which were queued before it.
  assert.deepEqual(q.takeUpTo(10).events.map((e) => e.kind !== 'full' && e.path), ['b/1', 'b/2']);
  assert.deepEqual(q.takeUpTo(10).events.map((e) => e.kind), ['full']);
  assert.deepEqual(q.takeUpTo(10).events.map((e) => e.kind !== 'full' && e.path), ['d']);
});

test('takeUpTo: unrelated paths never wait behind blocked ones, however many; those come back in order once free', () => {
  const q = new Queue({ maxLength: 1_000_000 });
  const running = sync('run', true);
  for (let i = 0; i < 20_000; i++) q.push(sync(i % 2 ? `run/${i}` : `free/${i}`));
  const first = q.takeUpTo(1000, BusyPaths.of([running])).events;
  assert.equal(first.length, 1000);
  assert.ok(first.every((e) => e.kind !== 'full' && String(e.path).startsWith('free/')));
  const free = q.takeUpTo(20_000, BusyPaths.of([running])).events;
  assert.equal(free.length, 9000);
  q.release([running]);
  const back = q.takeUpTo(20_000).events.map((e) => (e.kind === 'full' ? '' : String(e.path)));
  assert.equal(back.length, 10_000);
  assert.deepEqual(back.slice(0, 3), ['run/1', 'run/3', 'run/5'], 'oldest first');
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

test('a directory whose command covers its subtree waits until nothing new arrives inside it, within its bound', () => {
  let now = 0;
  const q = new EventQueue({ settleMs: 0, coversSubtree: (e) => e.isDir, subtreeSettle: { quietMs: 50, maxMs: 200 }, now: () => now });
  q.push(sync('d', true));
  q.push(sync('other'));
  q.push(del('d/gone'));
  const first = q.takeUpTo(10);
  assert.deepEqual(first.events.map((e) => e.kind !== 'full' && e.path), ['other'], 'd is parked; the delete inside it waits for it; the rest goes on');
  assert.equal(q.untilSettled(), 50);
  for (const t of [40, 80, 120, 160]) {
    now = t;
    assert.equal(q.push(sync(`d/f${t}`)), 'covered');
    assert.deepEqual(q.takeUpTo(10).events, [], `still parked at ${t} ms`);
  }
  now = 199;
  assert.deepEqual(q.takeUpTo(10).events, []);
  now = 200;
  const d = q.takeUpTo(10);
  assert.deepEqual(d.events.map((e) => e.kind !== 'full' && e.path), ['d'], 'at its bound, 200 ms after it was queued');
  assert.equal(d.covered.length, 4);
  assert.deepEqual(q.takeUpTo(10, BusyPaths.of(d.events)).events, [], 'the delete inside d waits for d to end');
  q.release(d.events);
  assert.deepEqual(q.takeUpTo(10).events.map((e) => e.kind !== 'full' && e.path), ['d/gone']);
});

test('a parked directory that is dropped lets what it held back go', () => {
  let now = 0;
  const q = new EventQueue({ settleMs: 0, coversSubtree: (e) => e.isDir, subtreeSettle: { quietMs: 50, maxMs: 200 }, now: () => now });
  q.push(sync('p/d', true));
  q.push(del('p/d/x'));
  assert.deepEqual(q.takeUpTo(10).events, []);
  q.push(sync('p/d/y'));
  q.push(del('p', true));
  now = 1;
  assert.deepEqual(q.takeUpTo(10).events.map((e) => e.kind !== 'full' && e.path), ['p']);
  assert.equal(q.length, 0);
});
