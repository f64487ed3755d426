/**
 * Workloads we did not write: test/workload/generator.ts runs as its own process at full speed
 * (synchronous calls, no yield, no rescan) against the real bin/sersync2, the kernel's inotify
 * and a real `rsync --daemon`; the remote tree must then equal the local one. Each seed below
 * runs in compat mode and in batch mode (--batch); its mix decides what it does. `make soak`
 * (SOAK=1) runs 20,000 operations per mix.
 * Figures are printed as `# workload: ...` lines. To replay one case:
 *   WORKLOAD_SEED=N WORKLOAD_MIX=deep WORKLOAD_OPS=3000 node --test dist/test/workload.test.js
 */
import { test } from 'node:test';
import { MODES, workloadConverges, type WorkloadCase } from './helpers/workload';

const SOAK = process.env.SOAK === '1';
const CONVERGE_MS = SOAK ? 600_000 : 90_000;


/** One seed per mix (printed in each test's name); `make soak` runs each with 20,000 operations. */
const SEEDS: readonly WorkloadCase[] = [
  { seed: 1301, mix: 'mkdir', ops: 3000 },
  { seed: 1302, mix: 'deep', ops: 3000 },
  { seed: 1303, mix: 'churn', ops: 3000 },
  { seed: 1304, mix: 'renames', ops: 3000 },
  { seed: 1305, mix: 'inout', ops: 3000 },
  { seed: 1306, mix: 'all', ops: 3000 },
];

const replay = process.env.WORKLOAD_SEED
  ? [{ seed: Number(process.env.WORKLOAD_SEED), mix: process.env.WORKLOAD_MIX ?? 'all', ops: Number(process.env.WORKLOAD_OPS ?? 3000) }]
  : undefined;
const cases = replay ?? SEEDS.map((c) => (SOAK ? { ...c, ops: 20_000 } : c));
const modes = process.env.WORKLOAD_MODE ? MODES.filter((m) => m.name === process.env.WORKLOAD_MODE) : MODES;

for (const c of cases) {
  for (const mode of modes) {
    test(`workload: seed ${c.seed}, mix ${c.mix}, ${c.ops} operations from another process converge (${mode.name})`, { timeout: CONVERGE_MS + 300_000 }, () => workloadConverges(c, mode, CONVERGE_MS));
  }
}
