/**
 * The addon's directory listings against the real kernel: subdirectories(), and watchChunk(), the
 * start-up walk's call that watches and reads on a libuv thread. Fresh temp directories, every
 * instance closed after each test, and no sleeping: every wait is a condition with a deadline.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, test } from 'node:test';
import { Inotify, InotifyError, type InotifyEvent } from '../lib/inotify/binding';
import { IN } from '../lib/inotify/mask';
import { tempDir as freshDir } from './helpers/tempDir';
import { waitFor } from './helpers/wait';

const instances: Inotify[] = [];

afterEach(() => {
  for (const ino of instances.splice(0)) ino.close();
});

/** A non-persistent instance whose batches all land in `events`, closed after the test. */
function collecting(): { ino: Inotify; events: InotifyEvent[] } {
  const events: InotifyEvent[] = [];
  const ino = new Inotify({ persistent: false, onBatch: (batch) => events.push(...batch) });
  instances.push(ino);
  return { ino, events };
}

const tempDir = (): string => freshDir('inotify-listing-');

/** A listing's names, sorted, each marked text or bytes: a UTF-8 name must come as a string, any other as its exact bytes. */
function typed(names: readonly (string | Buffer)[]): string[] {
  return names.map((n) => (typeof n === 'string' ? `text ${n}` : `bytes ${n.toString('hex')}`)).sort();
}

test('subdirectories: only directories, text where UTF-8 and exact bytes otherwise, unsorted; a leaf is known by its link count; errors are InotifyErrors', () => {
  const dir = tempDir();
  const { ino } = collecting();
  const odd = Buffer.from([0x6f, 0x64, 0x64, 0xff]);
  fs.mkdirSync(path.join(dir, 'a', 'deeper'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'b c'));
  fs.mkdirSync(Buffer.concat([Buffer.from(`${dir}/`), odd]));
  fs.writeFileSync(path.join(dir, 'file.txt'), 'x');
  fs.symlinkSync(path.join(dir, 'a'), path.join(dir, 'link-to-a'));
  spawnSync('mkfifo', [path.join(dir, 'fifo')]);
  fs.mkdirSync(path.join(dir, '\ufeff文件'));
  for (const statEach of [false, true]) {
    assert.deepEqual(typed(ino.subdirectories(dir, statEach)), typed(['a', 'b c', odd, '\ufeff文件']), `statEach ${statEach}`);
  }
  // Without a name that is not UTF-8, the listing is decoded whole: the same names.
  fs.rmdirSync(Buffer.concat([Buffer.from(`${dir}/`), odd]));
  assert.deepEqual(typed(ino.subdirectories(dir)), typed(['a', 'b c', '\ufeff文件']));
  assert.deepEqual(ino.subdirectories(Buffer.from(`${dir}/a`)), ['deeper']);
  // A leaf (link count 2 on ext4 and tmpfs) and an empty result look the same; so does a real read.
  assert.deepEqual(ino.subdirectories(path.join(dir, 'a', 'deeper')), []);
  fs.writeFileSync(path.join(dir, 'a', 'deeper', 'only-a-file'), '');
  assert.deepEqual(ino.subdirectories(path.join(dir, 'a', 'deeper')), []);
  assert.throws(() => ino.subdirectories(path.join(dir, 'missing')), (e: unknown) => e instanceof InotifyError && e.code === 'ENOENT');
  assert.throws(() => ino.subdirectories(path.join(dir, 'file.txt')), (e: unknown) => e instanceof InotifyError && e.code === 'ENOTDIR');
});

test('watchChunk: each path watched, then read, off the loop: wds, names (text or bytes), the errno of a path that is not a directory', async () => {
  const dir = tempDir();
  const { ino, events } = collecting();
  const odd = Buffer.from([0x6f, 0x64, 0x64, 0xff]);
  fs.mkdirSync(path.join(dir, 'a', 'x'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'a', 'y z'));
  fs.mkdirSync(Buffer.concat([Buffer.from(`${dir}/a/`), odd]));
  fs.mkdirSync(path.join(dir, 'leaf'));
  fs.writeFileSync(path.join(dir, 'file.txt'), 'x');
  const paths = [path.join(dir, 'a'), path.join(dir, 'missing'), path.join(dir, 'leaf'), path.join(dir, 'file.txt'), Buffer.from(path.join(dir, 'a', 'x'))];
  const { wds, lists } = await ino.watchChunk(paths, IN.CREATE | IN.ONLYDIR, false);
  assert.equal(wds.length, 5);
  assert.ok(wds[0]! > 0 && wds[2]! > 0 && wds[4]! > 0, `watched: ${wds}`);
  assert.equal(wds[1], -os.constants.errno.ENOENT);
  assert.equal(wds[3], -os.constants.errno.ENOTDIR, 'IN_ONLYDIR refuses a file');
  assert.deepEqual(typed(lists[0] as (string | Buffer)[]), typed(['x', 'y z', odd]));
  assert.equal(lists[1], -os.constants.errno.ENOENT, 'a path not watched is not read: its watch error stands');
  assert.deepEqual(lists[2], []);
  assert.deepEqual(lists[4], []);
  // Text paths alone go to the addon as one string: the same watches (the kernel's wd of a watched directory) and the same reads.
  const again = await ino.watchChunk(paths.slice(0, 4) as string[], IN.CREATE | IN.ONLYDIR, false);
  assert.deepEqual([...again.wds], [...wds.slice(0, 4)]);
  assert.deepEqual(again.lists.map((l) => (typeof l === 'number' ? l : typed(l))), lists.slice(0, 4).map((l) => (typeof l === 'number' ? l : typed(l))));
  // Joined by the caller (the walk, a listing at a time): the same again; a count that the NULs do not match is refused.
  const joined = await ino.watchChunk({ joined: `${(paths.slice(0, 4) as string[]).join('\0')}\0`, count: 4 }, IN.CREATE | IN.ONLYDIR, false);
  assert.deepEqual([...joined.wds], [...wds.slice(0, 4)]);
  assert.deepEqual(joined.lists.map((l) => (typeof l === 'number' ? l : typed(l))), lists.slice(0, 4).map((l) => (typeof l === 'number' ? l : typed(l))));
  await assert.rejects(() => ino.watchChunk({ joined: `${paths[0]}\0`, count: 2 }, IN.CREATE, false), /EINVAL/);
  // The watches are the instance's own: an entry made now is reported on the loop.
  fs.mkdirSync(path.join(dir, 'leaf', 'new'));
  await waitFor('the create in a directory watched by watchChunk', () => events.some((e) => e.wd === wds[2] && e.name === 'new'));
});

