/**
 * The fanotify watcher on the real kernel: the events it hands up for what a busy application,
 * `mv`, `rm -rf` and `tar x` do, against the inotify watcher's rules (test/watcher*.test.ts):
 * moves in, out and within, deletes, non-UTF-8 names, excludes, the rest of the filesystem left
 * out, the root lost, an overflow. Runs as root only.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, test } from 'node:test';
import { type FanotifyWatcher, openFanotifyWatcher } from '../lib/fanotify/watcher';
import type { FilterConfig } from '../lib/filter/config';
import type { WatchEvent, WatcherOptions } from '../lib/inotify/watcherTypes';
import { IN } from '../lib/inotify/mask';
import { fanotifySkip } from './helpers/fanotify';
import { FANOTIFY_LIMIT_FILE, withQueuedEventsLimit } from './helpers/queuedEventsLimit';
import { tempDir } from './helpers/tempDir';
import { waitFor } from './helpers/wait';

const skip = fanotifySkip();
const MASK = IN.CREATE | IN.DELETE | IN.CLOSE_WRITE | IN.MOVED_FROM | IN.MOVED_TO;
const noFilter: FilterConfig = { enabled: false, excludes: [] };
/** Closed after each test, passed or failed: an open filesystem mark would keep the file's process alive. */
const watchers: FanotifyWatcher[] = [];

afterEach(() => {
  for (const watcher of watchers.splice(0)) watcher.close();
});

/** Each event as one line: `change dir|name d?` (a Buffer name in hex), resyncs and root losses by kind. */
function line(e: WatchEvent): string {
  if (e.change === 'resync') return `resync ${e.reason}`;
  if (e.change === 'rootGone') return `rootGone ${e.loss.kind}`;
  const text = (p: string | Buffer) => (typeof p === 'string' ? p : `hex:${p.toString('hex')}`);
  return `${e.change} ${text(e.dir)}|${text(e.name)}${e.isDir ? ' d' : ''}`;
}

async function watched(options: Partial<WatcherOptions> = {}) {
  const base = tempDir('fan-watcher-');
  const root = path.join(base, 'root');
  fs.mkdirSync(root);
  const events: WatchEvent[] = [];
  const watcher: FanotifyWatcher = openFanotifyWatcher({
    root,
    mask: MASK,
    filter: noFilter,
    xfs: false,
    onEvents: (batch) => events.push(...batch),
    onUnwatched: (where, code) => assert.fail(`unwatched ${String(where)}: ${code}`),
    onError: (error) => assert.fail(error),
    ...options,
  });
  watchers.push(watcher);
  assert.equal(await watcher.start(), 1);
  /** Writes a marker in the root and waits for it: every event before it has been handed up. */
  const settle = async (tag: string) => {
    fs.writeFileSync(path.join(root, `marker-${tag}`), '');
    await waitFor(`marker-${tag}`, () => events.some((e) => 'name' in e && e.name === `marker-${tag}` && e.change === 'closeWrite'));
  };
  const lines = () => events.map(line).filter((l) => !l.includes('|marker-'));
  return { base, root, watcher, events, settle, lines };
}

test('a file written: created then closeWrite, split from one merged event, in its directory', { skip }, async () => {
  const w = await watched();
  fs.mkdirSync(path.join(w.root, 'a/b'), { recursive: true });
  fs.writeFileSync(path.join(w.root, 'a/b/f.txt'), 'x');
  await w.settle('1');
  assert.deepEqual(w.lines(), ['created |a d', 'created a|b d', 'created a/b|f.txt', 'closeWrite a/b|f.txt']);
  w.watcher.close();
});

test('moves: within is movedFrom + movedTo with one cookie; in from outside is movedTo alone; out is movedFrom alone; what happened in a directory since moved out is not reported', { skip }, async () => {
  const w = await watched();
  fs.mkdirSync(path.join(w.root, 'd1/sub'), { recursive: true });
  fs.mkdirSync(path.join(w.base, 'outside/tree'), { recursive: true });
  await w.settle('0');
  w.events.length = 0;
  fs.renameSync(path.join(w.root, 'd1'), path.join(w.root, 'd2'));
  fs.writeFileSync(path.join(w.root, 'd2/sub/after'), 'y');
  fs.renameSync(path.join(w.base, 'outside/tree'), path.join(w.root, 'd2/in'));
  fs.renameSync(path.join(w.root, 'd2/sub'), path.join(w.base, 'outside/out'));
  await w.settle('1');
  // `after` was written in d2/sub, which is outside by the time the events are read: its move out covers it.
  assert.deepEqual(w.lines(), ['movedFrom |d1 d', 'movedTo |d2 d', 'movedTo d2|in d', 'movedFrom d2|sub d']);
  const [from, to] = w.events.filter((e) => e.change === 'movedFrom' || e.change === 'movedTo') as Array<{ cookie?: number }>;
  assert.ok(from?.cookie && from.cookie === to?.cookie, 'one cookie links the two halves of a move');
  w.watcher.close();
});

