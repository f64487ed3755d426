/** The daemon's behaviours behind one interface: started in order, stopped backwards once, by the scope (the shutdown: shutdown.test.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DaemonContext } from '../lib/daemon/context';
import { Behaviours, type Behaviour } from '../lib/daemon/behaviours/behaviour';
import { Crontab } from '../lib/daemon/behaviours/crontab';
import { Scope } from '../lib/daemon/scope';

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

test('behaviours start in order; the scope stops them backwards, each once, before what it opened earlier', async () => {
  const calls: string[] = [];
  const scope = new Scope();
  scope.add('workers', 'pool', { intake: () => void calls.push('stop workers') });
  const behaviours = new Behaviours(scope);
  await behaviours.start([recorder(calls, 'a'), recorder(calls, 'b'), { name: 'no stop', start: () => void calls.push('start no stop') }, recorder(calls, 'c')], bareContext());
  assert.deepEqual(calls, ['start a', 'start b', 'start no stop', 'start c']);
  await scope.close();
  await scope.close();
  assert.deepEqual(calls.slice(4), ['stop c', 'stop b', 'stop a', 'stop workers']);
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
