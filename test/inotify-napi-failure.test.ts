/**
 * Events the addon read from the kernel but could not turn into objects (a failed N-API call) are
 * never lost silently: they reach onBatch as one IN_Q_OVERFLOW, the path on which the watcher
 * runs a full sync. The failure is forced by the addon's test hook, on only with
 * SERSYNC2_INOTIFY_TEST_HOOKS=1 when it loads (this file runs in a process of its own).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, test } from 'node:test';
import { Inotify, type InotifyEvent } from '../lib/inotify/binding';
import { IN } from '../lib/inotify/mask';
import { waitFor } from './helpers/wait';

// Before the first Inotify: the addon is loaded on first use and reads this once.
process.env.SERSYNC2_INOTIFY_TEST_HOOKS = '1';

const BINDING = path.resolve(__dirname, '..', 'lib', 'inotify', 'binding.js');
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function watched(): { ino: Inotify; dir: string; batches: InotifyEvent[][] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inotify-napi-'));
  const batches: InotifyEvent[][] = [];
  const ino = new Inotify({ onBatch: (batch) => batches.push(batch) });
  cleanups.push(() => {
    ino.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const [wd] = ino.addWatches([dir], IN.CREATE);
  assert.ok(wd !== undefined && wd >= 0, `watch: errno ${wd}`);
  return { ino, dir, batches };
}

const names = (batches: InotifyEvent[][]): string[] => batches.flat().flatMap((e) => (e.name === undefined ? [] : [e.name]));

test('events lost to a failed N-API call arrive as one overflow, and reading goes on', async () => {
  const { ino, dir, batches } = watched();
  ino.failNextBatch();
  fs.writeFileSync(path.join(dir, 'lost'), '');
  await waitFor('a batch', () => batches.length > 0, 5_000);
  assert.deepEqual(batches[0], [{ wd: -1, mask: IN.Q_OVERFLOW, cookie: 0 }], 'the lost events become one overflow');
  assert.deepEqual(names(batches), [], 'no half-built batch reaches JavaScript');

  fs.writeFileSync(path.join(dir, 'after'), '');
  await waitFor('the next event', () => names(batches).includes('after'), 5_000);
  assert.equal(batches.flat().filter((e) => (e.mask & IN.Q_OVERFLOW) !== 0).length, 1, 'one overflow, owed once');
});

test('without SERSYNC2_INOTIFY_TEST_HOOKS=1 the addon has no hook', () => {
  const env = { ...process.env };
  delete env.SERSYNC2_INOTIFY_TEST_HOOKS;
  const script = `const ino = new (require(${JSON.stringify(BINDING)}).Inotify)({ onBatch() {} });
try { ino.failNextBatch(); console.log('hooked'); } catch (e) { console.log(e.code); } finally { ino.close(); }`;
  const run = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8', timeout: 10_000 });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), 'ERR_INOTIFY_TEST_HOOKS_OFF');
});
