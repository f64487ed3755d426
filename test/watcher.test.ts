/**
 * The watcher's directory tree when events are lost: with the real kernel inotify, the events of
 * some renames are held back (as an IN_Q_OVERFLOW loses them), then the tree must still match the
 * disk: no directory re-pointed under its own subtree (a cycle, which once made the daemon spin
 * and grow to 2.5 GiB), every directory watched, every path resolved correctly.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { RawEvent, WatchEvent, WatcherOptions } from '../lib/inotify/watcherTypes';
import { Inotify, type InotifyEvent } from '../lib/inotify/binding';
import { IN } from '../lib/inotify/mask';
import { InotifyWatcher } from '../lib/inotify/watcher';
import { waitFor } from './helpers/wait';

const roots: string[] = [];
after(() => {
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
});

const MASK = IN.CREATE | IN.DELETE | IN.CLOSE_WRITE | IN.MOVED_FROM | IN.MOVED_TO;
const noFilter = { enabled: false, excludes: [] } as never;

/** The options every watcher here gets: the test's own events handler, and no directory left unwatched. */
const optionsFor = (root: string, onEvents: WatcherOptions['onEvents']): WatcherOptions => ({
  root,
  mask: MASK,
  filter: noFilter,
  xfs: false,
  onEvents,
  onUnwatched: (where, code) => assert.fail(`unwatched ${String(where)}: ${code}`),
});

/** A watcher on a fresh tree whose kernel events can be held back, as if the kernel had lost them. */
async function watched(dirs: readonly string[]) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'watcher-'));
  roots.push(root);
  for (const dir of dirs) fs.mkdirSync(path.join(root, dir), { recursive: true });
  let holding = false;
  const markers = new Set<string>();
  const events: RawEvent[] = [];
  /** Everything handed up, in order. */
  const all: WatchEvent[] = [];
  let overflows = 0;
  let rootGone = 0;
  const inotify = new Inotify({
    persistent: false,
    onBatch: (batch) => {
      for (const e of batch) if (e.name?.startsWith('marker-')) markers.add(e.name);
      if (!holding) watcher.handleBatch(batch);
    },
  });
  const watcher: InotifyWatcher = new InotifyWatcher(
    inotify,
    optionsFor(root, (batch) => {
      all.push(...batch);
      for (const e of batch) {
        if (e.change === 'resync') overflows += e.reason === 'overflow' ? 1 : 0;
        else if (e.change === 'rootGone') rootGone++;
        else events.push(e);
      }
    }),
  );
  await watcher.start();
  let serial = 0;
  /** Waits until the kernel events of everything done so far have been read. */
  const drained = async () => {
    const marker = `marker-${serial++}`;
    fs.writeFileSync(path.join(root, marker), '');
    await waitFor(`the event of ${marker} to be read`, () => markers.has(marker));
  };
  return {
    root,
    watcher,
    events,
    all,
    overflows: () => overflows,
    rootGone: () => rootGone,
    /** The kernel events of `changes` are read and dropped, as an overflow loses them. */
    lose: async (changes: () => void) => {
      await drained();
      holding = true;
      changes();
      await drained();
      holding = false;
    },
    overflow: () => watcher.handleBatch([{ wd: -1, mask: IN.Q_OVERFLOW, cookie: 0 } satisfies InotifyEvent]),
    close: () => watcher.close(),
  };
}

const written = (events: readonly RawEvent[], dir: string, name: string) => events.some((e) => e.dir === dir && e.name === name && e.change === 'closeWrite');

test('a rename seen after the one that was lost cannot make a cycle; the tree is rebuilt from the disk', { timeout: 10_000 }, async () => {
  const w = await watched(['A/B']);
  try {
    // Lost: B leaves A. Seen: A moves into B (one read: MOVED_FROM in the root, MOVED_TO in B).
    await w.lose(() => fs.renameSync(path.join(w.root, 'A/B'), path.join(w.root, 'B2')));
    fs.renameSync(path.join(w.root, 'A'), path.join(w.root, 'B2/A'));
    await waitFor('the move of A to be seen', () => w.events.some((e) => e.name === 'A' && e.change === 'movedTo'));
    assert.equal(w.watcher.watchCount, 3, 'root, B2 and B2/A');
    fs.writeFileSync(path.join(w.root, 'B2/A/inside.txt'), 'x');
    await waitFor('a write below the moved directory, at its real path', () => written(w.events, 'B2/A', 'inside.txt'));
  } finally {
    w.close();
  }
});

