/** The daemon's behaviours behind one interface: started in order, stopped backwards once, and the shutdown's order. */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { render } from '../lib/command/model';
import { parseConfig } from '../lib/config/load';
import type { PathEvent, SyncEvent } from '../lib/events/types';
import { parseFailLogEntries } from '../lib/failLog/file';
import { batchCommands } from '../lib/rsync/batch';
import { commandSettings } from '../lib/rsync/command';
import type { DaemonContext } from '../lib/daemon/context';
import { Behaviours, type Behaviour } from '../lib/daemon/behaviours/behaviour';
import { Crontab } from '../lib/daemon/behaviours/crontab';
import { Shutdown } from '../lib/daemon/behaviours/shutdown';
import { Scope } from '../lib/daemon/scope';
import { DaemonSignals } from '../lib/daemon/signals';
import { GOLDEN_DIR } from './helpers/golden';
import { waitFor } from './helpers/wait';

function recorder(calls: string[], name: string, start: (ctx: DaemonContext) => void | Promise<void> = () => {}): Behaviour {
  return {
    name,
    start: async (ctx) => {
      calls.push(`start ${name}`);
      await start(ctx);
    },
    stop: () => void calls.push(`stop ${name}`),
  };
}

/** Only what Behaviours reads; the behaviours here use nothing else. */
function bareContext(): DaemonContext & { code?: number } {
  const ctx = {
    exited: false,
    code: undefined as number | undefined,
    exit(code: number) {
      ctx.exited = true;
      ctx.code = code;
    },
  };
  return ctx as unknown as DaemonContext & { code?: number };
}

test('behaviours start in order; the stop and the scope stop them backwards, each once', async () => {
  const calls: string[] = [];
  const scope = new Scope();
  const behaviours = new Behaviours(scope);
  await behaviours.start([recorder(calls, 'a'), recorder(calls, 'b'), { name: 'no stop', start: () => void calls.push('start no stop') }, recorder(calls, 'c')], bareContext());
  assert.deepEqual(calls, ['start a', 'start b', 'start no stop', 'start c']);
  await behaviours.stop();
  await scope.close();
  assert.deepEqual(calls.slice(4), ['stop c', 'stop b', 'stop a']);
});

test('a start that throws: it and those before it are stopped by the scope, those after never start', async () => {
  const calls: string[] = [];
  const scope = new Scope();
  const behaviours = new Behaviours(scope);
  const failing = recorder(calls, 'b', () => {
    throw new Error('EACCES');
  });
  await assert.rejects(behaviours.start([recorder(calls, 'a'), failing, recorder(calls, 'c')], bareContext()), /EACCES/);
  assert.deepEqual(await scope.close(), []);
  assert.deepEqual(calls, ['start a', 'start b', 'stop b', 'stop a']);
});

test('a behaviour that ends the daemon (a start-up abandoned) starts no later one', async () => {
  const calls: string[] = [];
  const ctx = bareContext();
  const behaviours = new Behaviours(new Scope());
  await behaviours.start([recorder(calls, 'a', (c) => c.exit(1)), recorder(calls, 'b')], ctx);
  assert.deepEqual(calls, ['start a']);
  assert.equal(ctx.code, 1);
});

test('crontab: a full sync on each tick of its schedule, none after stop', async () => {
  const timers: Array<() => void> = [];
  const clock = { now: () => 0, minuteMs: 60_000, setTimeout: (cb: () => void) => {
      timers.push(cb);
      return { unref() {} };
    }, clearTimeout: () => void timers.splice(0) };
  const synced: string[] = [];
  const crontab = new Crontab();
  const config = { sersync: { crontab: { enabled: true, schedule: { kind: 'minutes', minutes: 5 }, filter: { enabled: false } } }, filter: { enabled: false } };
  const ctx = { options: {}, config, clock, log: { info: () => {} }, fullSync: (reason: string) => synced.push(reason) } as unknown as DaemonContext;
  crontab.start(ctx);
  timers.shift()!();
  timers.shift()!();
  assert.deepEqual(synced, ['crontab', 'crontab']);
  crontab.stop();
  assert.equal(timers.length, 0);
});

