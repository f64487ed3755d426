/**
 * The queue's and the pool's hot path, measured in this process (issue 20, item 3). Prints one
 * line per figure, the median of --runs runs:
 * - `rm -rf` of a 1,000-directory tree (10 levels of 100 directories, a file in each) while
 *   100,000 events are queued elsewhere: what the 2,000 pushes of its deletes cost;
 * - 100,000 pushes of one burst into a pool of 10 workers: how often the pool looks at the queue;
 * - the large-file test of a 2,000-file batch: the longest the event loop is blocked, and the
 *   time until the sizes are known (the files are made in a temp directory).
 *
 *   node dist/scripts/hot-path.js [--runs 5]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import minimist from 'minimist';
import type { SyncEvent } from '../lib/events/types';
import { EventQueue } from '../lib/queue/queue';
import { largeFileFinder } from '../lib/workers/largeFiles';
import { WorkerPool } from '../lib/workers/pool';

const argv = minimist(process.argv.slice(2), { string: ['runs'] });
const RUNS = Number(argv.runs ?? 5);

const sync = (p: string, isDir = false): SyncEvent => ({ kind: 'sync', path: p, isDir, cause: 'closeWrite' });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The 1,000 directories: 10 top-level chains of 100, depth first as `rm -rf` reports them. */
function treeDirs(): string[] {
  const dirs: string[] = [];
  for (let top = 0; top < 10; top++) {
    let dir = `tree/t${top}`;
    for (let level = 0; level < 100; level++) {
      dirs.push(dir);
      dir += `/d${level}`;
    }
  }
  return dirs;
}

function dirDeleteMs(): number {
  const q = new EventQueue({ settleMs: 0, maxLength: 1_000_000 });
  for (let i = 0; i < 100_000; i++) q.push(sync(`other/${i % 1000}/f${i}`));
  const dirs = treeDirs();
  for (const dir of dirs) q.push(sync(`${dir}/file`));
  const start = performance.now();
  // rm -rf: each directory's file, then the directory itself, deepest first.
  for (const dir of [...dirs].reverse()) {
    q.push({ kind: 'delete', path: `${dir}/file`, isDir: false, cause: 'deleted' });
    q.push({ kind: 'delete', path: dir, isDir: true, cause: 'deleted' });
  }
  const ms = performance.now() - start;
  if (q.length < 100_000) throw new Error(`the deletes dropped unrelated events: ${q.length} left`);
  return ms;
}

async function wakesPerBurst(): Promise<{ looks: number; ms: number }> {
  const q = new EventQueue({ settleMs: 0, maxLength: 1_000_000 });
  let looks = 0;
  const take = q.takeUpTo.bind(q);
  q.takeUpTo = (max, busy) => {
    looks++;
    return take(max, busy);
  };
  const finishers: Array<() => void> = [];
  new WorkerPool(q, 10, () => new Promise<void>((resolve) => finishers.push(resolve)), () => {});
  const start = performance.now();
  for (let i = 0; i < 100_000; i++) q.push(sync(`d${i % 100}/f${i}`));
  await new Promise((resolve) => setImmediate(resolve));
  const ms = performance.now() - start;
  for (const finish of finishers) finish();
  return { looks, ms };
}

async function largeFileCheck(root: string, events: SyncEvent[]): Promise<{ blockMs: number; doneMs: number }> {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const start = performance.now();
  const large = await largeFileFinder(root)(events);
  const doneMs = performance.now() - start;
  delay.disable();
  if (large.size !== 1) throw new Error(`expected the one large file, found ${large.size}`);
  return { blockMs: delay.max / 1e6, doneMs };
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hot-path-'));
  try {
    const events: SyncEvent[] = [];
    for (let i = 0; i < 2000; i++) {
      const rel = `d${i % 20}/f${i}`;
      fs.mkdirSync(path.join(root, `d${i % 20}`), { recursive: true });
      fs.writeFileSync(path.join(root, rel), 'x'.repeat(1024));
      events.push(sync(rel));
    }
    fs.writeFileSync(path.join(root, 'big'), Buffer.alloc(9 * 1024 * 1024));
    events.push(sync('big'));
    const del: number[] = [];
    const wakes: Array<{ looks: number; ms: number }> = [];
    const large: Array<{ blockMs: number; doneMs: number }> = [];
    for (let run = 0; run < RUNS; run++) {
      del.push(dirDeleteMs());
      wakes.push(await wakesPerBurst());
      large.push(await largeFileCheck(root, events));
    }
    console.log(`rm -rf of 1,000 directories with 100,000 events queued: ${median(del).toFixed(1)} ms for its 2,000 pushes`);
    console.log(`100,000 pushes in one turn: the pool looked at the queue ${median(wakes.map((w) => w.looks))} times; ${median(wakes.map((w) => w.ms)).toFixed(0)} ms`);
    console.log(`large-file test of a 2,001-file batch: event loop blocked at most ${median(large.map((l) => l.blockMs)).toFixed(2)} ms; sizes known after ${median(large.map((l) => l.doneMs)).toFixed(1)} ms`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

void main();
