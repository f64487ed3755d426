/**
 * The walk's order (lib/inotify/walk.ts): level by level, in chunks, and what each directory knows
 * of its parent. A parent the walk made itself has only the names of its one read as children, so
 * the watcher attaches them without searching for a namesake; a parent that was there before (the
 * top's, or a node the walk reached again by its wd) must be searched.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DirNode } from '../lib/inotify/dirNode';
import { CHUNK, dirsOf, WalkLevels } from '../lib/inotify/walk';

const node = (n: number) => n as DirNode;

test('a walk goes level by level in chunks of CHUNK; each directory says whether the walk made its parent', () => {
  const walk = new WalkLevels({ parent: node(1), parentRel: 'up', name: 'top', change: 'created', tries: 0 });
  const first = dirsOf(walk.chunk()!);
  assert.deepEqual(first.map((d) => [d.rel, d.listing.fresh]), [['up/top', false]], 'the top: its parent was there before the walk');
  const many = Array.from({ length: CHUNK + 5 }, (_, i) => `d${i}`);
  walk.found(node(2), 'up/top', many, 'created', true);
  walk.found(node(3), 'elsewhere', ['x'], 'created', false);
  const parts = walk.chunk()!;
  assert.deepEqual(parts.map((p) => [p.from, p.to]), [[0, CHUNK]], 'a chunk is runs of listings, not a copy of their names');
  const second = dirsOf(parts);
  assert.equal(second.length, CHUNK);
  assert.ok(second.every((d) => d.listing.fresh && d.listing.parent === node(2)));
  assert.equal(second[0]!.rel, 'up/top/d0');
  const third = walk.chunk()!;
  assert.deepEqual(third.map((p) => [p.from, p.to]), [[CHUNK, CHUNK + 5], [0, 1]]);
  assert.deepEqual(dirsOf(third).map((d) => [d.rel, d.listing.fresh]), [...many.slice(CHUNK).map((n) => [`up/top/${n}`, true]), ['elsewhere/x', false]]);
  assert.equal(walk.chunk(), undefined);
});

test('the root is its own listing: no parent, its path and its name empty', () => {
  const walk = new WalkLevels({ parent: undefined, parentRel: '', name: '', change: 'created', tries: 0 });
  assert.deepEqual(dirsOf(walk.chunk()!).map((d) => [d.rel, d.listing.parent]), [['', undefined]]);
  walk.found(node(1), '', ['a', 'b'], 'created', true);
  assert.deepEqual(dirsOf(walk.chunk()!).map((d) => d.rel), ['a', 'b']);
});
