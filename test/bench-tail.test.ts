/** bench/tail.ts: when each entry first arrived, and the median and last arrival after the workload. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Arrivals } from '../bench/tail';

const fp = (entries: Record<string, string>) => new Map(Object.entries(entries));

test('an entry arrives at the first poll that sees it right, and stays arrived', () => {
  const local = fp({ a: 'd', 'a/f': 'f:3', b: 'l:x' });
  const arrivals = new Arrivals();
  arrivals.see(local, fp({ a: 'd', 'a/f': 'f:1' }), 1000);
  assert.equal(arrivals.tail(local, 1000), undefined, 'not all there yet');
  arrivals.see(local, fp({ a: 'd', 'a/f': 'f:3' }), 1500);
  // a/f goes wrong again later: its first right sighting counts.
  arrivals.see(local, fp({ a: 'd', 'a/f': 'f:2', b: 'l:x' }), 4000);
  const t = arrivals.tail(local, 1000);
  assert.deepEqual(t, { medianS: 0.5, lastS: 3, gapS: 2.5, entries: 3 });
});

test('extra or wrong remote entries do not arrive', () => {
  const local = fp({ a: 'f:1' });
  const arrivals = new Arrivals();
  arrivals.see(local, fp({ a: 'd', z: 'f:1' }), 10);
  assert.equal(arrivals.tail(local, 0), undefined);
});

test('entries right at the first poll count as arriving at the end of the workload, not before', () => {
  const local = fp({ a: 'd', b: 'd', c: 'd', d: 'd' });
  const arrivals = new Arrivals();
  arrivals.see(local, fp({ a: 'd', b: 'd', c: 'd' }), 900);
  arrivals.see(local, local, 3000);
  // Nearest rank: the median of four is the second; it arrived "at" the end (900 < 1000).
  assert.deepEqual(arrivals.tail(local, 1000), { medianS: 0, lastS: 2, gapS: 2, entries: 4 });
});

test('an empty tree has a zero tail', () => {
  assert.deepEqual(new Arrivals().tail(new Map(), 5), { medianS: 0, lastS: 0, gapS: 0, entries: 0 });
});
