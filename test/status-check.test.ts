/**
 * `sersync2 --status FILE` as a Nagios/Icinga check: the plugin line and exit codes. End to end, a
 * real daemon is OK (0) while it runs and CRITICAL (2) once it is killed with SIGKILL and its file
 * goes stale; no file is UNKNOWN (3). The thresholds (a minute of failures, unwatched
 * directories, 3 intervals) on snapshots with a given clock.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { writeConfig } from './helpers/config';
import { startRsyncDaemon, type RsyncDaemon } from './helpers/rsyncd';
import { BIN, startSersync, type RunningSersync } from './helpers/sersync';
import { tempDir } from './helpers/tempDir';
import { waitFor } from './helpers/wait';
import type { StatusSnapshot } from '../lib/status/collector';
import { evaluate } from '../lib/status/check';

const running: RunningSersync[] = [];
const daemons: RsyncDaemon[] = [];
after(async () => {
  for (const s of running) await s.stop('SIGKILL');
  for (const d of daemons) await d.stop();
});

function check(file: string): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [BIN, '--status', file], { encoding: 'utf8', timeout: 20_000 });
}

/** A real rsync daemon and sersync2 mirroring to it, rewriting its status file every second. */
async function mirrorWithStatus(prefix: string, subdirs: readonly string[]) {
  const root = tempDir(prefix);
  const watch = path.join(root, 'w');
  fs.mkdirSync(path.join(watch, ...subdirs), { recursive: true });
  const daemon = await startRsyncDaemon(root);
  daemons.push(daemon);
  const config = writeConfig(path.join(root, 'confxml.xml'), { watch, failLog: path.join(root, 'fail.sh'), port: daemon.port });
  const statusFile = path.join(root, 'status.json');
  const s = await startSersync(['-o', config, '--status-file', statusFile, '--status-interval', '1']);
  running.push(s);
  return { watch, daemon, statusFile, s };
}

test('--status: OK (0) while the daemon runs; CRITICAL (2) once it is killed with SIGKILL and the file goes stale', async () => {
  const { watch, daemon, statusFile, s } = await mirrorWithStatus('status-check-', ['a', 'b']);
  fs.writeFileSync(path.join(watch, 'a', 'f.txt'), 'x');
  await waitFor('f.txt on the remote', () => fs.existsSync(path.join(daemon.dir, 'a', 'f.txt')));

  const ok = await waitFor('an OK check with the success counted', () => {
    const r = check(statusFile);
    return r.status === 0 && /mirror: 1 ok/.test(r.stdout) && r;
  });
  assert.match(ok.stdout, /^SERSYNC2 OK - 3 dirs watched, queue 0, backlog 0 \| watched=3 unwatched=0 queue=0 backlog=0 age=\d+s\n/);
  assert.equal(JSON.parse(fs.readFileSync(statusFile, 'utf8')).intervalSeconds, 1, 'the file carries its interval');

  s.child.kill('SIGKILL');
  assert.equal(await s.exited(), null, 'killed, not exited');
  // 3 intervals of 1 s without a rewrite: the check turns CRITICAL on its own.
  const critical = await waitFor('a CRITICAL check', () => {
    const r = check(statusFile);
    return r.status !== 0 && r;
  }, 15_000, 200);
  assert.equal(critical.status, 2, critical.stdout);
  assert.match(critical.stdout, /^SERSYNC2 CRITICAL - status file not rewritten for \d+ s \(interval 1 s\): the daemon is gone or stuck; 3 dirs watched, queue 0, backlog 0 \| /);
});

