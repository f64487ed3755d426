/**
 * Storms: seeded random file operations at full speed against the real bin/sersync2, the
 * kernel's inotify and a real `rsync --daemon`; afterwards the remote tree must equal the local
 * one (missing, extra and differing all 0). `make test` runs a small storm; `make soak`
 * (SOAK=1) runs 20,000 operations, in per-event mode and in batch mode (`--batch`). Also: the
 * remote killed and restarted mid-storm, and our process killed with SIGKILL mid-storm and
 * restarted with -r: both converge with no operator.
 * Figures are printed as `# storm: ...` lines.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { writeConfig } from './helpers/config';
import { startRsyncDaemon, type RsyncDaemon } from './helpers/rsyncd';
import { withQueuedEventsLimit } from './helpers/queuedEventsLimit';
import { startSersync, type RunningSersync } from './helpers/sersync';
import { diffTrees, listTree, snapshot } from './helpers/tree';
import { waitFor } from './helpers/wait';
import { rng } from '../workload/rng';

const SOAK = process.env.SOAK === '1';
const OPS = Number(process.env.STORM_OPS ?? (SOAK ? 20_000 : 800));
const SEED = Number(process.env.STORM_SEED ?? 20261123);
const CONVERGE_MS = SOAK ? 600_000 : 60_000;

/** What sersync2's rules never sync: files named .x, x~ or 4913. The generator avoids them anyway. */
const skippedByRules = (name: Buffer, isDir: boolean) => !isDir && (name[0] === 0x2e || name[name.length - 1] === 0x7e || name.toString() === '4913');

interface Storm {
  readonly root: string;
  readonly watch: string;
  readonly outside: string;
  readonly daemon: RsyncDaemon;
  readonly config: string;
  /** The flags before `-o CONFIG` (e.g. `--batch`), kept for a restart. */
  readonly args: readonly string[];
  sersync: RunningSersync;
  peakRss: number;
}

interface SetUpOptions {
  /** Lower fs.inotify.max_queued_events to this while sersync2 starts (forces overflows). */
  readonly queuedEventsLimit?: number;
  /** Extra flags for bin/sersync2, before `-o CONFIG`. */
  readonly args?: readonly string[];
}

async function setUp(name: string, { queuedEventsLimit, args = [] }: SetUpOptions = {}): Promise<Storm> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `storm-${name}-`));
  const watch = path.join(root, 'w');
  const outside = path.join(root, 'outside');
  fs.mkdirSync(watch);
  fs.mkdirSync(outside);
  const daemon = await startRsyncDaemon(root);
  const config = writeConfig(path.join(root, 'confxml.xml'), { watch, failLog: path.join(root, 'fail.sh'), port: daemon.port });
  const start = () => startSersync([...args, '-o', config]);
  // The kernel takes max_queued_events when the inotify instance is created, during start-up.
  const sersync = queuedEventsLimit ? await withQueuedEventsLimit(queuedEventsLimit, start) : await start();
  return { root, watch, outside, daemon, config, args, sersync, peakRss: 0 };
}

async function tearDown(s: Storm | undefined): Promise<void> {
  if (!s) return;
  await s.sersync.stop();
  await s.daemon.stop();
  fs.rmSync(s.root, { recursive: true, force: true });
}

