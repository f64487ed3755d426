/** bench/pss.ts: PSS and RSS read from the kernel's smaps_rollup, summed over process trees. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { footprint, rollupKb } from '../bench/pss';

test('the Rss and Pss lines are read in kB; a text without them is no figure', () => {
  assert.deepEqual(rollupKb('55c4-7fff ---p 00000000 00:00 0 [rollup]\nRss:                1772 kB\nPss:                 479 kB\nPss_Dirty:           112 kB\n'), { rss: 1772, pss: 479 });
  assert.equal(rollupKb(''), undefined);
});

test('this process has a footprint, PSS no more than RSS; a gone process has none', () => {
  const f = footprint([process.pid]);
  assert.ok(f && f.processes >= 1 && f.pssMb > 0 && f.pssMb <= f.rssMb, JSON.stringify(f));
  assert.equal(footprint([2 ** 22 + 1]), undefined);
});
