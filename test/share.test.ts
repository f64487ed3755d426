/**
 * The work share (lib/workers/share.ts) on a clock the test moves, and two worker pools on it
 * whose jobs end when the test says: a long backlog is held to one command while a short one is
 * cleared, and runs its full -n again once that one is done or has stopped being a burst.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SyncEvent } from '../lib/events/types';
import { EventQueue } from '../lib/queue/queue';
import { WorkerPool } from '../lib/workers/pool';
import { LOAD_WINDOW_MS, type Seat, WorkShare } from '../lib/workers/share';

const sync = (path: string): SyncEvent => ({ kind: 'sync', path, isDir: false, cause: 'modified' });
const turn = () => new Promise((resolve) => setImmediate(resolve));

/** A share on a clock moved by hand, and seats whose backlog and jobs the test sets. */
function fixture() {
  let now = 0;
  const share = new WorkShare(() => now);
  /** A seat of `threads` workers with this backlog and these jobs running. */
  const seat = (threads: number, backlog = 0, jobs = 0) => {
    const state = { backlog, woken: 0 };
    const s: Seat = share.join(threads, () => state.backlog, () => state.woken++);
    s.set(jobs);
    return { s, state };
  };
  return { share, seat, advance: (ms: number) => (now += ms) };
}

test('alone in its process, an instance is never held, whatever its backlog', () => {
  const { seat } = fixture();
  const a = seat(10, 5000, 10);
  assert.equal(a.s.allowed(), 10);
});

test('a storm is held to one command while a burst half its size or less has work; woken when the burst is done', () => {
  const { seat } = fixture();
  const storm = seat(10);
  const burst = seat(10);
  storm.state.backlog = 400;
  storm.s.set(10);
  assert.equal(storm.s.allowed(), 10, 'nobody else has work');
  burst.state.backlog = 200;
  assert.equal(storm.s.allowed(), 1);
  assert.equal(burst.s.allowed(), 10, 'the short backlog is never held by the long one');
  burst.s.set(10);
  storm.s.set(3);
  assert.equal(storm.state.woken, 0);
  burst.state.backlog = 0;
  burst.s.set(0);
  assert.equal(storm.state.woken, 1, 'woken once the burst has nothing left');
  assert.equal(storm.s.allowed(), 10);
});

test('the time held adds up over holds, and stops growing once released (the status file\'s heldSeconds)', () => {
  const { seat, advance } = fixture();
  const storm = seat(10, 1000, 1);
  const burst = seat(10, 10, 1);
  assert.equal(storm.s.allowed(), 1);
  advance(300);
  assert.equal(storm.s.heldSeconds(), 0.3, 'counted while the hold lasts');
  burst.state.backlog = 0;
  burst.s.set(0);
  assert.equal(storm.state.woken, 1);
  advance(500);
  assert.equal(storm.s.heldSeconds(), 0.3, 'not while it runs its -n');
  burst.state.backlog = 10;
  assert.equal(storm.s.allowed(), 1);
  advance(200);
  assert.equal(storm.s.heldSeconds(), 0.5, 'a second hold adds to the first');
  assert.equal(burst.s.heldSeconds(), 0, 'the short backlog was never held');
});

test('backlogs within a factor of two: nobody is held', () => {
  const { seat } = fixture();
  const a = seat(10, 300, 10);
  const b = seat(10, 151, 10);
  assert.equal(a.s.allowed(), 10);
  assert.equal(b.s.allowed(), 10);
});

test('a held instance with nothing running may start one: the storm never stops', () => {
  const { seat } = fixture();
  const storm = seat(10, 1000);
  seat(10, 10, 5);
  assert.equal(storm.s.allowed(), 1, 'with none running, one may start');
  storm.s.set(1);
  assert.equal(storm.s.allowed(), 1);
});

