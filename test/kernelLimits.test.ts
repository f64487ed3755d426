import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { INSTANCES_LIMIT, KERNEL_LIMITS, limitsFor, raiseKernelLimits } from '../lib/daemon/kernelLimits';
import { tempDir } from './helpers/tempDir';

function limitFiles(values: number[]) {
  const dir = tempDir('limits-');
  return KERNEL_LIMITS.map((limit, i) => {
    const file = path.join(dir, path.basename(limit.file));
    fs.writeFileSync(file, `${values[i]}\n`);
    return { ...limit, file };
  });
}

test('as root, limits below sersync2\'s values are raised to them, and said so', () => {
  const limits = limitFiles([8192, 1_000_000]);
  const said: string[] = [];
  raiseKernelLimits((m) => said.push(m), limits, true);
  assert.equal(fs.readFileSync(limits[0]!.file, 'utf8').trim(), '50000000');
  // already higher than sersync2's 327679: never lowered
  assert.equal(fs.readFileSync(limits[1]!.file, 'utf8').trim(), '1000000');
  assert.deepEqual(said, ['raised fs.inotify.max_user_watches from 8192 to 50000000']);
});

test('not root: nothing is written, and the operator is told', () => {
  const limits = limitFiles([8192, 16384]);
  const said: string[] = [];
  raiseKernelLimits((m) => said.push(m), limits, false);
  assert.equal(fs.readFileSync(limits[0]!.file, 'utf8').trim(), '8192');
  assert.equal(said.length, 2);
  assert.match(said[0]!, /max_user_watches is 8192 .*not root/);
});

test('several configs in one process (an inotify instance each) raise fs.inotify.max_user_instances too; one config, as sersync2, does not', () => {
  const names = (watcher: 'inotify' | 'fanotify' | 'auto', several: boolean) => limitsFor(watcher, several).map((l) => l.sysctl);
  assert.deepEqual(names('inotify', false), ['fs.inotify.max_user_watches', 'fs.inotify.max_queued_events']);
  assert.deepEqual(names('inotify', true), ['fs.inotify.max_user_watches', 'fs.inotify.max_queued_events', 'fs.inotify.max_user_instances']);
  assert.deepEqual(names('auto', true), ['fs.inotify.max_user_watches', 'fs.inotify.max_queued_events', 'fs.fanotify.max_queued_events', 'fs.inotify.max_user_instances']);
  assert.equal(INSTANCES_LIMIT.file, '/proc/sys/fs/inotify/max_user_instances');
  assert.equal(INSTANCES_LIMIT.value, 8192);
});
