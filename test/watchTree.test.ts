/**
 * The watcher's tree model on its struct of arrays (lib/inotify/nodeStore.ts): what an object per
 * directory gave for free must hold there too. A handle kept past its node's end never names the
 * node that took its slot; a subtree whose top lost its watch keeps its path; a directory with
 * many children finds them by name, renames and removals included; a rebuild invalidates every
 * handle given out before it. wds are made up: the model adds no watch itself.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WatchTree } from '../lib/inotify/watchTree';

/** A root (wd 1) with `names` as subdirectories, wds from 2 on. */
function treeWith(...names: string[]) {
  const tree = new WatchTree();
  const root = tree.attach(1, undefined, '');
  const nodes = names.map((name, i) => tree.attach(i + 2, root, name));
  return { tree, root, nodes };
}

test('a handle kept past its node never names the node that took its slot', () => {
  const { tree, root, nodes } = treeWith('a');
  const a = nodes[0]!;
  const gone: number[] = [];
  tree.forget(a, (_node, wd) => gone.push(wd));
  assert.deepEqual(gone, [2]);
  const b = tree.attach(3, root, 'b'); // takes the slot a had
  assert.equal(tree.isAttached(b), true);
  assert.equal(tree.isAttached(a), false);
  assert.notEqual(a, b);
  assert.equal(tree.childOf(a, 'x'), undefined);
  assert.equal(tree.parentOf(a), undefined);
  const again: number[] = [];
  tree.forget(a, (_node, wd) => again.push(wd));
  assert.deepEqual(again, [], 'a stale handle forgets nothing');
  assert.equal(tree.get(3), b);
});

test('a subtree whose top lost its watch keeps its path, and goes with its last node', () => {
  const { tree, root, nodes } = treeWith('top');
  const top = nodes[0]!;
  const mid = tree.attach(10, top, 'mid');
  const leaf = tree.attach(11, mid, 'leaf');
  tree.dropWatch(mid); // IN_IGNORED for mid only
  assert.equal(tree.get(10), undefined);
  assert.equal(tree.pathOf(leaf), 'top/mid/leaf', 'the dropped parent still names its part of the path');
  assert.equal(tree.isAttached(leaf), false);
  tree.forget(leaf, () => {});
  // mid had nothing else below it: its slot is free, the next node takes it, and mid's handle is stale.
  const other = tree.attach(12, root, 'other');
  assert.equal(tree.pathOf(other), 'other');
  assert.equal(tree.parentOf(mid), undefined);
});

test('a directory moved away keeps its path until it is moved in again', () => {
  const { tree, root, nodes } = treeWith('a', 'b');
  const [a, b] = [nodes[0]!, nodes[1]!];
  const sub = tree.attach(10, a, 'sub');
  tree.moveAway(a, 'sub', 7);
  assert.equal(tree.childOf(a, 'sub'), undefined);
  assert.equal(tree.pathOf(sub), 'a/sub');
  assert.equal(tree.moveIn(7, b, 'renamed'), true);
  assert.equal(tree.pathOf(sub), 'b/renamed');
  assert.equal(tree.childOf(b, 'renamed'), sub);
  assert.equal(tree.isAttached(sub), true);
  tree.moveAway(root, 'b', 8);
  const gone: number[] = [];
  tree.endOfRead((_node, wd) => gone.push(wd));
  assert.deepEqual(gone.sort(), [10, 3].sort(), 'b and what is below it leave with no MOVED_TO');
});

test('a directory with many children finds each by name, through renames and removals', () => {
  const names = Array.from({ length: 1000 }, (_, i) => `d${i}`);
  const { tree, root, nodes } = treeWith(...names);
  for (let i = 0; i < names.length; i += 97) assert.equal(tree.childOf(root, names[i]!), nodes[i]);
  const moved = nodes[500]!;
  tree.moveAway(root, 'd500', 1);
  assert.equal(tree.moveIn(1, root, 'moved'), true);
  assert.equal(tree.childOf(root, 'd500'), undefined);
  assert.equal(tree.childOf(root, 'moved'), moved);
  tree.forget(nodes[10]!, () => {});
  assert.equal(tree.childOf(root, 'd10'), undefined);
  // A second node of the same name takes the place of the first (which is detached, not attached).
  const twin = tree.attach(5000, root, 'd20');
  assert.equal(tree.childOf(root, 'd20'), twin);
  assert.equal(tree.isAttached(nodes[20]!), false);
  assert.equal(tree.size, 1 + 1000);
  assert.equal(tree.paths().length, 1001);
});

test('a rebuild leaves every handle given out before it stale', () => {
  const { tree, nodes } = treeWith('a', 'b');
  const wds = tree.replace();
  assert.deepEqual(wds.sort(), [1, 2, 3]);
  const root = tree.attach(1, undefined, '');
  const a = tree.attach(2, root, 'a');
  assert.equal(tree.isAttached(nodes[0]!), false);
  assert.equal(tree.isAttached(a), true);
  assert.equal(tree.get(2), a);
});

test('children a walk attaches as unique (not searched for a namesake) are still found by name, a big directory indexed on the first lookup', () => {
  const tree = new WatchTree();
  const root = tree.attach(1, undefined, '');
  const site = tree.attach(2, root, 'site');
  const pages = Array.from({ length: 300 }, (_, i) => tree.attach(i + 10, site, `page${i}`, true));
  assert.equal(tree.childOf(site, 'page150'), pages[150]);
  for (let i = 0; i < 300; i += 37) assert.equal(tree.childOf(site, `page${i}`), pages[i]);
  // A later namesake, attached the usual way, takes its place: the first is detached, its path kept.
  const again = tree.attach(1000, site, 'page7');
  assert.equal(tree.childOf(site, 'page7'), again);
  assert.equal(tree.isAttached(pages[7]!), false);
  assert.equal(tree.pathOf(pages[7]!), 'site/page7');
  assert.equal(tree.childOf(site, 'page8'), pages[8]);
});
