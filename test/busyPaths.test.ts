import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SyncEvent } from '../lib/events/types';
import { BusyPaths } from '../lib/queue/busyPaths';
import { isUnderKey, pathKey, type PathName } from '../lib/paths';

const sync = (path: PathName, isDir = false): SyncEvent => ({ kind: 'sync', path, isDir, cause: 'modified' });

test('a running path blocks itself, what is inside it and what contains it, nothing else', () => {
  const busy = BusyPaths.of([sync('a/b', true)]);
  assert.equal(busy.blocks(sync('a/b')), true);
  assert.equal(busy.blocks(sync('a/b/c/d')), true);
  assert.equal(busy.blocks(sync('a')), true);
  assert.equal(busy.blocks(sync('a/bc')), false);
  assert.equal(busy.blocks(sync('a/c')), false);
  assert.equal(busy.blocks(sync('b')), false);
  assert.equal(busy.blocks({ kind: 'full', reason: 'recovery' }), true);
});

test('a running full sync blocks everything; removing events frees their paths', () => {
  const full: SyncEvent = { kind: 'full', reason: 'crontab' };
  const busy = BusyPaths.of([full, sync('x'), sync('x')]);
  assert.equal(busy.blocks(sync('y')), true);
  busy.remove([full]);
  assert.equal(busy.blocks(sync('y')), false);
  busy.remove([sync('x')]);
  assert.equal(busy.blocks(sync('x')), true, 'a second event on x still runs');
  busy.remove([sync('x')]);
  assert.equal(busy.size, 0);
  assert.equal(busy.blocks(sync('x')), false);
});

test('paths compare as bytes: a UTF-8 directory contains a non-UTF-8 name', () => {
  const raw = Buffer.concat([Buffer.from('café/'), Buffer.from([0xff, 0x41])]);
  assert.equal(BusyPaths.of([sync('café', true)]).blocks(sync(raw)), true);
  assert.equal(BusyPaths.of([sync(raw)]).blocks(sync('café', true)), true);
  assert.equal(BusyPaths.of([sync(raw)]).blocks(sync('cafe', true)), false);
});

test('a non-UTF-8 directory contains the UTF-8 names inside it; the queue, the busy paths and the watcher share pathKey', () => {
  const dir = Buffer.from([0xd6, 0xd0]);
  const inside = Buffer.concat([dir, Buffer.from('/ü.txt')]);
  assert.equal(BusyPaths.of([sync(dir, true)]).blocks(sync(inside)), true);
  assert.equal(BusyPaths.of([sync(inside)]).blocks(sync(dir, true)), true);
  assert.equal(pathKey('café'), pathKey(Buffer.from('café')), 'text and its bytes have one key');
  assert.equal(isUnderKey(pathKey(Buffer.concat([Buffer.from('café/'), Buffer.from([0xff])])), pathKey('café')), true);
});
