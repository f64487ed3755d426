/**
 * The watcher's walk of a big tree, with the real kernel inotify: it hands the event loop back
 * while it goes (a timer runs before start() resolves), and what is made in the tree meanwhile is
 * watched at its real path, its files reported: the kernel's events read during the walk wait for
 * it, none is lost.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Inotify } from '../lib/inotify/binding';
import { IN } from '../lib/inotify/mask';
import { InotifyWatcher } from '../lib/inotify/watcher';
import type { RawEvent } from '../lib/inotify/watcherTypes';
import { listTree } from './helpers/tree';
import { waitFor } from './helpers/wait';

const MASK = IN.CREATE | IN.DELETE | IN.CLOSE_WRITE | IN.MOVED_FROM | IN.MOVED_TO;
const TOP = 20;
const EACH = 400;

test('a walk of 8,000 directories lets timers run, and the directories made meanwhile are watched, their files reported', { timeout: 60_000 }, async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'watcher-walk-'));
  try {
    for (let t = 0; t < TOP; t++) {
      fs.mkdirSync(path.join(root, `d${t}`));
      for (let e = 0; e < EACH; e++) fs.mkdirSync(path.join(root, `d${t}`, `s${e}`));
    }
    const events: RawEvent[] = [];
    const inotify = new Inotify({ persistent: false, onBatch: (batch) => watcher.handleBatch(batch) });
    const watcher: InotifyWatcher = new InotifyWatcher(inotify, {
      root,
      mask: MASK,
      filter: { enabled: false, excludes: [] } as never,
      xfs: false,
      onEvents: (batch) => {
        for (const e of batch) if (e.change !== 'resync' && e.change !== 'rootGone') events.push(e);
      },
      onUnwatched: (where, code) => assert.fail(`unwatched ${String(where)}: ${code}`),
    });
    // Once the walk is in the second level: a directory made in one it has watched already, and one
    // in a directory it has not watched yet.
    let early: string | undefined;
    let late: string | undefined;
    const timer = setInterval(() => {
      if (early || watcher.watchCount <= 1 + TOP || watcher.watchCount >= TOP * EACH) return;
      const watchedNow = new Set(watcher.watchedPaths().map(String));
      const second = [...watchedNow].filter((p) => p.split('/').length === 2);
      const parent = second[0]!;
      const unwatched = `d${TOP - 1}/s${EACH - 1}`;
      if (watchedNow.has(unwatched)) return;
      early = `${parent}/early`;
      late = `${unwatched}/late`;
      fs.mkdirSync(path.join(root, early));
      fs.writeFileSync(path.join(root, early, 'f.txt'), 'x');
      fs.mkdirSync(path.join(root, late));
    }, 1);
    try {
      const watched = await watcher.start();
      clearInterval(timer);
      assert.ok(early && late, 'a timer ran during the walk');
      assert.ok(watched >= 1 + TOP + TOP * EACH, `${watched} directories watched`);
      await waitFor('the file made during the walk to be reported', () => events.some((e) => e.dir === early && e.name === 'f.txt' && e.change === 'closeWrite'));
      fs.writeFileSync(path.join(root, late, 'g.txt'), 'y');
      await waitFor('a write in the directory the walk found', () => events.some((e) => e.dir === late && e.name === 'g.txt' && e.change === 'closeWrite'));
      assert.deepEqual(watcher.watchedPaths().map(String).sort(), listTree(root).dirs.sort());
    } finally {
      clearInterval(timer);
      watcher.close();
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
