/**
 * The FanotifyHandle of the inotify addon (native/fanotify.c) on the real kernel: handle keys,
 * paths from handles, names that are not UTF-8, FAN_RENAME's two places, a deleted directory
 * (ESTALE, the root's own end), and a batch that fails to become objects (an overflow in its
 * place, never a silent loss). Root only; the hooks are set before the addon loads.
 */
process.env.SERSYNC2_INOTIFY_TEST_HOOKS = '1';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Fanotify, type FanotifyEvent } from '../lib/fanotify/binding';
import { FAN } from '../lib/fanotify/mask';
import { fanotifySkip } from './helpers/fanotify';
import { tempDir } from './helpers/tempDir';
import { waitFor } from './helpers/wait';

const skip = fanotifySkip();
const MASK = FAN.CREATE | FAN.DELETE | FAN.CLOSE_WRITE | FAN.RENAME | FAN.ONDIR;

function open(root: string): { kernel: Fanotify; events: FanotifyEvent[]; mine: () => FanotifyEvent[] } {
  const events: FanotifyEvent[] = [];
  const kernel = new Fanotify({ root, mask: MASK, onBatch: (batch) => events.push(...batch), onError: (error) => assert.fail(error) });
  // The mark sees the whole filesystem: keep the events of directories under root, and overflows.
  const inside = (key?: string) => {
    const at = key === undefined ? undefined : kernel.resolve(key);
    return at instanceof Buffer && (at.equals(Buffer.from(root)) || at.toString('latin1').startsWith(`${root}/`));
  };
  return { kernel, events, mine: () => events.filter((e) => e.mask & FAN.Q_OVERFLOW || inside(e.dir) || inside(e.dir2)) };
}

test('keys name directories: the root key, its path back, a rename with both places, exact non-UTF-8 bytes', { skip }, async () => {
  const root = fs.realpathSync(tempDir('fan-binding-'));
  const { kernel, mine } = open(root);
  try {
    assert.deepEqual(kernel.resolve(kernel.rootKey), Buffer.from(root));
    const raw = Buffer.from([0x66, 0xff, 0x2e]);
    fs.mkdirSync(path.join(root, 'd'));
    fs.writeFileSync(Buffer.concat([Buffer.from(`${root}/d/`), raw]), 'x');
    fs.renameSync(path.join(root, 'd'), path.join(root, 'e'));
    await waitFor('the rename', () => mine().some((e) => e.mask & FAN.RENAME));
    const [mkdir, write, rename] = [mine().find((e) => e.mask & FAN.CREATE && e.name === 'd'), mine().find((e) => e.nameBytes), mine().find((e) => e.mask & FAN.RENAME)];
    assert.equal(mkdir?.dir, kernel.rootKey);
    assert.ok(mkdir!.mask & FAN.ONDIR);
    assert.deepEqual(write?.nameBytes, raw);
    assert.equal(write?.name, 'f\uFFFD.');
    assert.deepEqual({ dir: rename?.dir, name: rename?.name, dir2: rename?.dir2, name2: rename?.name2 }, { dir: kernel.rootKey, name: 'd', dir2: kernel.rootKey, name2: 'e' });
    // The directory the write named, resolved after its rename: its path now.
    assert.deepEqual(kernel.resolve(write!.dir!), Buffer.from(path.join(root, 'e')));
  } finally {
    kernel.close();
  }
});

test("a deleted directory resolves to ESTALE; the root's own DELETE_SELF comes with name '.'", { skip }, async () => {
  const base = tempDir('fan-binding-');
  fs.mkdirSync(path.join(base, 'root'));
  const root = fs.realpathSync(path.join(base, 'root'));
  const { kernel, events } = open(root);
  try {
    const key = kernel.rootKey;
    fs.rmdirSync(root);
    await waitFor('DELETE_SELF of the root', () => events.some((e) => e.dir === key && e.name === '.' && e.mask & FAN.DELETE_SELF));
    assert.equal(kernel.resolve(key), 'ESTALE');
  } finally {
    kernel.close();
  }
  assert.equal(kernel.resolve(kernel.rootKey), 'EBADF', 'closed');
});

test('a batch that cannot become objects is one overflow in its place; what follows is read again', { skip }, async () => {
  const root = fs.realpathSync(tempDir('fan-binding-'));
  const { kernel, mine } = open(root);
  try {
    kernel.failNextBatch();
    fs.writeFileSync(path.join(root, 'lost'), 'x');
    await waitFor('the overflow', () => mine().some((e) => e.mask & FAN.Q_OVERFLOW));
    fs.writeFileSync(path.join(root, 'after'), 'x');
    await waitFor('the next event', () => mine().some((e) => e.name === 'after'));
    assert.equal(mine().filter((e) => e.name === 'lost').length, 0, 'the failed batch is not also delivered');
  } finally {
    kernel.close();
  }
});
