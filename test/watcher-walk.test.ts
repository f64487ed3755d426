/**
 * The watcher's walk of a big tree, with the real kernel inotify: it hands the event loop back
 * while it goes (a timer runs before start() resolves), and what is made in the tree meanwhile is
 * watched at its real path, its files reported: the kernel's reads that come during the walk wait
 * for it, none is lost, and past a limit they become one overflow, as in the kernel's own queue.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Inotify } from '../lib/inotify/binding';
import { IN } from '../lib/inotify/mask';
import { CHUNK } from '../lib/inotify/walk';
import { InotifyWatcher } from '../lib/inotify/watcher';
import type { WatchEvent } from '../lib/inotify/watcherTypes';
import { listTree } from './helpers/tree';
import { waitFor } from './helpers/wait';

const MASK = IN.CREATE | IN.DELETE | IN.CLOSE_WRITE | IN.MOVED_FROM | IN.MOVED_TO;
const TOP = 20;
const EACH = 400;
const DIRS = 1 + TOP + TOP * EACH;

let root = '';
before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'watcher-walk-'));
  for (let t = 0; t < TOP; t++) {
    fs.mkdirSync(path.join(root, `d${t}`));
    for (let e = 0; e < EACH; e++) fs.mkdirSync(path.join(root, `d${t}`, `s${e}`));
  }
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

/** A watcher on the shared tree; `heldLimit` as InotifyWatcher's; `onProgress` as the daemon's progress line takes it. */
function watcherOn(events: WatchEvent[], heldLimit?: number, onProgress?: (watches: number) => void): InotifyWatcher {
  const inotify = new Inotify({ persistent: false, onBatch: (batch) => watcher.handleBatch(batch) });
  const options = {
    root,
    mask: MASK,
    filter: { enabled: false, excludes: [] } as never,
    xfs: false,
    onEvents: (batch: WatchEvent[]) => events.push(...batch),
    onUnwatched: (where: unknown, code: string) => assert.fail(`unwatched ${String(where)}: ${code}`),
    onProgress,
  };
  const watcher: InotifyWatcher = new InotifyWatcher(inotify, options, heldLimit);
  return watcher;
}

/** Calls `during` once from a timer, while the walk is in its second level. */
function duringWalk(watcher: InotifyWatcher, during: () => void): { ran: () => boolean; stop: () => void } {
  let ran = false;
  const timer = setInterval(() => {
    if (ran || watcher.watchCount <= 1 + TOP || watcher.watchCount >= TOP * EACH) return;
    ran = true;
    during();
  }, 1).unref(); // a start() that never resolves must fail the test, not keep it running
  return { ran: () => ran, stop: () => clearInterval(timer) };
}

const written = (events: readonly WatchEvent[], dir: string, name: string) =>
  events.some((e) => e.change === 'closeWrite' && e.dir === dir && e.name === name);

test('a walk of 8,000 directories lets timers run, and the directories made meanwhile are watched, their files reported', { timeout: 60_000 }, async () => {
  const events: WatchEvent[] = [];
  const watcher = watcherOn(events);
  // A directory made in one the walk has watched already, and one in a directory it has not watched yet.
  let early = '';
  let late = '';
  const timer = duringWalk(watcher, () => {
    const watchedNow = new Set(watcher.watchedPaths().map(String));
    early = `${[...watchedNow].find((p) => p.split('/').length === 2)}/early`;
    // Fewer than TOP * EACH watched: some of the second level are not yet.
    const second = Array.from({ length: TOP * EACH }, (_, i) => `d${Math.floor(i / EACH)}/s${i % EACH}`);
    late = `${second.find((p) => !watchedNow.has(p))}/late`;
    fs.mkdirSync(path.join(root, early));
    fs.writeFileSync(path.join(root, early, 'f.txt'), 'x');
    fs.mkdirSync(path.join(root, late));
  });
  try {
    const watched = await watcher.start();
    assert.ok(timer.ran(), 'a timer ran during the walk');
    assert.ok(watched >= DIRS, `${watched} directories watched`);
    await waitFor('the file made during the walk to be reported', () => written(events, early, 'f.txt'));
    fs.writeFileSync(path.join(root, late, 'g.txt'), 'y');
    await waitFor('a write in the directory the walk found', () => written(events, late, 'g.txt'));
    assert.deepEqual(watcher.watchedPaths().map(String).sort(), listTree(root).dirs.sort());
  } finally {
    timer.stop();
    watcher.close();
    fs.rmSync(path.join(root, early), { recursive: true, force: true });
    fs.rmSync(path.join(root, late), { recursive: true, force: true });
  }
});

test('kernel events past the held limit during a walk become one overflow, and the tree is rebuilt', { timeout: 60_000 }, async () => {
  const events: WatchEvent[] = [];
  const watcher = watcherOn(events, 20);
  const files = Array.from({ length: 50 }, (_, i) => path.join(root, `flood-${i}`));
  // 100 events in the root (a create and a close each), read while the walk goes on.
  const timer = duringWalk(watcher, () => {
    for (const file of files) fs.writeFileSync(file, '');
  });
  try {
    await watcher.start();
    assert.ok(timer.ran(), 'the files were written during the walk');
    await waitFor('the overflow', () => events.some((e) => e.change === 'resync'));
    const resyncs = events.filter((e) => e.change === 'resync');
    assert.deepEqual(resyncs, [{ change: 'resync', reason: 'overflow' }]);
    assert.equal(watcher.watchCount, DIRS, 'every directory watched after the rebuild');
    fs.writeFileSync(path.join(root, 'd0', 'after.txt'), 'z');
    await waitFor('a write after the overflow', () => written(events, 'd0', 'after.txt'));
  } finally {
    timer.stop();
    watcher.close();
    for (const file of [...files, path.join(root, 'd0', 'after.txt')]) fs.rmSync(file, { force: true });
  }
});

test('the walk reports its progress once per job of directories, rising to the count watched', { timeout: 60_000 }, async () => {
  const counts: number[] = [];
  const watcher = watcherOn([], undefined, (watches) => counts.push(watches));
  try {
    assert.equal(await watcher.start(), DIRS);
    assert.equal(counts.at(-1), DIRS, 'the last report is every directory');
    assert.ok(counts.every((n, i) => i === 0 || n > counts[i - 1]!), `rising: ${counts.join(' ')}`);
    // Each job goes on below its chunk until it has done CHUNK directories (the filter is off).
    assert.deepEqual(counts.slice(0, -1), Array.from({ length: Math.ceil(DIRS / CHUNK) - 1 }, (_, i) => (i + 1) * CHUNK), `one report per job of CHUNK: ${counts.join(' ')}`);
    // The jobs stop inside a listing; what each leaves is walked by the next: every directory, once.
    assert.deepEqual(watcher.watchedPaths().map(String).sort(), listTree(root).dirs.sort());
  } finally {
    watcher.close();
  }
});

test('close() during the walk ends it: start() resolves, nothing is watched', { timeout: 20_000 }, async () => {
  const watcher = watcherOn([]);
  const timer = duringWalk(watcher, () => watcher.close());
  try {
    const watched = await watcher.start();
    assert.ok(timer.ran(), 'closed during the walk');
    assert.ok(watched < DIRS, `the walk stopped (${watched} directories)`);
    assert.equal(watcher.watchCount, 0);
  } finally {
    timer.stop();
  }
});
