/**
 * The status file end to end with the real bin/sersync2: written at start, rewritten on SIGUSR1
 * and on its interval, atomically, with per-remote outcomes; `--status FILE` pretty-prints it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { configWorkspace } from './helpers/config';
import { tempDir } from './helpers/tempDir';
import { BIN, commandRecorder, startSersync, type RunningSersync } from './helpers/sersync';
import { waitFor } from './helpers/wait';
import { LatencyRecorder } from '../lib/status/latency';

const running: RunningSersync[] = [];
after(async () => {
  for (const s of running) await s.stop('SIGKILL');
});

/** Two remotes: `up` (rsync exits 0) and `down` (rsync exits 10, a connection error). */
function workspace(name: string) {
  const { root, watch, failLog, config } = configWorkspace(name, { remotes: [{ ip: '127.0.0.1', name: 'up' }, { ip: '127.0.0.1', name: 'down' }] });
  const recorder = commandRecorder(root);
  fs.writeFileSync(path.join(root, 'bin', 'rsync'), '#!/bin/sh\ncase "$*" in *::down*) exit 10;; esac\nexit 0\n', { mode: 0o755 });
  const statusFile = path.join(root, 'run', 'status.json');
  fs.mkdirSync(path.dirname(statusFile));
  return { root, watch, failLog, config, recorder, statusFile };
}

interface Remote {
  remote: string;
  successes: number;
  failures: number;
  lastSuccess: string | null;
  lastFailure: string | null;
}
interface Status {
  pid: number;
  writtenAt: string;
  watches: number;
  queued: number;
  inFlight: number;
  retryBacklog: number;
  failLog: { path: string; bytes: number };
  lastFullSync: { at: string; reason: string } | null;
  remotes: Remote[];
  eventToSpawnMs: { count: number; p50: number; p95: number; max: number } | null;
}

function readStatus(file: string): Status | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Status;
  } catch {
    return undefined;
  }
}

const remote = (s: Status, name: string) => s.remotes.find((r) => r.remote === `127.0.0.1::${name}`)!;

test('status file: written at start, on SIGUSR1, atomically; --status pretty-prints it', async () => {
  const w = workspace('status');
  fs.mkdirSync(path.join(w.watch, 'sub'));
  const s = await startSersync(['-r', '-o', w.config, '--status-file', w.statusFile, '--status-interval', '3600'], { env: w.recorder.env });
  running.push(s);

  // Written once the watches are in place, after the -r full sync.
  const first = await waitFor('the first status file', () => readStatus(w.statusFile));
  assert.equal(first.pid, s.child.pid);
  assert.equal(first.watches, 2);
  assert.equal(first.lastFullSync?.reason, 'start (-r)');
  assert.equal(remote(first, 'up').successes, 1);
  assert.equal(remote(first, 'up').failures, 0);
  assert.ok(remote(first, 'up').lastSuccess);
  assert.equal(remote(first, 'down').failures, 1);
  assert.equal(remote(first, 'down').lastSuccess, null);
  assert.equal(fs.statSync(w.statusFile).mode & 0o777, 0o644);
  assert.equal(first.eventToSpawnMs, null, 'the -r full sync comes from no event');

  // An event: one more success for `up`, one more failure for `down`; nothing rewrites the file
  // before SIGUSR1 (the interval is an hour), so what changes below is the signal's doing.
  fs.writeFileSync(path.join(w.watch, 'a.txt'), 'a');
  await waitFor('rsync of a.txt to both remotes', () => w.recorder.commands().filter((c) => c.includes('a.txt')).length >= 2);
  assert.equal(readStatus(w.statusFile)!.writtenAt, first.writtenAt);
  const updated = await waitFor('the counters to reach the status file after SIGUSR1', () => {
    s.child.kill('SIGUSR1');
    const now = readStatus(w.statusFile);
    return now && remote(now, 'up').successes >= 2 && remote(now, 'down').failures >= 2 && now;
  });
  assert.notEqual(updated.writtenAt, first.writtenAt);
  assert.ok(updated.retryBacklog >= 1, 'the failed commands to `down` wait for a retry');
  assert.equal(updated.failLog.path, w.failLog);
  // a.txt's commands (one per remote) were spawned after its event was read: one sample.
  assert.ok(updated.eventToSpawnMs && updated.eventToSpawnMs.count >= 1 && updated.eventToSpawnMs.p50 > 0 && updated.eventToSpawnMs.p50 <= updated.eventToSpawnMs.max, JSON.stringify(updated.eventToSpawnMs));
  // The temporary file is renamed over the status file, never left behind (a write the last
  // SIGUSR1 started may still be under way: wait for it, with a deadline).
  await waitFor('only status.json in its directory', () => fs.readdirSync(path.dirname(w.statusFile)).join() === 'status.json');

  const shown = spawnSync(process.execPath, [BIN, '--status', w.statusFile], { encoding: 'utf8', cwd: os.tmpdir() });
  // `down` has failed for less than a minute, and its commands wait for a retry: WARNING (1).
  assert.equal(shown.status, 1, shown.stdout + shown.stderr);
  assert.match(shown.stdout, /^SERSYNC2 WARNING - 127\.0\.0\.1::down failing for \d+ s; retry backlog \d+; 2 dirs watched, queue \d+, backlog \d+ \| watched=2 unwatched=0 queue=\d+ backlog=\d+ age=\d+s\n/);
  assert.match(shown.stdout, new RegExp(`pid ${s.child.pid}`));
  assert.match(shown.stdout, /watch +.* \(2 directories watched\)/);
  assert.match(shown.stdout, /127\.0\.0\.1::up: \d+ ok, 0 failed; last success 20/);
  assert.match(shown.stdout, /127\.0\.0\.1::down: 0 ok, \d+ failed; last success never/);
  assert.match(shown.stdout, /last full sync +20.*start \(-r\)/);
  assert.match(shown.stdout, /event to spawn +p50 [\d.]+ ms, p95 [\d.]+ ms, max [\d.]+ ms \(\d+ commands\)/);

  assert.equal(await s.stop(), 0);
});