test('a "burst" busy for most of the last seconds is a load of its own: the hold ends without a command ending', async () => {
  const { seat, advance } = fixture();
  const storm = seat(10, 1000, 10);
  seat(10, 20, 10);
  assert.equal(storm.s.allowed(), 1);
  // Busy since t=0: its average passes 1/2 at LOAD_WINDOW_MS × ln 2.
  advance(LOAD_WINDOW_MS * Math.LN2 * 0.9);
  assert.equal(storm.s.allowed(), 1);
  advance(LOAD_WINDOW_MS * Math.LN2 * 0.2);
  // The recheck timer (100 ms, unref'd) wakes the held one though no job started or ended.
  const deadline = Date.now() + 2000;
  while (storm.state.woken === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(storm.state.woken, 1, 'woken by the recheck');
  assert.equal(storm.s.allowed(), 10);
});

test('light instances taking turns hold a storm at most about half of the last seconds', () => {
  const { seat, advance } = fixture();
  const storm = seat(10, 1000, 1);
  const lights = [seat(10), seat(10), seat(10), seat(10)];
  let heldMs = 0;
  let freeMs = 0;
  // Each light one has work for a quarter of a window, then the next: none is ever busy for long.
  for (let step = 0; step < 400; step++) {
    const light = lights[Math.floor(step / 25) % lights.length]!;
    for (const l of lights) {
      l.state.backlog = l === light ? 20 : 0;
      l.s.set(l === light ? 5 : 0);
    }
    if (storm.s.allowed() === 1) heldMs += LOAD_WINDOW_MS / 100;
    else freeMs += LOAD_WINDOW_MS / 100;
    advance(LOAD_WINDOW_MS / 100);
  }
  assert.ok(heldMs > 0, 'held at first');
  const share = heldMs / (heldMs + freeMs);
  assert.ok(share > 0.4 && share < 0.6, `held ${Math.round(share * 100)} % of the time`);
});

test('an instance that stops leaves the share: what it held runs again', () => {
  const { seat } = fixture();
  const storm = seat(10, 1000, 4);
  const burst = seat(10, 10, 2);
  assert.equal(storm.s.allowed(), 1);
  burst.s.leave();
  assert.equal(storm.state.woken, 1);
  assert.equal(storm.s.allowed(), 10);
});

/** A pool on `share` whose started jobs wait for `finish(i)`. */
function pool(share: WorkShare, threads: number) {
  const queue = new EventQueue({ settleMs: 0 });
  const started: string[] = [];
  const finishers: Array<() => void> = [];
  const p = new WorkerPool(queue, threads, (job) => {
    started.push(job.map((e) => (e.kind === 'full' ? 'FULL' : String(e.path))).join(','));
    return new Promise<void>((resolve) => finishers.push(resolve));
  }, (error) => assert.fail(String(error)), undefined, share);
  return { p, queue, started, finish: (i: number) => finishers[i]!() };
}

test('two pools on one share: the storm starts nothing new while the burst runs, then takes its -n again', async () => {
  const share = new WorkShare();
  const storm = pool(share, 4);
  const burst = pool(share, 4);
  for (let i = 0; i < 40; i++) storm.queue.push(sync(`s${i}`));
  await turn();
  assert.equal(storm.p.inFlight, 4);
  for (let i = 0; i < 3; i++) burst.queue.push(sync(`b${i}`));
  await turn();
  assert.equal(burst.p.inFlight, 3, 'the burst starts at once, beside the storm');
  // The storm's running commands end; it starts no second one while the burst has work.
  for (let i = 0; i < 4; i++) storm.finish(i);
  await turn();
  await turn();
  assert.equal(storm.p.inFlight, 1, 'held to one');
  assert.equal(storm.started.length, 5);
  for (let i = 0; i < 3; i++) burst.finish(i);
  await turn();
  await turn();
  assert.equal(burst.p.inFlight, 0);
  assert.equal(storm.p.inFlight, 4, 'the storm takes its four workers again');
  storm.p.stop();
  burst.p.stop();
});
