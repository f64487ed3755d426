#!/usr/bin/env node
// Self time by function from a V8 .cpuprofile: sums each node's samples per functionName + url:line.
//   node scripts/cpuprofile-summary.mjs FILE.cpuprofile [TOP=30] [SKIP_MS=0]
// SKIP_MS leaves out the samples of the first SKIP_MS ms (the start-up, before the burst).
import fs from 'node:fs';

const [file, top = '30', skipMs = '0'] = process.argv.slice(2);
if (!file) {
  console.error('usage: cpuprofile-summary.mjs FILE.cpuprofile [TOP]');
  process.exit(2);
}
const p = JSON.parse(fs.readFileSync(file, 'utf8'));
const interval = (p.endTime - p.startTime) / Math.max(1, p.samples.length) / 1000; // ms per sample
// Samples per node id, from the time the profile is past SKIP_MS.
const hits = new Map();
let t = 0;
for (let i = 0; i < p.samples.length; i++) {
  t += p.timeDeltas[i] ?? 0;
  if (t / 1000 >= Number(skipMs)) hits.set(p.samples[i], (hits.get(p.samples[i]) ?? 0) + 1);
}
const self = new Map();
let total = 0;
for (const n of p.nodes) {
  n.hitCount = hits.get(n.id) ?? 0;
  const f = n.callFrame;
  const url = f.url.replace(/^file:\/\//, '').replace(/.*\/(dist|node_modules)\//, '$1/');
  const key = `${f.functionName || '(anonymous)'} ${url}${url ? `:${f.lineNumber + 1}` : ''}`;
  self.set(key, (self.get(key) ?? 0) + (n.hitCount ?? 0));
  total += n.hitCount ?? 0;
}
const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(top));
console.log(`${total} samples, ${(total * interval).toFixed(0)} ms`);
for (const [k, v] of rows) console.log(`${((100 * v) / total).toFixed(1).padStart(5)} %  ${(v * interval).toFixed(0).padStart(6)} ms  ${k}`);
