/**
 * lib/inotify/slices.ts: the watcher's tasks in order. A step that yields a promise (the start-up
 * walk's chunk on a libuv thread) holds its task, and every task behind it, until it settles.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Pending, Slices, type Step } from '../lib/inotify/slices';
import { waitFor } from './helpers/wait';

function deferred(): { promise: Promise<string>; resolve: (v: string) => void; reject: (e: Error) => void } {
  let resolve!: (v: string) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<string>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

test('a task waiting on a promise holds the tasks behind it; it goes on with the value once it settles', async () => {
  const slices = new Slices();
  const seen: string[] = [];
  const gate = deferred();
  function* waiting(): Generator<Step, void> {
    seen.push('a: before');
    const job = new Pending(gate.promise);
    yield job.done;
    seen.push(`a: ${job.value()}`);
  }
  function* after(): Generator<Step, void> {
    yield;
    seen.push('b');
  }
  let settled = false;
  slices.push(waiting(), () => {
    settled = true;
  });
  slices.push(after());
  assert.deepEqual(seen, ['a: before'], 'b waits behind a');
  gate.resolve('value');
  await waitFor('both tasks to run', () => seen.length === 3);
  assert.deepEqual(seen, ['a: before', 'a: value', 'b']);
  assert.ok(settled);
});

test('a rejected promise is thrown where the task takes its value', async () => {
  const slices = new Slices();
  const gate = deferred();
  let error: unknown;
  function* waiting(): Generator<Step, void> {
    const job = new Pending(gate.promise);
    yield job.done;
    job.value();
  }
  slices.push(waiting(), (e) => {
    error = e ?? 'settled without an error';
  });
  gate.reject(new Error('no result'));
  await waitFor('the task to settle', () => error !== undefined);
  assert.match(String(error), /no result/);
});

test('clear() while a task waits drops it: it is not resumed when its promise settles, and new work runs at once', async () => {
  const slices = new Slices();
  const seen: string[] = [];
  const gate = deferred();
  const job = new Pending(gate.promise);
  function* waiting(): Generator<Step, void> {
    yield job.done;
    seen.push('resumed');
  }
  let dropped = false;
  slices.push(waiting(), () => {
    dropped = true;
  });
  slices.clear();
  assert.ok(dropped, 'its settle is called by clear()');
  function* next(): Generator<Step, void> {
    yield;
    seen.push('next');
  }
  slices.push(next());
  assert.deepEqual(seen, ['next'], 'runs at once: nothing waits any more');
  gate.resolve('late');
  // Not a quiet window but the order of the loop: Slices' own callback on job.done ran before this
  // await returns (it was registered first), and a resume it scheduled would be the setImmediate
  // ahead of ours, so it would have run by the time ours does.
  await job.done;
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(seen, ['next'], 'the dropped task never went on');
});
