/**
 * Workloads we did not write: workload/generator.ts runs as its own process at full speed
 * (synchronous calls, no yield, no rescan) against the real bin/sersync2, the kernel's inotify
 * and a real `rsync --daemon`; the remote tree must then equal the local one. Each seed below
 * runs in compat mode and in batch mode (--batch), and in both again on the fanotify watcher where
 * the tests run as root; its mix decides what it does. `make soak`
 * (SOAK=1) runs 20,000 operations per seed and mode.
 * Figures are printed as `# workload: ...` lines. To replay one case:
 *   WORKLOAD_SEED=N WORKLOAD_MIX=deep WORKLOAD_OPS=3000 node --test dist/test/workload.test.js
 */
import { test } from 'node:test';
import { fanotifyModes, MODES, workloadConverges, type WorkloadCase } from './helpers/workload';

const SOAK = process.env.SOAK === '1';
// Compat mode runs one rsync per event: 20,000 of them take a while on 2 cores.
const CONVERGE_MS = SOAK ? 3_600_000 : 240_000;

/**
 * One seed per mix (printed in each test's name). `compatOps`: what `make test` runs in compat
 * mode; the shortest case, 3,000 plain mkdir calls, runs whole.
 */
const SEEDS: ReadonlyArray<WorkloadCase & { compatOps?: number }> = [
  { seed: 1301, mix: 'mkdir', ops: 3000, compatOps: 3000 },
  { seed: 1302, mix: 'deep', ops: 3000 },
  { seed: 1303, mix: 'churn', ops: 3000 },
  { seed: 1304, mix: 'renames', ops: 3000 },
  { seed: 1305, mix: 'inout', ops: 3000 },
  { seed: 1306, mix: 'all', ops: 3000 },
];

const replay = process.env.WORKLOAD_SEED
  ? [{ seed: Number(process.env.WORKLOAD_SEED), mix: process.env.WORKLOAD_MIX ?? 'all', ops: Number(process.env.WORKLOAD_OPS ?? 3000) }]
  : undefined;
const allModes = [...MODES, ...fanotifyModes()];
const modes = process.env.WORKLOAD_MODE ? allModes.filter((m) => m.name === process.env.WORKLOAD_MODE) : allModes;
/**
 * Compat mode runs one rsync per event: 3,000 operations take about 170 s to converge on 2 shared
 * cores (batch mode: 2-4 s). So `make test` runs most compat seeds shorter (WORKLOAD_COMPAT_OPS,
 * default 500); `make soak` runs every seed with 20,000 in both modes.
 */
const COMPAT_OPS = Number(process.env.WORKLOAD_COMPAT_OPS ?? 500);
const opsFor = (c: (typeof SEEDS)[number], mode: string) => (replay ? c.ops : SOAK ? 20_000 : mode.startsWith('compat') ? (c.compatOps ?? Math.min(c.ops, COMPAT_OPS)) : c.ops);
const cases: ReadonlyArray<(typeof SEEDS)[number]> = replay ?? SEEDS;

for (const seed of cases) {
  for (const mode of modes) {
    const c: WorkloadCase = { seed: seed.seed, mix: seed.mix, ops: opsFor(seed, mode.name) };
    test(`workload: seed ${c.seed}, mix ${c.mix}, ${c.ops} operations from another process converge (${mode.name})`, { timeout: CONVERGE_MS + 300_000 }, () => workloadConverges(c, mode, CONVERGE_MS));
  }
}
