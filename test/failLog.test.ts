/**
 * The fail log and the retries: sersync2's format and single retry, the safe-file rules, the
 * take-aside run, and the backoff that catches a remote up without waiting for the period.
 * Files are real; the spawner and the clock are passed in, so no test waits real minutes.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Clock } from '../lib/clock';
import { FailLogFile, parseFailLogEntries, unsafeReason } from '../lib/failLog/file';
import { Failures } from '../lib/failLog/failures';
import { type Command, remoteLabel, render, scriptCommand } from '../lib/command/model';
import { readCommand } from '../lib/command/read';
import { parseConfig } from '../lib/config/load';
import { failLogEntry } from '../lib/failLog/file';
import { batchCommands } from '../lib/rsync/batch';
import { commandSettings, commandSource, rsyncCommand } from '../lib/rsync/command';
import type { StatusSnapshot } from '../lib/status/collector';
import { DaemonStatus } from '../lib/status/daemon';
import { GOLDEN_DIR } from './helpers/golden';
import type { CommandRunner } from '../lib/runner/shell';
import { resultOfStatus } from '../lib/runner/result';
import { tempDir } from './helpers/tempDir';
import { waitFor } from './helpers/wait';

/** Virtual time: timers fire when the test advances the clock. */
class FakeClock implements Clock {
  time = 0;
  readonly minuteMs = 60_000;
  private timers: Array<{ at: number; fn: () => unknown; id: number }> = [];
  private nextId = 1;
  now() {
    return this.time;
  }
  setTimeout(fn: () => unknown, ms: number) {
    const id = this.nextId++;
    this.timers.push({ at: this.time + ms, fn, id });
    return { unref() {}, id } as unknown as ReturnType<Clock['setTimeout']>;
  }
  clearTimeout(timer: unknown) {
    this.timers = this.timers.filter((t) => t.id !== (timer as { id: number }).id);
  }
  /** Fires the timers due by then, in time order; each one's work (the promise its callback returns) ends before the next fires. */
  async advance(ms: number) {
    const end = this.time + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.time = next.at;
      await next.fn();
    }
    this.time = end;
  }
}

/** Resolves on a later turn of the event loop, as a real child's exit does. */
const later = <T>(value: T): Promise<T> => new Promise((resolve) => setImmediate(resolve, value));

/** A runner whose commands fail while `down` is true; records every run. */
class Remote implements CommandRunner {
  down = true;
  status = 10 * 256;
  readonly ran: string[] = [];
  run(command: Command) {
    this.ran.push(render(command));
    return later(resultOfStatus(command, this.down ? this.status : 0));
  }
}

const silent = { warn() {}, info() {}, error() {} };

function setup(timeToExecute = 60) {
  const dir = tempDir('faillog-');
  const file = new FailLogFile(path.join(dir, 'rsync_fail_log.sh'));
  file.ensure();
  const clock = new FakeClock();
  const remote = new Remote();
  let fullSyncs = 0;
  const failures = new Failures({ runner: remote, failLog: file, clock, log: silent, timeToExecute, requestFullSync: () => fullSyncs++, maxBacklog: 3 });
  return { dir, file, clock, remote, failures, fullSyncs: () => fullSyncs };
}

test('the fail log is created 0600 and never world-writable', () => {
  const { file } = setup();
  assert.equal(fs.statSync(file.path).mode & 0o777, 0o600);
});

test('a failed command is retried once, then kept as "#errno STATUS" (golden case 12 bytes)', async () => {
  const { file, failures, remote } = setup();
  const cmd = 'cd /w && rsync -artuz -R "./a.txt" 127.0.0.1::tongbu1 >/dev/null 2>&1 ';
  failures.failed(resultOfStatus(scriptCommand(cmd), 2560));
  await failures.idle();
  assert.deepEqual(remote.ran, [cmd]);
  assert.equal(fs.readFileSync(file.path, 'utf8'), `#errno 2560\n${cmd}\n\n`);
});

test('the backoff catches a remote up once it is back, without waiting for the fail-log period', async () => {
  const { clock, failures, remote } = setup();
  failures.start();
  failures.failed(resultOfStatus(scriptCommand('cmd1'), 2560));
  failures.failed(resultOfStatus(scriptCommand('cmd2'), 2560));
  await failures.idle();
  await clock.advance(1000); // first backoff: cmd1 fails again
  assert.equal(remote.ran.filter((c) => c === 'cmd1').length, 2, 'the first retry, then the first backoff');
  remote.down = false;
  await clock.advance(2000); // second backoff (2 s): both run, in order
  assert.deepEqual(remote.ran.slice(-2), ['cmd1', 'cmd2']);
  assert.equal(failures.backlog, 0);
});