test('after an overflow, directories created, moved and deleted unseen are watched as on the disk', { timeout: 10_000 }, async () => {
  const w = await watched(['Y/X', 'gone/deep']);
  try {
    await w.lose(() => {
      fs.renameSync(path.join(w.root, 'Y/X'), path.join(w.root, 'X'));
      fs.renameSync(path.join(w.root, 'Y'), path.join(w.root, 'X/Y'));
      fs.mkdirSync(path.join(w.root, 'new/deep/er'), { recursive: true });
      fs.rmSync(path.join(w.root, 'gone'), { recursive: true });
    });
    w.overflow();
    assert.equal(w.overflows(), 1);
    assert.equal(w.watcher.watchCount, 6, 'root, X, X/Y, new, new/deep, new/deep/er');
    fs.writeFileSync(path.join(w.root, 'X/Y/a.txt'), 'a');
    fs.writeFileSync(path.join(w.root, 'new/deep/er/b.txt'), 'b');
    await waitFor('writes in moved and unseen directories, at their real paths', () => written(w.events, 'X/Y', 'a.txt') && written(w.events, 'new/deep/er', 'b.txt'));
    assert.equal(w.rootGone(), 0);
  } finally {
    w.close();
  }
});

/** A handed-up event in a word, for comparing orders. */
const shown = (e: WatchEvent): string => (e.change === 'resync' ? `resync ${e.reason}` : e.change === 'rootGone' ? `root ${e.loss.kind}` : `${e.change} ${String(e.name)}`);

test('the resync of a tree that strayed comes after the events of the read that showed it', { timeout: 10_000 }, async () => {
  const w = await watched(['A/B']);
  try {
    // As in the cycle above: the move of A into B2 (which the tree still takes for A/B) shows the tree strayed.
    await w.lose(() => fs.renameSync(path.join(w.root, 'A/B'), path.join(w.root, 'B2')));
    fs.renameSync(path.join(w.root, 'A'), path.join(w.root, 'B2/A'));
    await waitFor('the resync', () => w.all.some((e) => e.change === 'resync'));
    const order = w.all.map(shown).filter((e) => !e.includes('marker-'));
    assert.deepEqual(order, ['movedFrom A', 'movedTo A', 'resync strayed']);
  } finally {
    w.close();
  }
});

/**
 * A watcher on a fresh root that is handed only the reads a test makes up (the kernel's own are
 * dropped); a fresh inotify instance numbers its first watch, the root's, 1.
 */
async function handedReads() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'watcher-'));
  roots.push(root);
  const seen: WatchEvent[] = [];
  const inotify = new Inotify({ persistent: false, onBatch: () => {} });
  const watcher = new InotifyWatcher(inotify, optionsFor(root, (batch) => seen.push(...batch)));
  await watcher.start();
  const write = (name: string): InotifyEvent => ({ wd: 1, mask: IN.CLOSE_WRITE, cookie: 0, name });
  return { root, seen, watcher, write };
}

test('a root found gone by the rebuild after an overflow is handed up after every event of that read', async () => {
  const { root, seen, watcher, write } = await handedReads();
  try {
    fs.rmSync(root, { recursive: true });
    watcher.handleBatch([write('a'), { wd: -1, mask: IN.Q_OVERFLOW, cookie: 0 }, write('b')]);
    assert.deepEqual(seen.map(shown), ['closeWrite a', 'resync overflow', 'closeWrite b', 'root gone']);
  } finally {
    watcher.close();
  }
});

// The tree lags behind the disk with no event lost: it knows paths from the events read so far.

test('a directory made in a directory whose ancestor was then renamed (still unread) is watched at its real path', { timeout: 10_000 }, async () => {
  const w = await watched(['A/B']);
  try {
    // One read: IN_CREATE of N in B comes before the rename of A, so the path the tree gives for
    // N (A/B/N) is already gone. N used to be taken for gone and was never watched.
    fs.mkdirSync(path.join(w.root, 'A/B/N'));
    fs.renameSync(path.join(w.root, 'A'), path.join(w.root, 'C'));
    await waitFor('the rename of A to be seen', () => w.events.some((e) => e.name === 'C' && e.change === 'movedTo'));
    assert.ok(w.events.some((e) => e.dir === 'C/B' && e.name === 'N' && e.change === 'created'), 'N is reported at its real path once watched');
    assert.equal(w.watcher.watchCount, 4, 'root, C, C/B and C/B/N');
    fs.writeFileSync(path.join(w.root, 'C/B/N/f.txt'), 'x');
    await waitFor('a write in N, at its real path', () => written(w.events, 'C/B/N', 'f.txt'));
  } finally {
    w.close();
  }
});