test('--status: WARNING while a remote is down, OK again once the retries get through, with no new event', async () => {
  const { watch, daemon, statusFile, s } = await mirrorWithStatus('status-outage-', []);
  await daemon.stop();
  fs.writeFileSync(path.join(watch, 'during-outage.txt'), 'x');
  const warning = await waitFor('a WARNING check', () => {
    const r = check(statusFile);
    return r.status === 1 && r;
  }, 15_000, 200);
  assert.match(warning.stdout, /^SERSYNC2 WARNING - 127\.0\.0\.1::mirror failing for \d+ s; retry backlog [1-9]\d*; /);
  await daemon.restart();
  await waitFor('the file on the remote, by a retry', () => fs.existsSync(path.join(daemon.dir, 'during-outage.txt')), 40_000);
  const ok = await waitFor('an OK check', () => {
    const r = check(statusFile);
    return r.status === 0 && r;
  }, 15_000, 200);
  assert.match(ok.stdout, /^SERSYNC2 OK - 1 dirs watched, queue 0, backlog 0 /);
  assert.doesNotMatch(ok.stdout, /failing since/);
  assert.equal(await s.stop(), 0);
});

test('--status: UNKNOWN (3) for no file, an empty file, or not a status file', () => {
  const root = tempDir('status-unknown-');
  fs.writeFileSync(path.join(root, 'empty.json'), '');
  fs.writeFileSync(path.join(root, 'array.json'), '[1]');
  for (const [name, text] of [['none.json', /cannot read the status file .*ENOENT/], ['empty.json', /not a sersync2 status file \(not JSON\)/], ['array.json', /not a sersync2 status file$/m]] as const) {
    const r = check(path.join(root, name));
    assert.equal(r.status, 3, name);
    assert.match(r.stdout, /^SERSYNC2 UNKNOWN - /);
    assert.match(r.stdout, text);
    assert.equal(r.stderr, '');
  }
});

const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number) => new Date(T0 + ms).toISOString();

function snapshot(over: Partial<StatusSnapshot> = {}): StatusSnapshot {
  return {
    format: 1, program: 'sersync2', version: '0', pid: 1, startedAt: iso(-3_600_000), writtenAt: iso(0), intervalSeconds: 10, config: 'c.xml', watch: '/w',
    watches: 1834, unwatched: 0, queued: 0, inFlight: 0, retryBacklog: 0, heldSeconds: 0, failLog: null, lastFullSync: null, eventToSpawnMs: null,
    remotes: [{ remote: '10.0.0.1::m', successes: 5, failures: 0, lastSuccess: iso(-5000), lastFailure: null, failingSince: null }],
    ...over,
  };
}

test('check thresholds: stale after 3 intervals, a remote failing for a minute, unwatched directories, a backlog', () => {
  const at = (ms: number) => new Date(T0 + ms);
  assert.deepEqual(evaluate(snapshot(), at(30_000)), { state: 'OK', summary: '1834 dirs watched, queue 0, backlog 0 | watched=1834 unwatched=0 queue=0 backlog=0 age=30s' });
  assert.equal(evaluate(snapshot(), at(30_001)).state, 'CRITICAL');
  assert.equal(evaluate(snapshot({ intervalSeconds: 60 }), at(120_000)).state, 'OK');
  assert.equal(evaluate(snapshot({ retryBacklog: 2 }), at(0)).summary.split(' | ')[0], 'retry backlog 2; 1834 dirs watched, queue 0, backlog 2');
  assert.equal(evaluate(snapshot({ retryBacklog: 2 }), at(0)).state, 'WARNING');
  const failing = (sinceMs: number) => snapshot({ remotes: [{ remote: '10.0.0.1::m', successes: 5, failures: 3, lastSuccess: iso(-100_000), lastFailure: iso(0), failingSince: iso(sinceMs) }] });
  assert.equal(evaluate(failing(-59_000), at(0)).state, 'WARNING');
  assert.match(evaluate(failing(-59_000), at(0)).summary, /^10\.0\.0\.1::m failing for 59 s; /);
  assert.equal(evaluate(failing(-60_000), at(0)).state, 'CRITICAL');
  assert.equal(evaluate(snapshot({ unwatched: 12 }), at(0)).state, 'CRITICAL');
  assert.match(evaluate(snapshot({ unwatched: 12 }), at(0)).summary, /^12 dirs not watched; /);
  // A file without its interval (an older daemon) is judged by the default of 10 s.
  const { intervalSeconds: _dropped, ...old } = snapshot();
  assert.equal(evaluate(old as StatusSnapshot, at(31_000)).state, 'CRITICAL');
});
