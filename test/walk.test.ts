/**
 * The walk's order (lib/inotify/walk.ts): level by level, in chunks, and what each directory knows
 * of its parent. A parent the walk made itself has only the names of its one read as children, so
 * the watcher attaches them without searching for a namesake; a parent that was there before (the
 * top's, or a node the walk reached again by its wd) must be searched.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DirNode } from '../lib/inotify/dirNode';
import { CHUNK, WalkLevels } from '../lib/inotify/walk';

const node = (n: number) => n as DirNode;

test('a walk goes level by level in chunks of CHUNK; each directory says whether the walk made its parent', () => {
  const walk = new WalkLevels({ parent: node(1), name: 'top', rel: 'top', change: 'created', tries: 0 });
  const first = walk.chunk()!;
  assert.deepEqual(first.map((d) => [d.rel, d.parentFresh]), [['top', false]], 'the top: its parent was there before the walk');
  const many = Array.from({ length: CHUNK + 5 }, (_, i) => `d${i}`);
  walk.found(node(2), 'top', many, 'created', true);
  walk.found(node(3), 'elsewhere', ['x'], 'created', false);
  const second = walk.chunk()!;
  assert.equal(second.length, CHUNK);
  assert.ok(second.every((d) => d.parentFresh && d.parent === node(2)));
  assert.equal(second[0]!.rel, 'top/d0');
  const third = walk.chunk()!;
  assert.deepEqual(third.map((d) => [d.rel, d.parentFresh]), [...many.slice(CHUNK).map((n) => [`top/${n}`, true]), ['elsewhere/x', false]]);
  assert.equal(walk.chunk(), undefined);
});
