/** Batch mode's large-file test (lib/workers/largeFiles.ts over native/sizes.c), on real files. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { PathEvent } from '../lib/events/types';
import { largeFileFinder } from '../lib/workers/largeFiles';
import { tempDir } from './helpers/tempDir';

const sync = (p: string | Buffer, isDir = false): PathEvent => ({ kind: 'sync', path: p, isDir, cause: 'closeWrite' });

test('large files: regular files at or over the threshold, by lstat under the root; gone, small, links and directories are not', async () => {
  const root = tempDir('large-');
  fs.mkdirSync(path.join(root, 'd'));
  fs.writeFileSync(path.join(root, 'd', 'big'), Buffer.alloc(1000));
  fs.writeFileSync(path.join(root, 'exact'), Buffer.alloc(600));
  fs.writeFileSync(path.join(root, 'small'), Buffer.alloc(599));
  fs.symlinkSync(path.join(root, 'd', 'big'), path.join(root, 'link'));
  const raw = Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9])]);
  fs.writeFileSync(Buffer.concat([Buffer.from(`${root}/`), raw]), Buffer.alloc(700));
  const events = [sync('small'), sync('d/big'), sync('gone'), sync('link'), sync('d', true), sync('exact'), sync(raw), { kind: 'delete', path: 'd/big', isDir: false, cause: 'deleted' } as const];
  const large = await largeFileFinder(root, 600)(events);
  assert.deepEqual([...large].map((e) => (e.kind === 'full' ? '' : Buffer.from(e.path).toString('hex'))).sort(), [Buffer.from('d/big'), Buffer.from('exact'), raw].map((b) => b.toString('hex')).sort());
  assert.ok([...large].every((e) => events.includes(e as PathEvent)), 'the very event objects, so the pool can pick them out');
});

test('large files: a root that cannot be opened makes nothing large; a batch without files costs no call', async () => {
  const root = tempDir('large-');
  assert.equal((await largeFileFinder(path.join(root, 'missing'), 1)([sync('x')])).size, 0);
  assert.equal((await largeFileFinder(root, 1)([sync('d', true), { kind: 'full', reason: 'crontab' }])).size, 0);
});
