/**
 * lsyncd's churn test (tests/churn-rsync.lua with testlib.lua's `churn`), from its published
 * design: 100 initial steps of mkfile/mkdir, the daemon started with -r, then 500 steps of its
 * dice (sleep 50, mkfile 20, mkdir 20, mvdir 20, rmfile 20) from another process, and the real
 * `diff -r` between the local tree and the rsync daemon's module directory as the verdict. In
 * `make soak` (SOAK=1) the sleeps are 1 s as published; in `make test` they are shortened.
 * Each seed runs in compat and in batch mode, and each seed that once failed has a test of its own
 * (named after it); CHURN_SEED=N replays one in both modes. Where the tests run as root, the seeds
 * run on the fanotify watcher too (--watcher fanotify).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { waitFor } from './helpers/wait';
import { fanotifyModes, MODES, runScript, setUpMirror, startDaemon, tearDownMirror, type Mirror } from './helpers/workload';

const SOAK = process.env.SOAK === '1';
const SLEEP_MS = SOAK ? 1000 : 20;
const CONVERGE_MS = SOAK ? 300_000 : 60_000;
const CHURN = path.resolve(__dirname, 'workload/churn.js');
/** Seeds run in both modes; then seeds that once failed, each in the mode it failed in. */
const SEEDS = process.env.CHURN_SEED ? [Number(process.env.CHURN_SEED)] : [5101];
const FAILED: ReadonlyArray<{ seed: number; mode: string; what: string }> = process.env.CHURN_SEED
  ? []
  : [
      { seed: 15, mode: 'compat', what: 'a directory left on the remote' },
      { seed: 23, mode: 'batch', what: 'files missing and a directory left on the remote' },
      { seed: 24, mode: 'batch', what: 'a directory left on the remote' },
      { seed: 31, mode: 'batch', what: 'a file missing' },
      { seed: 33, mode: 'compat', what: 'diff -r not clean' },
      { seed: 35, mode: 'batch', what: 'diff -r not clean' },
    ];

function diffR(a: string, b: string): { status: number | null; out: string } {
  const r = spawnSync('diff', ['-r', a, b], { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

const cases = [
  ...SEEDS.flatMap((seed) => [...MODES, ...fanotifyModes()].map((mode) => ({ seed, mode, title: `churn (lsyncd's design): seed ${seed}, 100 initial steps, -r, 500 steps, diff -r clean (${mode.name})` }))),
  ...FAILED.map(({ seed, mode, what }) => ({ seed, mode: MODES.find((m) => m.name === mode)!, title: `churn regression: seed ${seed} (${mode}) once failed (${what}): diff -r clean` })),
];

for (const { seed, mode, title } of cases) {
  test(title, { timeout: CONVERGE_MS + 600_000 }, async () => {
    let m: Mirror | undefined;
    try {
      m = await setUpMirror(`churn-${mode.name}`);
      const mirror = m;
      await runScript(CHURN, ['--root', m.watch, '--seed', String(seed), '--steps', '100', '--init']);
      await startDaemon(m, ['-r', ...mode.args]);
      const t0 = Date.now();
      const out = await runScript(CHURN, ['--root', m.watch, '--seed', String(seed + 1), '--steps', '500', '--sleep-ms', String(SLEEP_MS)], CONVERGE_MS + 600_000);
      const ended = Date.now();
      let last = diffR(m.watch, m.daemon.dir);
      try {
        await waitFor('diff -r to find no difference', () => {
          last = diffR(mirror.watch, mirror.daemon.dir);
          return last.status === 0;
        }, CONVERGE_MS, 200);
      } finally {
        console.log(`churn: ${mode.name}, seed ${seed}, sleep ${SLEEP_MS} ms, churn ${ended - t0} ms, convergence ${Date.now() - ended} ms, diff -r exit ${last.status}, ${/churn done: (.*)/.exec(out)?.[1] ?? ''}`);
      }
      assert.equal(last.status, 0, `diff -r:\n${last.out.slice(0, 3000)}`);
      assert.equal(m.sersync!.child.exitCode, null, 'the daemon is still running');
    } finally {
      await tearDownMirror(m);
    }
  });
}
