import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { KERNEL_LIMITS, raiseKernelLimits } from '../lib/daemon/kernelLimits';
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