test('rm -rf: the deletes of what was inside, then the directory; what was deleted unseen is not reported at a wrong place', { skip }, async () => {
  const w = await watched();
  fs.mkdirSync(path.join(w.root, 'gone/deep/er'), { recursive: true });
  fs.writeFileSync(path.join(w.root, 'gone/deep/er/f'), '');
  await w.settle('0');
  w.events.length = 0;
  fs.rmSync(path.join(w.root, 'gone'), { recursive: true });
  await w.settle('1');
  // The directories are gone when the events are read: only the root's delete can be placed.
  assert.deepEqual(w.lines().at(-1), 'deleted |gone d');
  for (const l of w.lines()) assert.match(l, /^deleted /);
  w.watcher.close();
});

test('a name that is not UTF-8 comes as its exact bytes; so does a directory of such a name', { skip }, async () => {
  const w = await watched();
  const bad = Buffer.from([0x72, 0xff, 0xfe]);
  fs.mkdirSync(Buffer.concat([Buffer.from(`${w.root}/`), bad]));
  fs.writeFileSync(Buffer.concat([Buffer.from(`${w.root}/`), bad, Buffer.from('/f')]), '');
  await w.settle('1');
  assert.deepEqual(w.lines(), ['created |hex:72fffe d', 'created hex:72fffe|f', 'closeWrite hex:72fffe|f']);
  w.watcher.close();
});

test('excluded directories and the rest of the filesystem are left out', { skip }, async () => {
  const filter: FilterConfig = { enabled: true, excludes: [{ expression: 'skip', regex: /^skip$/ }] };
  const w = await watched({ filter });
  fs.mkdirSync(path.join(w.root, 'skip/in'), { recursive: true });
  fs.mkdirSync(path.join(w.base, 'beside'));
  fs.writeFileSync(path.join(w.root, 'skip/in/f'), '');
  fs.writeFileSync(path.join(w.base, 'beside/f'), '');
  fs.writeFileSync(path.join(w.base, 'root-sibling'), '');
  await w.settle('1');
  // The excluded directory's own creation is the event rules' to drop, as with inotify.
  assert.deepEqual(w.lines(), ['created |skip d']);
  w.watcher.close();
});

test('the root deleted: one rootGone, then nothing', { skip }, async () => {
  const w = await watched();
  fs.writeFileSync(path.join(w.root, 'f'), '');
  fs.rmSync(w.root, { recursive: true });
  await waitFor('rootGone', () => w.events.some((e) => e.change === 'rootGone'));
  assert.deepEqual(w.lines().filter((l) => l.startsWith('rootGone')), ['rootGone gone']);
  assert.equal(w.watcher.watchCount, 0);
});

test('the root moved away: rootGone', { skip }, async () => {
  const w = await watched();
  fs.renameSync(w.root, path.join(w.base, 'elsewhere'));
  await waitFor('rootGone', () => w.events.some((e) => e.change === 'rootGone'));
});

test('a queue overflow: the events before it, then one resync; events after it are read again', { skip }, async () => {
  const w = await withQueuedEventsLimit(64, () => watched(), FANOTIFY_LIMIT_FILE);
  // Written without yielding, so the watcher reads none of them before the queue is full.
  for (let i = 0; i < 500; i++) fs.writeFileSync(path.join(w.root, `f${i}`), '');
  await waitFor('overflow', () => w.events.some((e) => e.change === 'resync'));
  // The mark is the whole filesystem's: other writers (tests running beside this one) may fill the queue again.
  const resyncs = w.lines().filter((l) => l.startsWith('resync'));
  assert.ok(resyncs.length >= 1 && resyncs.every((l) => l === 'resync overflow'), resyncs.join(', '));
  await w.settle('after');
  w.watcher.close();
});
