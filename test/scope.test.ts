/** The daemon's lifecycle scope: phase by phase, in each the last opened first, each step once, all of them even when one throws. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Scope } from '../lib/daemon/scope';

test('closers run in reverse order of registration, once, however often close() is called', async () => {
  const scope = new Scope();
  const closed: string[] = [];
  const timer = scope.add('timer', setInterval(() => {}, 1000), {
    close: (t) => {
      clearInterval(t);
      closed.push('timer');
    },
  });
  assert.equal(typeof timer.unref, 'function', 'add() hands the resource back');
  scope.defer('inotify', () => void closed.push('inotify'));
  scope.defer('server', async () => {
    await new Promise((resolve) => setImmediate(resolve));
    closed.push('server');
  });
  assert.equal(scope.closed, false);
  const [first, second] = await Promise.all([scope.close(), scope.close()]);
  assert.deepEqual(closed, ['server', 'inotify', 'timer']);
  assert.deepEqual(first, []);
  assert.equal(first, second);
  await scope.close();
  assert.deepEqual(closed, ['server', 'inotify', 'timer']);
  assert.equal(scope.closed, true);
});

test('a closer that throws does not stop the others; its error names the resource', async () => {
  const scope = new Scope();
  const closed: string[] = [];
  scope.defer('a', () => void closed.push('a'));
  scope.defer('status file', () => {
    throw new Error('EACCES');
  });
  scope.defer('c', () => Promise.reject(new Error('late')));
  const errors = await scope.close();
  assert.deepEqual(closed, ['a']);
  assert.deepEqual(errors.map((e) => e.message), ['closing c: late', 'closing status file: EACCES']);
});

test('a resource registered once closing has begun is closed too, not leaked', async () => {
  const scope = new Scope();
  const closed: string[] = [];
  const closing = scope.close();
  scope.defer('late', () => void closed.push('late'));
  await closing;
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(closed, ['late']);
});

test('the phases run in order, intake, drain, record, close; in each the last registered first', async () => {
  const scope = new Scope();
  const steps: string[] = [];
  const step = (name: string) => () => void steps.push(name);
  scope.add('workers', 'pool', { intake: step('workers intake'), drain: step('workers drain') });
  scope.add('status', 'status', { close: step('status close') });
  scope.add('watches', 'watcher', { intake: step('watches intake') });
  scope.add('queue', 'queue', { record: step('queue record') });
  scope.defer('crontab', step('crontab intake'), 'intake');
  await scope.close();
  assert.deepEqual(steps, ['crontab intake', 'watches intake', 'workers intake', 'workers drain', 'queue record', 'status close']);
});

test('leaveNow: a drain under way is no longer waited for; record and close still run', async () => {
  const scope = new Scope();
  const steps: string[] = [];
  let finish: () => void = () => {};
  scope.add('workers', 'pool', {
    drain: () => new Promise<void>((resolve) => (finish = resolve)),
  });
  scope.add('retries', 'failures', { drain: () => void steps.push('retries drain'), record: () => void steps.push('retries record') });
  scope.add('status', 'status', { close: () => void steps.push('status close') });
  const closing = scope.close();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(steps, ['retries drain'], 'the close waits for the workers');
  const left = scope.leaveNow();
  assert.equal(left, closing, 'the same close');
  await left;
  assert.deepEqual(steps, ['retries drain', 'retries record', 'status close']);
  finish();
});
