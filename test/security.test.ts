/**
 * SECURITY.md, checked: the daemon runs as an unprivileged user (nobody, through setpriv) and
 * mirrors a tree that user can read; the fail log it creates is 0600 and its own; it opens no
 * listening socket; the rsync password file's content never reaches its output.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { writeConfig } from './helpers/config';
import { startRsyncDaemon } from './helpers/rsyncd';
import { spawnCollecting } from './helpers/proc';
import { BIN } from './helpers/sersync';
import { waitFor } from './helpers/wait';

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Inodes of the sockets a process holds that are listening (TCP LISTEN, any UDP). */
function listeningSockets(pid: number): string[] {
  const listening = new Set<string>();
  for (const table of ['tcp', 'tcp6', 'udp', 'udp6']) {
    let text = '';
    try {
      text = fs.readFileSync(`/proc/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && (table.startsWith('udp') || f[3] === '0A')) listening.add(f[9]!);
    }
  }
  const held: string[] = [];
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m && listening.has(m[1]!)) held.push(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  return held;
}

test('runs as nobody: mirrors, creates its fail log 0600, listens on nothing, never prints the password', { timeout: 60_000, skip: process.getuid?.() !== 0 ? 'needs root to switch to nobody' : false }, async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'security-'));
  cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }));
  fs.chmodSync(root, 0o755);
  const watch = path.join(root, 'w');
  fs.mkdirSync(path.join(watch, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(watch, 'sub', 'before.txt'), 'before');
  const state = path.join(root, 'state');
  fs.mkdirSync(state);
  fs.chownSync(state, 65534, 65534);
  const secret = 'S3cr3t-pa55word';
  const daemon = await startRsyncDaemon(root, 'mirror', `  auth users = sync\n  secrets file = ${root}/rsyncd.secrets\n  strict modes = no\n`);
  cleanups.push(() => daemon.stop());
  fs.writeFileSync(path.join(root, 'rsyncd.secrets'), `sync:${secret}\n`, { mode: 0o600 });
  const passwordFile = path.join(state, 'rsync.pas');
  fs.writeFileSync(passwordFile, `${secret}\n`, { mode: 0o600 });
  fs.chownSync(passwordFile, 65534, 65534);
  const failLog = path.join(state, 'fail.sh');
  let xml = fs.readFileSync(writeConfig(path.join(root, 'confxml.xml'), { watch, failLog, port: daemon.port, debug: true }), 'utf8');
  xml = xml.replace(/<auth start="false" users="root" passwordfile="\/etc\/rsync.pas"\/>/, `<auth start="true" users="sync" passwordfile="${passwordFile}"/>`);
  assert.ok(xml.includes(passwordFile));
  fs.writeFileSync(path.join(root, 'confxml.xml'), xml);
  fs.chmodSync(path.join(root, 'confxml.xml'), 0o644);

  const sersync = spawnCollecting('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, '-r', '-o', path.join(root, 'confxml.xml')], {
    env: { ...process.env, SERSYNC2_SYSCTL: '1' },
    cwd: state,
  });
  cleanups.push(() => sersync.stop());
  const { child } = sersync;
  await waitFor('the daemon to start as nobody', () => sersync.output().includes('watch path is: '), 20_000);
  const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
  assert.match(status, /^Uid:\s+65534\s+65534/m, 'the daemon runs as nobody');
  await waitFor('the -r full sync', () => fs.existsSync(path.join(daemon.dir, 'sub', 'before.txt')), 20_000);
  fs.writeFileSync(path.join(watch, 'sub', 'after.txt'), 'after');
  await waitFor('a live event to be mirrored', () => fs.existsSync(path.join(daemon.dir, 'sub', 'after.txt')), 20_000);

  const st = fs.statSync(failLog);
  assert.equal((st.mode & 0o777).toString(8), '600');
  assert.equal(st.uid, 65534);
  assert.deepEqual(listeningSockets(child.pid!), [], 'no listening socket');
  assert.ok(!sersync.output().includes(secret), 'the password never appears in the output');
  assert.ok(sersync.output().includes(`--password-file=${passwordFile}`), 'the debug output shows the commands (with the password file path only)');
});
