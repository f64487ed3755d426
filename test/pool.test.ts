/**
 * The worker pool with a handler whose jobs finish when the test says so: which events run
 * together, how many at once, and what waits.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SyncEvent } from '../lib/events/types';
import { EventQueue } from '../lib/queue/queue';
import { WorkerPool, type BatchOptions } from '../lib/workers/pool';

const sync = (path: string): SyncEvent => ({ kind: 'sync', path, isDir: false, cause: 'modified' });
const pathsOf = (job: readonly SyncEvent[]) => job.map((e) => (e.kind === 'full' ? 'FULL' : String(e.path)));

const noneLarge = async () => new Set<SyncEvent>();
const largeWhen = (large: (e: SyncEvent) => boolean) => async (events: readonly SyncEvent[]) => new Set(events.filter(large));

/** A pool over a queue without settling; each started job waits until finish(i) is called. */
function pool(threads: number, batch?: BatchOptions) {
  const queue = new EventQueue({ settleMs: 0 });
  const started: string[][] = [];
  const finishers: Array<() => void> = [];
  const p = new WorkerPool(
    queue,
    threads,
    (job) => {
      started.push(pathsOf(job));
      return new Promise<void>((resolve) => finishers.push(resolve));
    },
    (error) => assert.fail(String(error)),
    batch,
  );
  /** Pushes, then lets the pool look (it does once per turn, and after reading the batch's sizes). */
  const push = async (...events: SyncEvent[]) => {
    for (const e of events) queue.push(e);
    await new Promise((resolve) => setImmediate(resolve));
  };
  /** Ends job i and lets the pool's .finally run. */
  const finish = async (i: number) => {
    finishers[i]!();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { p, queue, started, push, finish };
}

test('per event: one event a job, at most -n at once, the rest wait in order', async () => {
  const t = pool(2);
  await t.push(sync('a'), sync('b'), sync('c'));
  assert.deepEqual(t.started, [['a'], ['b']]);
  await t.finish(0);
  assert.deepEqual(t.started, [['a'], ['b'], ['c']]);
});

test('batch: everything settled becomes one job; one batch runs at a time, the next gathers what came meanwhile', async () => {
  const t = pool(10, { maxPaths: 100, parallel: 2, findLarge: noneLarge });
  await t.push(sync('a'), sync('b'));
  await t.push(sync('c'));
  await t.push(sync('d'), sync('e'), sync('f'));
  assert.deepEqual(t.started, [['a', 'b']]);
  assert.equal(t.queue.length, 4);
  await t.finish(0);
  assert.deepEqual(t.started[1], ['c', 'd', 'e', 'f']);
  assert.equal(t.p.inFlight, 1);
});

test('batch: at most maxPaths events in one batch', async () => {
  const t = pool(10, { maxPaths: 3, parallel: 2, findLarge: noneLarge });
  await t.push(sync('a'), sync('b'), sync('c'), sync('d'));
  assert.deepEqual(t.started, [['a', 'b', 'c']]);
});

test('batch: a large file runs as a job of its own beside the batch, so the small files behind it go on', async () => {
  const t = pool(10, { maxPaths: 100, parallel: 1, findLarge: largeWhen((e) => e.kind === 'sync' && String(e.path).startsWith('big')) });
  await t.push(sync('big.iso'), sync('small1'), sync('small2'));
  assert.deepEqual(t.started, [['big.iso'], ['small1', 'small2']]);
  await t.finish(1);
  await t.push(sync('small3'));
  assert.deepEqual(t.started[2], ['small3'], 'the next batch starts while big.iso is still running');
  assert.equal(t.p.inFlight, 2);
});

test('batch: while the sizes of a batch are read it counts as running; what came meanwhile starts once a large file alone was sent apart', async () => {
  let sizesRead: (() => void) | undefined;
  let calls = 0;
  // The first batch's sizes come when the test says; later ones at once.
  const findLarge = (events: readonly SyncEvent[]) => {
    const large = new Set(events.filter((e) => e.kind === 'sync' && e.path === 'big.iso'));
    if (calls++ > 0) return Promise.resolve(large);
    return new Promise<ReadonlySet<SyncEvent>>((resolve) => (sizesRead = () => resolve(large)));
  };
  const t = pool(10, { maxPaths: 100, parallel: 1, findLarge });
  await t.push(sync('big.iso'));
  await t.push(sync('small1'), sync('small2'));
  assert.deepEqual(t.started, [], 'nothing starts before the sizes are known');
  assert.equal(t.p.inFlight, 1, 'the batch being sized counts as running');
  sizesRead!();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(t.started, [['big.iso'], ['small1', 'small2']], 'big.iso alone, then the next batch at once');
});

test('batch: a path inside a running batch waits for it; a full sync runs alone, after everything before it', async () => {
  const t = pool(10, { maxPaths: 100, parallel: 2, findLarge: largeWhen((e) => e.kind === 'sync' && e.path === 'b') });
  await t.push(sync('a'));
  await t.push(sync('a'), sync('b'));
  assert.deepEqual(t.started, [['a']]);
  await t.push({ kind: 'full', reason: 'recovery' });
  await t.finish(0);
  assert.deepEqual(t.started.slice(1), [['b'], ['a']], 'b, large, as a job of its own; then the second a');
  await t.finish(1);
  assert.equal(t.started.length, 3, 'the full sync waits for a');
  await t.finish(2);
  assert.deepEqual(t.started[3], ['FULL']);
});

test('batch: a big batch of changes is split among `parallel` rsyncs; one with deletes stays whole', async () => {
  const t = pool(10, { maxPaths: 10_000, parallel: 2, findLarge: noneLarge });
  await t.push(...Array.from({ length: 1200 }, (_, i) => sync(`f${i}`)));
  assert.deepEqual(t.started.map((job) => job.length), [600, 600]);
  await t.finish(0);
  assert.equal(t.started.length, 2, 'no new batch while a part of the last one runs');
  await t.finish(1);
  await t.push(...Array.from({ length: 1200 }, (_, i) => sync(`g${i}`)), { kind: 'delete', path: 'gone', isDir: false, cause: 'deleted' });
  assert.deepEqual(t.started.slice(2).map((job) => job.length), [1201]);
});

test('runAs: a job run beside the handler (the -r full sync) holds back what it conflicts with until it ends', async () => {
  const t = pool(10);
  let finishFull: () => void = () => {};
  const full = t.p.runAs([{ kind: 'full', reason: 'start' }], () => new Promise<void>((resolve) => (finishFull = resolve)));
  await t.push(sync('a'));
  assert.deepEqual(t.started, [], 'nothing runs beside a full sync');
  assert.equal(t.p.inFlight, 1);
  finishFull();
  await full;
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(t.started, [['a']]);
});