function shutdownFixture(calls: string[]) {
  const source = new EventEmitter();
  const signals = new DaemonSignals(() => {}, source);
  const step = (name: string) => () => void calls.push(name);
  const asyncStep = (name: string) => async () => void calls.push(name);
  const ctx = {
    signals,
    stopping: false,
    rsync: { settings: { binary: 'rsync' }, remotes: [] },
    log: { info: () => {}, warn: step('warn') },
    pool: { inFlight: 1, stop: step('pool.stop'), idle: asyncStep('pool.idle'), running: () => {
        calls.push('pool.running');
        return [];
      },
    },
    queue: {
      drain: () => {
        calls.push('queue.drain');
        return [];
      },
    },
    failLog: { path: '/x', append: step('failLog.append') },
    failures: { idle: asyncStep('failures.idle'), flush: step('failures.flush') },
    plugin: { idle: asyncStep('plugin.idle') },
    status: { stop: asyncStep('status.stop') },
    exit: (code: number) => calls.push(`exit ${code}`),
  };
  // A fake: the shutdown reads only these parts.
  return { source, ctx: ctx as unknown as DaemonContext };
}

test('the graceful stop: no more events, the behaviours stopped, then the drain, the last status write, exit 0', async () => {
  const calls: string[] = [];
  const { source, ctx } = shutdownFixture(calls);
  new Shutdown(async () => void calls.push(`behaviours.stop (stopping=${ctx.stopping})`)).start(ctx);
  source.emit('SIGTERM', 'SIGTERM');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(calls, ['behaviours.stop (stopping=true)', 'pool.stop', 'queue.drain', 'failLog.append', 'pool.idle', 'failures.idle', 'plugin.idle', 'failures.flush', 'status.stop', 'exit 0']);
});

test('a second stop signal leaves at once: what runs goes to the fail log, exit 1', () => {
  const calls: string[] = [];
  const { source, ctx } = shutdownFixture(calls);
  // Both signals came during start-up: handed over when the shutdown starts.
  source.emit('SIGTERM', 'SIGTERM');
  source.emit('SIGINT', 'SIGINT');
  new Shutdown(async () => {}).start(ctx);
  assert.deepEqual(calls.slice(-4), ['warn', 'pool.running', 'failLog.append', 'exit 1']);
});

test('batch mode: the graceful stop writes the batch commands that would have run for the queued events, not one per event', async () => {
  const calls: string[] = [];
  const { source, ctx } = shutdownFixture(calls);
  const settings = commandSettings(parseConfig(fs.readFileSync(path.join(GOLDEN_DIR, 'stock-confxml.xml')), '/x.xml').config);
  const remotes = [{ ip: '127.0.0.1', name: 'a' }, { ip: '10.0.0.2', name: 'b' }];
  const queued: SyncEvent[] = ['x', 'y', 'z'].map((p) => ({ kind: 'sync', path: p, isDir: false, cause: 'modified' }));
  const written: string[] = [];
  Object.assign(ctx, { rsync: { settings, remotes, batch: true }, queue: { drain: () => queued }, failLog: { path: '/x', append: (entries: string[]) => written.push(...entries) } });
  new Shutdown(async () => {}).start(ctx);
  source.emit('SIGTERM', 'SIGTERM');
  await waitFor('the exit', () => calls.includes('exit 0'));
  const entries = parseFailLogEntries(written.join(''));
  assert.deepEqual(entries.map((e) => e.header), ['queued at shutdown', 'queued at shutdown'], 'one batch command per remote');
  assert.deepEqual(entries.map((e) => e.command), remotes.map((remote) => render(batchCommands(settings, remote, queued as PathEvent[])[0]!)));
  assert.match(entries[0]!.command, /printf '%s\\0' x y z \| rsync .*--files-from=- .*127\.0\.0\.1::a/);
});
