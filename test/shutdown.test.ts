/**
 * The stop on real parts: the daemon's own queue, pool, runner, fail log, retries, status and
 * watcher (kernel inotify), started as bin/sersync2 starts them (startDaemon), its signals from
 * an emitter. The rsync found on
 * PATH is a script that says it started and then waits on a fifo the test opens: a command that
 * runs exactly as long as the test wants, with no sleep.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parseArgs } from '../lib/cli/args';
import { startDaemon } from '../lib/daemon/run';
import { type Phase, Scope, type Step } from '../lib/daemon/scope';
import { createLogger } from '../lib/log/logger';
import { configWorkspace } from './helpers/config';
import { waitFor } from './helpers/wait';

/** A scope that counts how often each of its steps runs. */
class CountingScope extends Scope {
  constructor(readonly runs = new Map<string, number>()) {
    super();
  }

  override defer(name: string, step: Step, phase: Phase = 'close'): void {
    const key = `${name} ${phase}`;
    this.runs.set(key, 0);
    super.defer(name, () => {
      this.runs.set(key, (this.runs.get(key) ?? 0) + 1);
      return step();
    }, phase);
  }
}

/** Counts the calls of the parts' own closing methods, whoever makes them (a hand-made teardown too). */
function countCloses(parts: Record<string, object>, methods: Record<string, readonly string[]>): Map<string, number> {
  const calls = new Map<string, number>();
  for (const [part, names] of Object.entries(methods)) {
    const target = parts[part] as Record<string, (...args: unknown[]) => unknown>;
    for (const name of names) {
      const key = `${part}.${name}`;
      const original = target[name]!.bind(target);
      calls.set(key, 0);
      target[name] = (...args: unknown[]) => {
        calls.set(key, (calls.get(key) ?? 0) + 1);
        return original(...args);
      };
    }
  }
  return calls;
}

/** A fake rsync on PATH: each run appends its arguments to `started`, then waits until the gate is opened. */
function gatedRsync(root: string) {
  const bin = path.join(root, 'bin');
  fs.mkdirSync(bin);
  const gate = path.join(root, 'gate');
  const started = path.join(root, 'started');
  execFileSync('mkfifo', [gate]);
  fs.writeFileSync(path.join(bin, 'rsync'), `#!/bin/sh\necho "$*" >> '${started}'\nread _ < '${gate}'\n`, { mode: 0o755 });
  process.env.PATH = `${bin}:${process.env.PATH}`;
  return {
    startedRuns: () => (fs.existsSync(started) ? fs.readFileSync(started, 'utf8').split('\n').filter(Boolean) : []),
    // Opening the fifo waits for the reader, which the script opens right after it said it started.
    open: () => fs.writeFileSync(gate, '\n'),
  };
}

async function daemonWithOneRunningAndTwoQueued(prefix: string) {
  const ws = configWorkspace(prefix);
  const rsync = gatedRsync(ws.root);
  const lines: string[] = [];
  const log = createLogger({ console: (text) => lines.push(text.trimEnd()) });
  const source = new EventEmitter();
  // The process's scope and the config's: their steps are counted together.
  const scope = new CountingScope();
  const inner = new CountingScope(scope.runs);
  const options = parseArgs(['-o', ws.config, '-n', '1']);
  // The kernel's limits are the machine's: left alone, as bin/sersync2 does under the tests.
  process.env.SERSYNC2_SYSCTL = '0';
  const { instances, done } = await startDaemon(options, log, scope, { signalSource: source, newScope: () => inner });
  const parts = instances.get(ws.config)!.context!;
  const { watcher, pool, failures, queue } = parts;
  const closes = countCloses({ watcher, pool, failures, queue }, { watcher: ['close'], pool: ['stop', 'idle'], failures: ['stop', 'idle', 'flush'], queue: ['drain'] });

  fs.writeFileSync(path.join(ws.watch, 'running'), 'x');
  await waitFor('the first command to run', () => rsync.startedRuns().length === 1);
  fs.writeFileSync(path.join(ws.watch, 'queued1'), 'x');
  fs.writeFileSync(path.join(ws.watch, 'queued2'), 'x');
  await waitFor('two events queued behind it', () => parts.queue.length === 2);
  return { ws, rsync, lines, source, scope, parts, done, closes };
}

test('SIGTERM: the running command finishes, the queued events go to the fail log, every part is closed once, exit 0', { timeout: 20_000 }, async () => {
  const { ws, rsync, lines, source, scope, parts, done, closes } = await daemonWithOneRunningAndTwoQueued('shutdown');
  let exitCode: number | undefined;
  void done.then((code) => (exitCode = code));
  source.emit('SIGTERM', 'SIGTERM');
  assert.ok(lines.includes('SIGTERM: stopping; finishing 1 running events'), lines.join('\n'));
  // The stop waits for the running command: nothing is written, nothing has ended.
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(exitCode, undefined);
  assert.equal(parts.pool.inFlight, 1);
  assert.equal(scope.runs.get('status and metrics close'), 0);
  assert.equal(scope.runs.get('watches intake'), 1, 'the watcher is closed first');

  rsync.open();
  assert.equal(await done, 0);
  assert.equal(parts.pool.inFlight, 0, 'the running command has finished');
  assert.deepEqual(rsync.startedRuns().length, 1, 'no queued event was started after the signal');
  const log = fs.readFileSync(ws.failLog, 'utf8');
  assert.equal(log.match(/queued at shutdown/g)?.length, 2, log);
  assert.ok(log.includes('queued1') && log.includes('queued2') && !log.includes('"./running"'), log);
  assert.deepEqual(lines.slice(-2), [`2 queued events written to ${ws.failLog}`, 'stopped']);

  await scope.close();
  const runs = [...scope.runs];
  for (const step of ['watches intake', 'workers intake', 'workers drain', 'fail-log timers intake', 'fail-log timers drain', 'fail-log timers record', 'queue record', 'status and metrics close', 'signal handlers close']) {
    assert.ok(scope.runs.has(step), `${step} is a step of the scope: ${runs}`);
  }
  for (const [step, count] of runs) assert.equal(count, 1, `${step} ran once`);
  for (const [method, count] of closes) assert.equal(count, 1, `${method} called once`);
});

test('a second SIGTERM leaves at once: the running command and the queued events are in the fail log, exit 1', { timeout: 20_000 }, async () => {
  const { ws, rsync, source, scope, parts, done, closes } = await daemonWithOneRunningAndTwoQueued('shutdown-again');
  source.emit('SIGTERM', 'SIGTERM');
  source.emit('SIGTERM', 'SIGTERM');
  assert.equal(await done, 1);
  await scope.close();
  assert.equal(parts.pool.inFlight, 1, 'left while the command still runs');
  const log = fs.readFileSync(ws.failLog, 'utf8');
  assert.equal(log.match(/running at shutdown/g)?.length, 1, log);
  assert.equal(log.match(/queued at shutdown/g)?.length, 2, log);
  for (const [step, count] of scope.runs) assert.equal(count, 1, `${step} ran once`);
  for (const [method, count] of closes) assert.equal(count, 1, `${method} called once`);
  rsync.open();
  await waitFor('the running command to end', () => parts.pool.inFlight === 0);
});