test('status file: rewritten on its interval without a signal', async () => {
  const w = workspace('status-interval');
  const s = await startSersync(['-o', w.config, '--status-file', w.statusFile, '--status-interval', '1'], { env: w.recorder.env });
  running.push(s);
  const first = await waitFor('the first status file', () => readStatus(w.statusFile));
  await waitFor('a rewrite one interval later', () => readStatus(w.statusFile)?.writtenAt !== first.writtenAt, 5000);
  assert.equal(first.lastFullSync, null, 'no -r, no full sync yet');
  assert.equal(await s.stop(), 0);
});

test('SIGUSR1 without a status file is logged and harmless', async () => {
  const w = workspace('status-off');
  const s = await startSersync(['-o', w.config], { env: w.recorder.env });
  running.push(s);
  s.child.kill('SIGUSR1');
  await waitFor('the SIGUSR1 notice', () => s.stdout().includes('SIGUSR1: no status file'));
  assert.equal(fs.readdirSync(path.dirname(w.statusFile)).length, 0);
  assert.equal(await s.stop(), 0);
});

test('--status: a missing or foreign file is UNKNOWN (exit 3) with one clear line', () => {
  const root = tempDir('status-show-');
  const missing = spawnSync(process.execPath, [BIN, '--status', path.join(root, 'nope.json')], { encoding: 'utf8' });
  assert.equal(missing.status, 3);
  assert.equal(missing.stderr, '');
  assert.match(missing.stdout, /^SERSYNC2 UNKNOWN - cannot read the status file .*nope\.json: ENOENT \(is sersync2 running with --status-file\?\)\n$/);
  fs.writeFileSync(path.join(root, 'other.json'), '{"a":1}');
  const foreign = spawnSync(process.execPath, [BIN, '--status', path.join(root, 'other.json')], { encoding: 'utf8' });
  assert.equal(foreign.status, 3);
  assert.match(foreign.stdout, /^SERSYNC2 UNKNOWN - .*is not a sersync2 status file\n$/);
});

test('--status-interval is checked', () => {
  const bad = spawnSync(process.execPath, [BIN, '--status-interval', '0', '--check'], { encoding: 'utf8' });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /--status-interval takes seconds from 1 to 86400, got '0'/);
});

test('LatencyRecorder: percentiles over the newest samples, null before the first', () => {
  const r = new LatencyRecorder(100);
  assert.equal(r.summary(), null);
  for (let i = 1; i <= 100; i++) r.record(i);
  assert.deepEqual(r.summary(), { count: 100, p50: 51, p95: 96, max: 100 });
  // 100 newer samples push every old one out of the ring.
  for (let i = 0; i < 100; i++) r.record(0.0015);
  assert.deepEqual(r.summary(), { count: 200, p50: 0.002, p95: 0.002, max: 0.002 });
});
