/**
 * Prometheus metrics end to end: the real bin/sersync2 mirrors files to a real rsync daemon
 * while a real HTTP client scrapes GET /metrics; the counters follow the files mirrored, the
 * gauges the tree; --metrics-file holds the same text, rewritten atomically; labels carry no
 * password file and no path of the tree; only GET /metrics is served; a port in use is one line.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { after, test } from 'node:test';
import { writeConfig } from './helpers/config';
import { freePort, startRsyncDaemon, type RsyncDaemon } from './helpers/rsyncd';
import { BIN, startSersync, type RunningSersync } from './helpers/sersync';
import { tempDir } from './helpers/tempDir';
import { waitFor } from './helpers/wait';

const running: RunningSersync[] = [];
const daemons: RsyncDaemon[] = [];
after(async () => {
  for (const s of running) await s.stop('SIGKILL');
  for (const d of daemons) await d.stop();
});

function request(port: number, method: string, urlPath: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body }));
    });
    req.on('timeout', () => req.destroy(new Error('scrape timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** `name{labels} value` lines of the text format, keyed by `name{labels}` as printed. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

const REMOTE = 'remote="127.0.0.1::mirror"';

test('GET /metrics follows the files mirrored; --metrics-file holds the same; no path or password in labels', async () => {
  const root = tempDir('metrics-');
  const watch = path.join(root, 'tree-secret-name');
  fs.mkdirSync(path.join(watch, 'sub'), { recursive: true });
  // The module needs a password: the metrics must show neither it nor its file.
  fs.writeFileSync(path.join(root, 'secrets'), 'alice:Pa55word-XYZ\n', { mode: 0o600 });
  fs.writeFileSync(path.join(root, 'client.pas'), 'Pa55word-XYZ\n', { mode: 0o600 });
  const daemon = await startRsyncDaemon(root, 'mirror', `  auth users = alice\n  secrets file = ${root}/secrets\n`);
  daemons.push(daemon);
  const config = writeConfig(path.join(root, 'confxml.xml'), { watch, failLog: path.join(root, 'fail.sh'), port: daemon.port });
  fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace('<auth start="false" users="root" passwordfile="/etc/rsync.pas"/>', `<auth start="true" users="alice" passwordfile="${root}/client.pas"/>`));
  const port = await freePort();
  const metricsFile = path.join(root, 'textfile', 'sersync2.prom');
  fs.mkdirSync(path.dirname(metricsFile));
  const s = await startSersync(['-o', config, '--metrics-listen', `127.0.0.1:${port}`, '--metrics-file', metricsFile, '--status-interval', '1']);
  running.push(s);

  const first = await request(port, 'GET', '/metrics');
  assert.equal(first.status, 200);
  assert.match(first.type, /^text\/plain; version=0\.0\.4/);
  const m0 = samples(first.body);
  assert.equal(m0.get('sersync2_watched_directories'), 2);
  assert.equal(m0.get(`sersync2_commands_total{${REMOTE},result="ok"}`), 0);
  assert.equal(m0.get(`sersync2_last_success_timestamp_seconds{${REMOTE}}`), 0);
  assert.ok((m0.get('process_resident_memory_bytes') ?? 0) > 0, 'prom-client process metrics');

  for (let i = 0; i < 3; i++) fs.writeFileSync(path.join(watch, 'sub', `f${i}.txt`), `file ${i}\n`);
  await waitFor('the 3 files on the remote, byte for byte', () => [0, 1, 2].every((i) => fs.existsSync(path.join(daemon.dir, 'sub', `f${i}.txt`)) && fs.readFileSync(path.join(daemon.dir, 'sub', `f${i}.txt`), 'utf8') === `file ${i}\n`));
  const m1 = await waitFor('3 ok commands in a scrape', async () => {
    const m = samples((await request(port, 'GET', '/metrics')).body);
    return (m.get(`sersync2_commands_total{${REMOTE},result="ok"}`) ?? 0) >= 3 && m;
  });
  assert.equal(m1.get(`sersync2_commands_total{${REMOTE},result="failed"}`), 0);
  assert.ok(m1.get('sersync2_events_total{kind="sync"}')! >= 3);
  assert.equal(m1.get(`sersync2_command_duration_seconds_count{${REMOTE}}`), m1.get(`sersync2_commands_total{${REMOTE},result="ok"}`));
  assert.ok(m1.get(`sersync2_command_duration_seconds_sum{${REMOTE}}`)! > 0);
  const lastSuccess = m1.get(`sersync2_last_success_timestamp_seconds{${REMOTE}}`)!;
  assert.ok(Math.abs(lastSuccess - Date.now() / 1000) < 60, `last success ${lastSuccess}`);
  assert.equal(m1.get(`sersync2_last_failure_timestamp_seconds{${REMOTE}}`), 0);
  for (const name of ['sersync2_unwatched_directories', 'sersync2_queue_events', 'sersync2_retry_backlog', 'sersync2_fail_log_bytes', 'sersync2_full_syncs_total{reason="crontab"}']) assert.ok(m1.has(name), name);
  assert.equal(m1.get('sersync2_held_seconds_total'), 0, 'a config alone in its process is never held');

  const body = (await request(port, 'GET', '/metrics')).body;
  for (const secret of ['Pa55word', 'client.pas', 'tree-secret-name', root]) assert.ok(!body.includes(secret), `the metrics show ${secret}`);

  // The textfile collector's file: the same metrics, rewritten every interval, never half-written.
  const fromFile = await waitFor('the metrics file with the 3 commands', () => {
    if (!fs.existsSync(metricsFile)) return undefined;
    const m = samples(fs.readFileSync(metricsFile, 'utf8'));
    return (m.get(`sersync2_commands_total{${REMOTE},result="ok"}`) ?? 0) >= 3 && m;
  }, 10_000);
  assert.equal(fromFile.get('sersync2_watched_directories'), 2);
  assert.equal(fs.statSync(metricsFile).mode & 0o777, 0o644);
  await waitFor('only sersync2.prom in its directory', () => fs.readdirSync(path.dirname(metricsFile)).join() === 'sersync2.prom');

  // GET /metrics and nothing else.
  assert.equal((await request(port, 'GET', '/')).status, 404);
  assert.equal((await request(port, 'GET', '/metrics/x')).status, 404);
  assert.equal((await request(port, 'POST', '/metrics')).status, 405);
  assert.equal(await s.stop(), 0);
});

test('--metrics-listen on a port in use: exit 1 with one line, before watching', async () => {
  const root = tempDir('metrics-busy-');
  const watch = path.join(root, 'w');
  fs.mkdirSync(watch);
  const config = writeConfig(path.join(root, 'confxml.xml'), { watch, failLog: path.join(root, 'fail.sh') });
  const busy = net.createServer();
  const port = await freePort();
  await new Promise<void>((resolve) => busy.listen(port, '127.0.0.1', resolve));
  try {
    const r = spawnSync(process.execPath, [BIN, '-o', config, '--metrics-listen', `127.0.0.1:${port}`], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, SERSYNC2_SYSCTL: '0' } });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.equal(r.stderr, `sersync2: cannot listen on 127.0.0.1:${port} for --metrics-listen: EADDRINUSE\n`);
    assert.doesNotMatch(r.stdout, /watch path is/);
  } finally {
    busy.close();
  }
});