/** The daemon's peak resident set (VmHWM, kB), read before it exits. */
function sampleRss(s: Storm): void {
  try {
    const status = fs.readFileSync(`/proc/${s.sersync.child.pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    s.peakRss = Math.max(s.peakRss, kb);
  } catch {
    // gone
  }
}

/** Names are never reused, across storms too (a reused name could be an overwrite of equal size). */
let serial = 0;

/** Runs `ops` random operations; `midway` runs once, half-way through. Returns the op count done. */
async function storm(s: Storm, ops: number, seed: number, midway?: () => Promise<void>): Promise<number> {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T | undefined => (xs.length ? xs[Math.floor(rand() * xs.length)] : undefined);
  const fresh = (prefix: string) => `${prefix}${(serial++).toString(36)}`;
  let dirs: string[] = [''];
  let files: string[] = [];
  const rescan = () => ({ dirs, files } = listTree(s.watch));
  const abs = (rel: string) => path.join(s.watch, rel);
  const content = (n: number) => Buffer.from(`${seed}:${serial}:`.padEnd(n, 'x'));
  let done = 0;
  for (let i = 0; i < ops; i++) {
    if (midway && i === Math.floor(ops / 2)) await midway();
    if (i % 200 === 0) {
      sampleRss(s);
      // Yield now and then so the test process's own timers (and the child's pipes) keep up.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const r = rand();
    const dir = pick(dirs)!;
    const file = pick(files);
    try {
      if (r < 0.22) {
        const f = dir ? `${dir}/${fresh('f')}.txt` : `${fresh('f')}.txt`;
        fs.writeFileSync(abs(f), content(1 + Math.floor(rand() * 300)));
        files.push(f);
      } else if (r < 0.32 && file) {
        fs.appendFileSync(abs(file), content(1 + Math.floor(rand() * 50)));
      } else if (r < 0.42 && file) {
        // Overwrite with a different size: rsync's quick check (size + mtime) must see it.
        const size = fs.statSync(abs(file)).size;
        fs.writeFileSync(abs(file), content(size + 1 + Math.floor(rand() * 40)));
      } else if (r < 0.52 && file) {
        const to = `${dir ? `${dir}/` : ''}${fresh('r')}.txt`;
        fs.renameSync(abs(file), abs(to));
        files = files.filter((f) => f !== file);
        files.push(to);
      } else if (r < 0.58 && file) {
        fs.rmSync(abs(file));
        files = files.filter((f) => f !== file);
      } else if (r < 0.68) {
        const depth = 1 + Math.floor(rand() * 5);
        const parts = Array.from({ length: depth }, () => fresh('d'));
        const deep = dir ? `${dir}/${parts.join('/')}` : parts.join('/');
        fs.mkdirSync(abs(deep), { recursive: true });
        if (rand() < 0.7) fs.writeFileSync(abs(`${deep}/${fresh('f')}.txt`), content(10));
        rescan();
      } else if (r < 0.73 && dir) {
        // Directory rename, possibly across parents.
        const parent = pick(dirs.filter((d) => d !== dir && !d.startsWith(`${dir}/`)))!;
        fs.renameSync(abs(dir), abs(parent ? `${parent}/${fresh('m')}` : fresh('m')));
        rescan();
      } else if (r < 0.77 && dir) {
        fs.rmSync(abs(dir), { recursive: true });
        rescan();
      } else if (r < 0.81) {
        // Move out of the tree (a file or a subtree).
        const what = rand() < 0.5 ? file : dir || file;
        if (!what) continue;
        fs.renameSync(abs(what), path.join(s.outside, fresh('out')));
        rescan();
      } else if (r < 0.87) {
        // Move in: a file or a small tree prepared outside.
        const name = fresh('in');
        const src = path.join(s.outside, name);
        if (rand() < 0.5) fs.writeFileSync(src, content(20));
        else {
          fs.mkdirSync(path.join(src, 'a', 'b'), { recursive: true });
          fs.writeFileSync(path.join(src, 'a', 'b', 'z.txt'), content(30));
        }
        fs.renameSync(src, abs(dir ? `${dir}/${name}` : name));
        rescan();
      } else if (r < 0.92) {
        fs.symlinkSync(rand() < 0.5 && file ? path.relative(path.dirname(abs(`${dir}/x`)), abs(file)) : `/nowhere/${fresh('t')}`, abs(dir ? `${dir}/${fresh('l')}` : fresh('l')));
      } else {
        const f = dir ? `${dir}/${fresh('f')}.dat` : `${fresh('f')}.dat`;
        fs.writeFileSync(abs(f), content(1 + Math.floor(rand() * 2000)));
        files.push(f);
      }
      done++;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'EINVAL' && code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOTDIR' && code !== 'EISDIR') throw error;
      rescan();
    }
  }
  return done;
}

async function converge(s: Storm, label: string, ops: number, t0: number): Promise<void> {
  let last = { missing: [] as string[], extra: [] as string[], differing: [] as string[] };
  const ended = Date.now();
  try {
    await waitFor(`${label} to converge`, () => {
      sampleRss(s);
      last = diffTrees(snapshot(s.watch, skippedByRules), snapshot(s.daemon.dir));
      return last.missing.length + last.extra.length + last.differing.length === 0;
    }, CONVERGE_MS, SOAK ? 500 : 100);
  } finally {
    const entries = snapshot(s.watch, skippedByRules).size;
    console.log(`storm: ${label}: seed ${SEED}, ops ${ops}, entries ${entries}, missing ${last.missing.length}, extra ${last.extra.length}, differing ${last.differing.length}, storm ${ended - t0} ms, convergence ${Date.now() - ended} ms, peak RSS ${Math.round(s.peakRss / 1024)} MiB`);
  }
  assert.deepEqual({ missing: last.missing.slice(0, 20), extra: last.extra.slice(0, 20), differing: last.differing.slice(0, 20) }, { missing: [], extra: [], differing: [] });
}

test(`storm: ${OPS} random operations converge`, { timeout: CONVERGE_MS + 300_000 }, async () => {
  let s: Storm | undefined;
  try {
    s = await setUp('plain');
    const t0 = Date.now();
    const ops = await storm(s, OPS, SEED);
    await converge(s, 'plain', ops, t0);
    assert.equal(s.sersync.child.exitCode, null, 'the daemon is still running');
  } finally {
    await tearDown(s);
  }
});

test(`storm: ${OPS} random operations converge in batch mode (--batch)`, { timeout: CONVERGE_MS + 300_000 }, async () => {
  let s: Storm | undefined;
  try {
    s = await setUp('batch', { args: ['--batch'] });
    const t0 = Date.now();
    const ops = await storm(s, OPS, SEED);
    await converge(s, 'batch', ops, t0);
    assert.match(s.sersync.stdout(), /batch mode: events settle for/, 'batch mode was on');
    assert.equal(s.sersync.child.exitCode, null, 'the daemon is still running');
  } finally {
    await tearDown(s);
  }
});

test('storm: the remote rsync daemon killed and restarted mid-storm converges', { timeout: CONVERGE_MS + 300_000 }, async () => {
  let s: Storm | undefined;
  try {
    s = await setUp('remote');
    const st = s;
    const t0 = Date.now();
    const ops = await storm(st, Math.min(OPS, 2000), SEED + 1, async () => {
      await st.daemon.stop();
      // Keep storming while it is down: those commands fail and must be retried.
      await storm(st, 150, SEED + 2);
      await st.daemon.restart();
    });
    await converge(st, 'remote killed', ops, t0);
    assert.equal(st.sersync.child.exitCode, null);
  } finally {
    await tearDown(s);
  }
});

test('storm: sersync2 killed with SIGKILL mid-storm and restarted with -r converges', { timeout: CONVERGE_MS + 300_000 }, async () => {
  let s: Storm | undefined;
  try {
    s = await setUp('kill9');
    const st = s;
    const t0 = Date.now();
    // Killed while its queue is still full of the storm's events, then more changes while
    // nothing watches: only the -r full sync at restart can recover them (no later operation
    // touches them), so this fails if -r or the restart does not do its job.
    let ops = await storm(st, Math.min(OPS, 2000), SEED + 3);
    const exited = st.sersync.exited();
    process.kill(st.sersync.child.pid!, 'SIGKILL');
    await exited;
    ops += await storm(st, 150, SEED + 4);
    st.peakRss = 0;
    st.sersync = await startSersync(['-r', ...st.args, '-o', st.config]);
    await converge(st, 'sigkill + -r', ops, t0);
    assert.equal(st.sersync.child.exitCode, null);
  } finally {
    await tearDown(s);
  }
});

test('storm: with a 16-event kernel queue, overflows are forced and it still converges', { timeout: CONVERGE_MS + 300_000, skip: process.getuid?.() !== 0 ? 'needs root to lower max_queued_events' : false }, async () => {
  let s: Storm | undefined;
  try {
    s = await setUp('overflow', { queuedEventsLimit: 16 });
    const t0 = Date.now();
    const ops = await storm(s, Math.min(OPS, 2000), SEED + 5);
    await converge(s, 'overflow', ops, t0);
    assert.match(s.sersync.stdout(), /inotify queue overflow/, 'the overflow happened');
  } finally {
    await tearDown(s);
  }
});