test('watchChunk deeper: on below the paths, breadth first, until the budget; each directory is the next name read, with the deeper mask', async () => {
  const dir = tempDir();
  const { ino, events } = collecting();
  const odd = Buffer.from([0x6f, 0x64, 0x64, 0xff]);
  // The root, then a and b; below a: x and the odd name; below x: deep; below b: y, and a file.
  for (const d of ['a/x/deep', 'b/y']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  fs.mkdirSync(Buffer.concat([Buffer.from(`${dir}/a/`), odd]));
  fs.writeFileSync(path.join(dir, 'b', 'file.txt'), 'x');
  const all = await ino.watchChunk([dir], IN.DELETE, false, { mask: IN.CREATE, budget: 100 });
  // Rebuilt from the lists alone as the walker does it: directory 1 + k is the k-th name read.
  const rebuilt = (listing: typeof all): (string | Buffer)[] => {
    const paths: (string | Buffer)[] = [dir];
    for (let i = 0; i < listing.wds.length; i++) {
      const names = listing.lists[i];
      if (names === undefined || typeof names === 'number') continue;
      for (const name of names) paths.push(typeof name === 'string' && typeof paths[i] === 'string' ? `${paths[i]}/${name}` : Buffer.concat([Buffer.from(paths[i]!), Buffer.from('/'), Buffer.from(name)]));
    }
    return paths;
  };
  const paths = rebuilt(all);
  assert.equal(all.wds.length, 7, `every directory done: ${paths.map(String).join(', ')}`);
  assert.equal(paths.length, 7, 'no name left over');
  assert.ok([...all.wds].every((wd) => wd > 0), `watched: ${all.wds}`);
  assert.ok(paths.some((p) => Buffer.isBuffer(p) && p.includes(odd)), 'the name that is not UTF-8 is walked by its bytes');
  fs.mkdirSync(path.join(dir, 'a', 'x', 'deep', 'seen'));
  fs.writeFileSync(path.join(dir, 'unseen.txt'), '');
  await waitFor('a create below, reported with the deeper mask', () => events.some((e) => e.name === 'seen' && (e.mask & IN.CREATE) !== 0));
  assert.ok(!events.some((e) => e.name === 'unseen.txt'), 'the paths given keep their own mask');
  // The wd the kernel gives each path again is the job's: the job's order is the names' order.
  assert.deepEqual([...ino.addWatches(paths, IN.CREATE)], [...all.wds]);
  // A budget that ends inside a listing: the names after it are left, in order, for the next job.
  const cut = await ino.watchChunk([dir], IN.CREATE, false, { mask: IN.CREATE, budget: 4 });
  assert.deepEqual([...cut.wds], [...all.wds.slice(0, 4)]);
  const read = cut.lists.flatMap((l) => (typeof l === 'number' ? [] : l));
  assert.ok(read.length - 3 >= 2, `the rest of a's and b's names are left: ${read.map(String).join(', ')}`);
  // A budget not above the paths given is the plain chunk.
  const plain = await ino.watchChunk([dir], IN.CREATE, false, { mask: IN.CREATE, budget: 1 });
  assert.equal(plain.wds.length, 1);
});

test('watchChunk: a handle closed while the chunk runs resolves it, and the thread leaves no descriptor behind', async () => {
  const dir = tempDir();
  for (let i = 0; i < 2000; i++) fs.mkdirSync(path.join(dir, `d${i}`));
  const fds = () => fs.readdirSync('/proc/self/fd').length;
  const before = fds();
  const ino = new Inotify({ persistent: false, onBatch: () => {} });
  const paths = Array.from({ length: 2000 }, (_, i) => path.join(dir, `d${i}`));
  const chunk = ino.watchChunk(paths, IN.CREATE, false);
  ino.close();
  const { wds, lists } = await chunk;
  assert.equal(wds.length, 2000);
  assert.equal(lists.length, 2000);
  assert.equal(fds(), before, 'the dup the thread used is closed with the chunk');
  const closed = await ino.watchChunk(paths.slice(0, 2), IN.CREATE, false);
  assert.deepEqual([...closed.wds], [-os.constants.errno.EBADF, -os.constants.errno.EBADF], 'a closed handle watches nothing');
  await assert.rejects(() => ino.watchChunk([`${dir}/a\0b`], IN.CREATE, false), /EINVAL/);
});