test('a directory moved into a tree not watched yet keeps its watches when a read of that tree finds it', { timeout: 10_000 }, async () => {
  const w = await watched(['D/E']);
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'watcher-out-'));
  roots.push(outside);
  try {
    // One read: IN_MOVED_FROM of D (its target is outside, unwatched), then IN_MOVED_TO of the
    // outside tree that now holds it. Reading that tree finds D again (same watch); D used to be
    // forgotten anyway at the end of the read, its watches removed.
    fs.mkdirSync(path.join(outside, 'c'));
    fs.renameSync(path.join(w.root, 'D'), path.join(outside, 'c/D2'));
    fs.renameSync(outside, path.join(w.root, 'O'));
    await waitFor('the move of O to be seen', () => w.events.some((e) => e.name === 'O' && e.change === 'movedTo'));
    assert.equal(w.watcher.watchCount, 5, 'root, O, O/c, O/c/D2 and O/c/D2/E');
    fs.writeFileSync(path.join(w.root, 'O/c/D2/E/f.txt'), 'x');
    await waitFor('a write in the moved directory, at its real path', () => written(w.events, 'O/c/D2/E', 'f.txt'));
  } finally {
    w.close();
  }
});

test('a directory renamed between its watch and its read is read again at its new path, its subdirectories watched', { timeout: 10_000 }, async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'watcher-'));
  roots.push(root);
  fs.mkdirSync(path.join(root, 'X'));
  fs.mkdirSync(path.join(root, 'Y'));
  const events: RawEvent[] = [];
  const inotify = new Inotify({ persistent: false, onBatch: (batch) => watcher.handleBatch(batch) });
  let renamed = false;
  // The real binding, except that the watch of X/S is followed at once by the rename of S (as a
  // busy writer does under load): the read by the old path finds nothing (ENOENT). Its child C,
  // made before the watch, used to be never watched: the rename that followed only re-pointed S.
  const racing = {
    addWatches: (paths: ReadonlyArray<string | Buffer>, mask: number) => {
      const wds = inotify.addWatches(paths, mask);
      if (!renamed && paths.some((p) => String(p) === path.join(root, 'X/S'))) {
        renamed = true;
        fs.renameSync(path.join(root, 'X/S'), path.join(root, 'Y/M'));
      }
      return wds;
    },
    removeWatch: (wd: number) => inotify.removeWatch(wd),
    subdirectories: (p: string | Buffer, statEach: boolean) => inotify.subdirectories(p, statEach),
    close: () => inotify.close(),
  };
  const watcher: InotifyWatcher = new InotifyWatcher(
    racing,
    optionsFor(root, (batch) => {
      for (const e of batch) {
        if (e.change === 'rootGone') assert.fail('the root stays');
        if (e.change === 'resync') assert.notEqual(e.reason, 'overflow', 'no overflow');
        else events.push(e);
      }
    }),
  );
  try {
    await watcher.start();
    fs.mkdirSync(path.join(root, 'X/S/C'), { recursive: true });
    await waitFor('the rename of S to be seen', () => events.some((e) => e.dir === 'Y' && e.name === 'M' && e.change === 'movedTo'));
    assert.ok(renamed, 'S was renamed right after its watch');
    assert.deepEqual(watcher.watchedPaths().map(String).sort(), ['', 'X', 'Y', 'Y/M', 'Y/M/C']);
    assert.ok(events.some((e) => e.dir === 'Y/M' && e.name === 'C' && e.change === 'created'), 'C is reported at its real path');
    fs.writeFileSync(path.join(root, 'Y/M/C/f.txt'), 'x');
    await waitFor('a write in C, at its real path', () => written(events, 'Y/M/C', 'f.txt'));
  } finally {
    watcher.close();
  }
});

test('an overflow and the loss of the root are handed up as events, in order with the events around them', async () => {
  const { seen, watcher, write } = await handedReads();
  try {
    watcher.handleBatch([write('a'), { wd: -1, mask: IN.Q_OVERFLOW, cookie: 0 }, write('b')]);
    watcher.handleBatch([write('c'), { wd: 1, mask: IN.DELETE_SELF, cookie: 0 }, write('d')]);
    assert.deepEqual(seen.map(shown), ['closeWrite a', 'resync overflow', 'closeWrite b', 'closeWrite c', 'root gone']);
  } finally {
    watcher.close();
  }
});