test('the backoff doubles up to 30 s', async () => {
  const { clock, failures, remote } = setup();
  failures.failed(resultOfStatus(scriptCommand('c'), 2560));
  await failures.idle();
  const times: number[] = [];
  const run = remote.run.bind(remote);
  remote.run = (command) => {
    times.push(clock.now());
    return run(command);
  };
  await clock.advance(200_000);
  const gaps = times.map((t, i) => t - (times[i - 1] ?? 0));
  assert.deepEqual(gaps.slice(0, 7), [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
});

test('memory is bounded: past maxBacklog the oldest are dropped and a full sync is asked for when the remote is back', async () => {
  const { clock, failures, remote, fullSyncs, file } = setup();
  for (let i = 0; i < 6; i++) failures.failed(resultOfStatus(scriptCommand(`c${i}`), 2560));
  await failures.idle();
  assert.ok(failures.backlog <= 3);
  assert.equal(parseFailLogEntries(fs.readFileSync(file.path, 'utf8')).length, 6, 'every failure is in the fail log');
  remote.down = false;
  await clock.advance(1000);
  assert.equal(fullSyncs(), 1);
});

test('every timeToExecute minutes the fail log is taken aside and run; what fails again is kept, nothing is lost', async () => {
  const { clock, failures, remote, file } = setup(1);
  failures.start();
  file.append(['#errno 2560\nold-ok\n\n', '#errno 2560\nold-bad\n\n']);
  remote.run = (command) => {
    remote.ran.push(render(command));
    if (render(command) === 'old-ok') {
      // a failure recorded while the run is going on goes to the fresh file
      file.append(['#errno 2560\nduring-run\n\n']);
      return later(resultOfStatus(command, 0));
    }
    return later(resultOfStatus(command, 2560));
  };
  await clock.advance(60_000);
  await failures.idle();
  assert.deepEqual(remote.ran, ['old-ok', 'old-bad']);
  const left = parseFailLogEntries(fs.readFileSync(file.path, 'utf8')).map((e) => e.command);
  assert.deepEqual(left.sort(), ['during-run', 'old-bad']);
  assert.equal(fs.existsSync(file.asidePath), false);
});

test('an unsafe fail log is never run: a symlink, a foreign owner, group or world writable', () => {
  const { dir } = setup();
  const target = path.join(dir, 'target.sh');
  fs.writeFileSync(target, 'touch pwned\n', { mode: 0o600 });
  const link = path.join(dir, 'link.sh');
  fs.symlinkSync(target, link);
  assert.throws(() => new FailLogFile(link).takeAside(), /symbolic link/);
  assert.throws(() => new FailLogFile(link).append(['x']), /ELOOP/);
  const open = path.join(dir, 'open.sh');
  fs.writeFileSync(open, '#errno 1\nx\n\n');
  fs.chmodSync(open, 0o666);
  assert.throws(() => new FailLogFile(open).takeAside(), /writable by everyone/);
  fs.chmodSync(open, 0o620);
  assert.throws(() => new FailLogFile(open).takeAside(), /writable by its group/);
  fs.chmodSync(open, 0o600);
  assert.match(unsafeReason(fs.lstatSync(open), 12345) ?? '', /belongs to uid \d+, not to us \(uid 12345\)/);
  assert.equal(unsafeReason(fs.lstatSync(open)), undefined);
  if (process.getuid?.() === 0) {
    // a real file of another user, as root sees it
    fs.chownSync(open, 65534, 65534);
    assert.throws(() => new FailLogFile(open).takeAside(), /belongs to uid 65534, not to us \(uid 0\)/);
  }
});

test('a run interrupted by a crash is put back into the fail log at start', () => {
  const { file } = setup();
  fs.writeFileSync(file.asidePath, '#errno 2560\ninterrupted\n\n', { mode: 0o600 });
  assert.equal(file.recoverAside(), 1);
  assert.match(fs.readFileSync(file.path, 'utf8'), /interrupted/);
  assert.equal(fs.existsSync(file.asidePath), false);
});

test('a fail-log rerun is counted on its own remote in the status file and the metrics', async () => {
  const dir = tempDir('faillog-remote-');
  const file = new FailLogFile(path.join(dir, 'fail.sh'));
  file.ensure();
  const s = commandSettings(parseConfig(fs.readFileSync(path.join(GOLDEN_DIR, 'stock-confxml.xml')), '/x.xml').config);
  const first = { ip: '127.0.0.1', name: 'a' };
  const second = { ip: '10.0.0.2', name: 'b' };
  // Written by an earlier run: two commands to the second remote, one of them a batch line.
  file.append([rsyncCommand(s, second, { kind: 'sync', path: 'x' }), ...batchCommands(s, second, [{ kind: 'sync', path: 'y', isDir: false, cause: 'modified' }])].map((c) => failLogEntry('errno 2560', render(c))));
  const statusFile = path.join(dir, 'status.json');
  const metricsFile = path.join(dir, 'sersync2.prom');
  const daemonStatus = new DaemonStatus({ file: statusFile, metricsFile, intervalSeconds: 3600, version: '0', warn: () => {}, several: false });
  const status = daemonStatus.add('c', { config: 'c', watch: s.watch, remotes: [first, second].map(remoteLabel) });
  status.start({ watches: () => 0, unwatched: () => 0, queued: () => 0, inFlight: () => 0, retryBacklog: () => 0, heldSeconds: () => 0, failLogPath: file.path });
  daemonStatus.start();
  const remote = new Remote();
  remote.down = false;
  const source = commandSource(s, [first, second]);
  const failures = new Failures({ runner: remote, failLog: file, clock: new FakeClock(), log: silent, timeToExecute: 60, requestFullSync: () => {}, onRetried: status.recordRetry, readCommand: (text) => readCommand(text, source) });
  await failures.runFailLog();
  await daemonStatus.stop();
  assert.equal(remote.ran.length, 2);
  const counts = (JSON.parse(fs.readFileSync(statusFile, 'utf8')) as StatusSnapshot).remotes.map((r) => [r.remote, r.successes]);
  assert.deepEqual(counts, [['127.0.0.1::a', 0], ['10.0.0.2::b', 2]]);
  const metrics = fs.readFileSync(metricsFile, 'utf8');
  assert.match(metrics, /^sersync2_commands_total\{remote="10\.0\.0\.2::b",result="ok"\} 2$/m);
  assert.match(metrics, /^sersync2_commands_total\{remote="127\.0\.0\.1::a",result="ok"\} 0$/m);
});

test('two configs given one fail log (the stock /tmp/rsync_fail_log.sh) take turns: the second waits, so the first run\'s aside file stays its own', async () => {
  const dir = tempDir('faillog-shared-');
  fs.symlinkSync(dir, path.join(dir, 'link'));
  const a = new FailLogFile(path.join(dir, 'rsync_fail_log.sh'));
  const b = new FailLogFile(path.join(dir, 'link', 'rsync_fail_log.sh'));
  a.ensure();
  a.append(['#errno 2560\nfirst\n\n']);
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const ran: string[] = [];
  const runner = (who: string): CommandRunner => ({
    run: async (command) => {
      ran.push(`${who} ${render(command)}`);
      if (render(command) === 'first') await gate;
      ran.push(`${who} ${render(command)} done`);
      return resultOfStatus(command, render(command) === 'fails' ? 2560 : 0);
    },
  });
  const options = { clock: new FakeClock(), log: silent, timeToExecute: 60, requestFullSync: () => {} };
  const runA = new Failures({ ...options, runner: runner('a'), failLog: a }).runFailLog();
  await waitFor("a's run under way", () => ran.length === 1);
  b.append(['#errno 2560\nsecond\n\n', '#errno 2560\nfails\n\n']);
  const runB = new Failures({ ...options, runner: runner('b'), failLog: b }).runFailLog();
  // A run takes its file aside before its first await: had b not waited, a's aside file would hold b's entries now.
  assert.deepEqual(parseFailLogEntries(fs.readFileSync(a.asidePath, 'utf8')).map((e) => e.command), ['first']);
  release();
  await Promise.all([runA, runB]);
  // b's commands only after a's run ended: it waited its turn, whatever the timing.
  assert.deepEqual(ran, ['a first', 'a first done', 'b second', 'b second done', 'b fails', 'b fails done']);
  assert.deepEqual(parseFailLogEntries(fs.readFileSync(a.path, 'utf8')).map((e) => e.command), ['fails']);
  assert.equal(fs.existsSync(a.asidePath), false);
});
