/**
 * `sersync2 --verify` against a real rsync daemon on 127.0.0.1: drift made on the remote side (a
 * file deleted, one changed, one extra) is found and listed, exit 2, and the remote is left as it
 * was; after a full sync (the real `sersync2 -r`) exit 0; a remote that refuses the connection or
 * never answers is exit 1, named; bad input is one line, no stack trace.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { writeConfig } from './helpers/config';
import { freePort, startRsyncDaemon, type RsyncDaemon } from './helpers/rsyncd';
import { BIN, startSersync } from './helpers/sersync';
import { tempDir } from './helpers/tempDir';
import { snapshot } from './helpers/tree';
import { waitFor } from './helpers/wait';
import { parseConfig } from '../lib/config/load';
import { GOLDEN_DIR } from './helpers/golden';
import { rsyncCommand } from '../lib/rsync/command';
import { render } from '../lib/command/model';
import { remoteLabel, verifyCommand, verifySettings } from '../lib/verify/command';
import { classifyLine } from '../lib/verify/itemize';

let root: string;
let watch: string;
let daemon: RsyncDaemon;
let config: string;

before(async () => {
  root = tempDir('verify-');
  watch = path.join(root, 'w');
  fs.mkdirSync(path.join(watch, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(watch, 'a.txt'), 'alpha\n');
  fs.writeFileSync(path.join(watch, 'b.txt'), 'beta\n');
  fs.writeFileSync(path.join(watch, 'sub', 'c.txt'), 'gamma\n');
  daemon = await startRsyncDaemon(root);
  config = writeConfig(path.join(root, 'confxml.xml'), { watch, failLog: path.join(root, 'fail.sh'), port: daemon.port });
});

after(async () => {
  await daemon?.stop();
});

/** Runs the real binary to its end, with a deadline (a hang is a failure, not a wait). */
function sersync2(args: readonly string[], timeoutMs = 30_000): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sersync2 ${args.join(' ')} did not finish in ${timeoutMs} ms: ${stdout}${stderr}`));
    }, timeoutMs);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** The real daemon's own full sync (`-r`), then stop it. */
async function fullSync(): Promise<void> {
  const s = await startSersync(['-r', '-o', config], { env: { SERSYNC2_SYSCTL: '0' } });
  assert.equal(await s.stop(), 0, s.stderr());
}

test('--verify: in sync after a full sync; drift on the remote side is listed, exit 2, remote untouched; in sync again after -r', async () => {
  await fullSync();
  const clean = await sersync2(['--verify', '-o', config]);
  assert.equal(clean.stderr, '');
  assert.equal(clean.stdout, `127.0.0.1::mirror: in sync\n`);
  assert.equal(clean.status, 0);

  // Drift: a.txt deleted, sub/c.txt changed (older than ours, since -u keeps a newer remote file),
  // extra.txt added.
  fs.rmSync(path.join(daemon.dir, 'a.txt'));
  fs.writeFileSync(path.join(daemon.dir, 'sub', 'c.txt'), 'changed on the remote, longer\n');
  fs.utimesSync(path.join(daemon.dir, 'sub', 'c.txt'), new Date(2001, 0, 1), new Date(2001, 0, 1));
  fs.writeFileSync(path.join(daemon.dir, 'extra.txt'), 'not ours\n');
  const before = snapshot(daemon.dir);

  const drift = await sersync2(['--verify', '-o', config]);
  assert.equal(drift.stderr, '');
  assert.equal(drift.status, 2, drift.stdout);
  const lines = drift.stdout.split('\n');
  assert.equal(lines[0], '127.0.0.1::mirror: 2 to send, 1 to delete');
  assert.deepEqual(lines.slice(1).filter(Boolean).sort(), ['  *deleting   extra.txt', '  <f+++++++++ a.txt', '  <f.st...... sub/c.txt']);
  assert.deepEqual(snapshot(daemon.dir), before, '--verify changed the remote');

  const short = await sersync2(['--verify', '--verify-list', '1', '-o', config]);
  assert.equal(short.status, 2);
  assert.match(short.stdout, /^127\.0\.0\.1::mirror: 2 to send, 1 to delete\n  [^\n]+\n  \.\.\. and 2 more \(--verify-list N shows up to N\)\n$/);

  await fullSync();
  const whole = await sersync2(['--verify', '-o', config]);
  assert.equal(whole.stdout, '127.0.0.1::mirror: in sync\n');
  assert.equal(whole.status, 0);
  assert.equal(fs.existsSync(path.join(daemon.dir, 'extra.txt')), false, 'the full sync deletes (delete is on)');
});

test('--verify: a remote that refuses the connection, or never answers, is exit 1 and named; the others are still reported', async () => {
  const two = writeConfig(path.join(root, 'two.xml'), { watch, failLog: path.join(root, 'fail.sh'), port: daemon.port, remotes: [{ ip: '127.0.0.1', name: 'mirror' }, { ip: '127.0.0.2', name: 'mirror' }] });
  await fullSync();
  const refused = await sersync2(['--verify', '-o', two]);
  assert.equal(refused.status, 1, refused.stdout);
  assert.match(refused.stdout, /^127\.0\.0\.1::mirror: in sync\n127\.0\.0\.2::mirror: could not verify: rsync exit 10 \(error in socket I\/O\): rsync: (\[sender\] )?failed to connect to 127\.0\.0\.2.*Connection refused/);

  // A listener that accepts and says nothing: --verify-timeout bounds the wait.
  const silent = net.createServer(() => {});
  const port = await freePort();
  await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
  try {
    const mute = writeConfig(path.join(root, 'mute.xml'), { watch, failLog: path.join(root, 'fail.sh'), port });
    const started = Date.now();
    const r = await sersync2(['--verify', '--verify-timeout', '2', '-o', mute]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^127\.0\.0\.1::mirror: could not verify: rsync exit (30|35|12|5)\b/);
    assert.ok(Date.now() - started < 15_000, 'the timeout bounded the wait');
  } finally {
    silent.close();
  }
});

/** Processes whose command line holds `text` (read from /proc). */
function processesWith(text: string): number[] {
  return fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
    } catch {
      return false;
    }
  }).map(Number);
}

test('--verify: SIGTERM stops it and its dry runs at once (they run in sessions of their own)', async () => {
  const silent = net.createServer(() => {});
  const port = await freePort();
  await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
  try {
    const mute = writeConfig(path.join(root, 'mute-term.xml'), { watch, failLog: path.join(root, 'fail.sh'), port });
    const child = spawn(process.execPath, [BIN, '--verify', '--verify-timeout', '4277', '-o', mute], { stdio: 'ignore' });
    await waitFor('the dry run to start', () => processesWith('--timeout=4277').some((pid) => pid !== child.pid) || undefined);
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
    child.kill('SIGTERM');
    assert.equal(await exited, 143);
    await waitFor('no dry run left', () => processesWith('--timeout=4277').length === 0);
  } finally {
    silent.close();
  }
});

test('--verify: several configs, an unknown module, a bad config: one line each, exit 1, no stack trace', async () => {
  const wrong = writeConfig(path.join(root, 'wrong.xml'), { watch, failLog: path.join(root, 'fail.sh'), port: daemon.port, remotes: [{ ip: '127.0.0.1', name: 'nope' }] });
  const bad = path.join(root, 'bad.xml');
  fs.writeFileSync(bad, '<head><sersync>');
  const r = await sersync2(['--verify', '-o', config, '-o', wrong, '-o', bad]);
  assert.equal(r.status, 1);
  assert.match(r.stdout, new RegExp(`^${config}:\\n127\\.0\\.0\\.1::mirror: in sync\\n${wrong}:\\n127\\.0\\.0\\.1::nope: could not verify: rsync exit 5 \\(error starting client-server protocol\\): @ERROR: Unknown module 'nope'\\n${bad}:\\n$`));
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  const mixed = spawnSync(process.execPath, [BIN, '--verify', '--check', '-o', config], { encoding: 'utf8' });
  assert.equal(mixed.status, 1);
  assert.match(mixed.stderr, /^sersync2: --verify checks the rsync remotes; it does not go with --check\n/);
  const list = spawnSync(process.execPath, [BIN, '--verify', '--verify-list', 'x', '-o', config], { encoding: 'utf8' });
  assert.match(list.stderr, /^sersync2: --verify-list takes a number of paths from 0 to 1000000, got 'x'\n/);
});

test('--verify --config-dir: each *.xml of the directory, in name order, one verdict per remote', async () => {
  const dir = path.join(root, 'conf.d');
  fs.mkdirSync(dir);
  const first = writeConfig(path.join(dir, '10-mirror.xml'), { watch, failLog: path.join(root, 'fail.sh'), port: daemon.port });
  const second = writeConfig(path.join(dir, '20-nope.xml'), { watch, failLog: path.join(root, 'fail.sh'), port: daemon.port, remotes: [{ ip: '127.0.0.1', name: 'nope' }] });
  const r = await sersync2(['--verify', '--config-dir', dir]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, new RegExp(`^${first}:\\n127\\.0\\.0\\.1::mirror: in sync\\n${second}:\\n127\\.0\\.0\\.1::nope: could not verify: `));
});

test('itemize lines: sends, deletes; a directory that differs only in its time is not a change; -v chatter is skipped', () => {
  assert.deepEqual(classifyLine('>f+++++++++ a b.txt'), { kind: 'send', line: '>f+++++++++ a b.txt' });
  assert.deepEqual(classifyLine('*deleting   old/'), { kind: 'delete', line: '*deleting   old/' });
  assert.equal(classifyLine('.d..t...... ./'), undefined);
  assert.deepEqual(classifyLine('.d...p..... sub/'), { kind: 'send', line: '.d...p..... sub/' });
  assert.deepEqual(classifyLine('cL+++++++++ l -> t'), { kind: 'send', line: 'cL+++++++++ l -> t' });
  for (const chatter of ['sending incremental file list', 'sent 1,234 bytes  received 56 bytes  2,580.00 bytes/sec', 'total size is 12  speedup is 0.01 (DRY RUN)', '']) assert.equal(classifyLine(chatter), undefined);
});

test('the dry run is the full sync\'s own command: options, port, timeout, auth, --delete, crontabfilter excludes; ssh', () => {
  const stock = fs.readFileSync(path.join(GOLDEN_DIR, 'stock-confxml.xml'), 'utf8');
  const load = (xml: string) => parseConfig(Buffer.from(xml), '/c.xml').config;
  const plain = load(stock);
  const remote = plain.sersync.localpath.remotes[0]!;
  assert.equal(render(rsyncCommand(verifySettings(plain), remote, { kind: 'full' })), 'cd /opt/tongbu && rsync -artuz -R --delete ./ 127.0.0.1::tongbu1 >/dev/null 2>&1 ');
  assert.equal(verifyCommand(verifySettings(plain), remote, 30), 'cd /opt/tongbu && rsync -artuz -R --dry-run --itemize-changes --delete ./ --contimeout=30 --timeout=30 127.0.0.1::tongbu1');
  assert.equal(remoteLabel(verifySettings(plain), remote), '127.0.0.1::tongbu1');

  // crontabfilter on (crontab itself off): its excludes count; the config's own timeout and port are kept.
  const tuned = load(stock
    .replace('<crontabfilter start="false">', '<crontabfilter start="true">')
    .replace('<userDefinedPort start="false" port="874"/>', '<userDefinedPort start="true" port="8873"/>')
    .replace('<timeout start="false" time="100"/>', '<timeout start="true" time="100"/>')
    .replace('<auth start="false" users="root" passwordfile="/etc/rsync.pas"/>', '<auth start="true" users="backup" passwordfile="/etc/rsync.pas"/>')
    .replace('<delete start="true"/>', '<delete start="false"/>'));
  assert.equal(verifyCommand(verifySettings(tuned), remote, 7), 'cd /opt/tongbu && rsync -artuz -R --dry-run --itemize-changes  ./  --port=8873  --timeout=100 --contimeout=7 backup@127.0.0.1::tongbu1 --password-file=/etc/rsync.pas --exclude="*.php" --exclude="info/*"');

  const ssh = load(stock.replace('<ssh start="false"/>', '<ssh start="true"/>'));
  assert.equal(verifyCommand(verifySettings(ssh), remote, 30), 'cd /opt/tongbu && rsync -artuz -R --dry-run --itemize-changes --delete ./  -e ssh --timeout=30 127.0.0.1:tongbu1');
  assert.equal(remoteLabel(verifySettings(ssh), remote), '127.0.0.1:tongbu1');
});
