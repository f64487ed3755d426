/** bench/child.ts: the markers found in a tool's output, and what finding them costs the machine the tool runs on. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { startProcess } from '../bench/child';
import { Cleanup } from '../bench/cleanup';
import { tempDir } from './helpers/tempDir';

const tempPrefix = () => path.join(tempDir('bench-child-'), 'tool');

test('20 markers of one process are found by one reader: the output is read once a poll, not once per marker', async (t) => {
  const cleanup = new Cleanup();
  t.after(() => cleanup.closeAll());
  // As 20 configs in one process print their lines, one every 10 ms; then it keeps running.
  const script = 'for i in $(seq 10 29); do echo "[i$i] watch path is: /x"; sleep 0.01; done; exec sleep 30';
  const proc = startProcess(cleanup, '/bin/sh', ['-c', script], { logPrefix: tempPrefix() });
  const markers = Array.from({ length: 20 }, (_, k) => proc.marker('stdout', `[i${k + 10}] watch path is: `));
  const read = fs.readSync;
  let reads = 0;
  fs.readSync = ((...args: Parameters<typeof fs.readSync>) => {
    reads++;
    return read(...args);
  }) as typeof fs.readSync;
  const t0 = performance.now();
  let times: number[];
  try {
    times = await Promise.all(markers.map((m) => m.wait(10_000)));
  } finally {
    fs.readSync = read;
  }
  const polls = (performance.now() - t0) / 2;
  assert.ok(times.every((ms, k) => k === 0 || ms >= times[k - 1]!), `in the order printed: ${times.map((ms) => ms.toFixed(0)).join(' ')}`);
  // A poll reads stdout and stderr, each until a read returns nothing: 2 to 4 reads. One read per
  // waiting marker as well would be 40 or more per 2 ms.
  assert.ok(reads / polls < 8, `${reads} reads in ${polls.toFixed(0)} polls' time`);
});

test('a marker printed just before the exit is found; one never printed rejects, naming the exit', async (t) => {
  const cleanup = new Cleanup();
  t.after(() => cleanup.closeAll());
  const last = startProcess(cleanup, '/bin/sh', ['-c', 'echo "watch path is: /x"; exit 3'], { logPrefix: tempPrefix() });
  const found = last.marker('stdout', 'watch path is: ');
  assert.ok((await found.wait(10_000)) >= 0);
  const never = startProcess(cleanup, '/bin/sh', ['-c', 'echo other; exit 4'], { logPrefix: tempPrefix() });
  await assert.rejects(never.marker('stdout', 'watch path is: ').wait(10_000), /exited with 4 before printing "watch path is: "/);
});
