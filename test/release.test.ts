/**
 * The release artefacts, built here by `make dist` and `make deb` (about a minute together on a
 * loaded machine, hence only with SERSYNC2_RELEASE=1, as `make release-test` runs it). The
 * tarball's single executable runs with no `node` on PATH: --version, --check, and a real mirror
 * to a real rsync daemon (the embedded inotify and spawn addons load), also detached (-d). The
 * .deb's contents, control fields and maintainer scripts; its extracted usr/bin/sersync2 runs.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { writeConfig } from './helpers/config';
import { startRsyncDaemon, type RsyncDaemon } from './helpers/rsyncd';
import { tempDir } from './helpers/tempDir';
import { waitFor } from './helpers/wait';

const REPO = path.resolve(__dirname, '../..');
const VERSION = (JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
const NAME = `sersync2-${VERSION}-linux-x64`;
const TARBALL = path.join(REPO, 'dist', `${NAME}.tar.gz`);
const DEB = path.join(REPO, 'dist', `sersync2_${VERSION}_amd64.deb`);
const enabled = process.env.SERSYNC2_RELEASE === '1';
const skip = enabled ? false : 'the release artefacts take about a minute to build: make release-test';

let work: string;
/** A PATH with rsync and sh only: no node anywhere on it. */
let env: NodeJS.ProcessEnv;
const daemons: RsyncDaemon[] = [];
const pids: number[] = [];

before(() => {
  if (!enabled) return;
  // -o build: dist/lib is already compiled; recompiling here would race other tests.
  const make = spawnSync('make', ['-o', 'build', 'deb'], { cwd: REPO, encoding: 'utf8', timeout: 590_000 });
  assert.equal(make.status, 0, make.stdout + make.stderr);
  work = tempDir('release-');
  const bin = path.join(work, 'path');
  fs.mkdirSync(bin);
  for (const tool of ['rsync', 'sh']) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    fs.symlinkSync(found, path.join(bin, tool));
  }
  env = { PATH: bin, HOME: work, TMPDIR: path.join(work, 'tmp'), SERSYNC2_SYSCTL: '0' };
  fs.mkdirSync(env.TMPDIR!);
  assert.notEqual(spawnSync('/bin/sh', ['-c', 'command -v node'], { env }).status, 0, 'node is on the test PATH');
  assert.equal(spawnSync('tar', ['xzf', TARBALL, '-C', work]).status, 0);
});

after(async () => {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const d of daemons) await d.stop();
});

function run(file: string, args: readonly string[], cwd = work) {
  return spawnSync(file, args, { env, cwd, encoding: 'utf8', timeout: 30_000 });
}

test('the tarball: sersync2, confxml.xml and README.md; --version and --check with no node on PATH', { skip }, () => {
  const listing = spawnSync('tar', ['tzvf', TARBALL], { encoding: 'utf8' });
  assert.equal(listing.status, 0, listing.stderr);
  const entries = listing.stdout.trim().split('\n').map((line) => line.split(/\s+/));
  assert.deepEqual(entries.map((e) => e[5]).sort(), [`${NAME}/`, `${NAME}/README.md`, `${NAME}/confxml.xml`, `${NAME}/sersync2`]);
  assert.ok(entries.every((e) => e[1] === '0/0'), 'owned by root in the archive');
  assert.equal(entries.find((e) => e[5] === `${NAME}/sersync2`)![0], '-rwxr-xr-x');
  const exe = path.join(work, NAME, 'sersync2');
  const version = run(exe, ['--version']);
  assert.equal(version.status, 0, version.stderr);
  assert.equal(version.stdout, `sersync2 ${VERSION} (TypeScript; compatible with sersync2 2.5.4)\n`);
  assert.equal(version.stderr, '', 'no warning from the single executable');

  const watch = path.join(work, 'check-w');
  fs.mkdirSync(watch);
  const good = run(exe, ['--check', '-o', writeConfig(path.join(work, 'check.xml'), { watch, failLog: path.join(work, 'fail.sh') })]);
  assert.equal(good.status, 0, good.stderr);
  assert.match(good.stdout, /check\.xml: OK\n/);
  // The stock file as shipped: its /opt/tongbu does not exist here, one clear line.
  const stock = run(exe, ['--check', '-o', path.join(work, NAME, 'confxml.xml')]);
  assert.equal(stock.status, 1);
  assert.match(stock.stderr, /confxml\.xml:\d+: .*watch directory does not exist\n$/);
  assert.doesNotMatch(stock.stderr, /\n\s+at /);
});

test('the single executable mirrors to a real rsync daemon, in the foreground and with -d; its addon directory is gone at once', { skip }, async () => {
  const exe = path.join(work, NAME, 'sersync2');
  const daemon = await startRsyncDaemon(work);
  daemons.push(daemon);
  const watch = path.join(work, 'w');
  fs.mkdirSync(watch);
  const config = writeConfig(path.join(work, 'confxml.xml'), { watch, failLog: path.join(work, 'fail.sh'), port: daemon.port });

  const child = spawn(exe, ['-o', config], { env, cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
  pids.push(child.pid!);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor('the executable to watch', () => out.includes('watch path is: '), 20_000);
  assert.deepEqual(fs.readdirSync(env.TMPDIR!), [], 'the private addon directory was removed after loading');
  fs.writeFileSync(path.join(watch, 'one.txt'), 'from the single executable\n');
  await waitFor('one.txt on the remote', () => fs.existsSync(path.join(daemon.dir, 'one.txt')) && fs.readFileSync(path.join(daemon.dir, 'one.txt'), 'utf8') === 'from the single executable\n');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  assert.equal(await exited, 0, out);

  const status = path.join(work, 'status.json');
  const detached = run(exe, ['-d', '-o', config, '--status-file', status]);
  assert.equal(detached.status, 0, detached.stdout + detached.stderr);
  const pid = (await waitFor('the detached daemon\'s status file', () => fs.existsSync(status) && (JSON.parse(fs.readFileSync(status, 'utf8')) as { pid: number }).pid)) as number;
  pids.push(pid);
  fs.writeFileSync(path.join(watch, 'two.txt'), 'detached\n');
  await waitFor('two.txt on the remote', () => fs.existsSync(path.join(daemon.dir, 'two.txt')));
  process.kill(pid, 'SIGTERM');
  await waitFor('the detached daemon to stop', () => !fs.existsSync(`/proc/${pid}`) || fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] === 'Z');
});

test('the single executable skips a noexec temporary directory for its addons, and says so when every place is noexec', { skip }, (t) => {
  const exe = path.join(work, NAME, 'sersync2');
  // In a mount namespace of its own, so the noexec mounts are seen by this command alone.
  // unshare and mount need the system's PATH; the executable runs with the node-free one again.
  const script = `for d in @DIRS@; do mount -t tmpfs -o noexec tmpfs "$d" || exit 99; done; PATH="$1" exec "$0" --version`;
  const inNamespace = (dirs: readonly string[]) => spawnSync('unshare', ['-m', '--propagation', 'private', '/bin/sh', '-c', script.replace('@DIRS@', dirs.join(' ')), exe, env.PATH!], { env: { ...env, PATH: '/usr/sbin:/usr/bin:/sbin:/bin' }, encoding: 'utf8', timeout: 30_000 });
  const probe = inNamespace([env.TMPDIR!]);
  if (probe.status === 99 || probe.error) {
    t.skip(`cannot mount a tmpfs in a private mount namespace here: ${probe.error?.message ?? probe.stderr.trim()}`);
    return;
  }
  assert.equal(probe.status, 0, probe.stderr);
  assert.equal(probe.stderr, '', 'a noexec TMPDIR is skipped for /var/tmp, quietly');
  const none = inNamespace([env.TMPDIR!, '/var/tmp', '/dev/shm']);
  assert.equal(none.status, 0, '--version works without the addons');
  assert.match(none.stderr, /^sersync2: cannot load the built-in addons: .*\/tmp: .*; \/var\/tmp: .*; \/dev\/shm: .*\n$/);
});

test('the .deb: layout, Depends without Node, maintainer scripts that only reload systemd; usr/bin/sersync2 runs', { skip }, () => {
  const field = (name: string) => spawnSync('dpkg-deb', ['-f', DEB, name], { encoding: 'utf8' }).stdout.trim();
  assert.equal(field('Package'), 'sersync2');
  assert.equal(field('Version'), VERSION);
  assert.equal(field('Architecture'), 'amd64');
  assert.match(field('Depends'), /^rsync(,|$)/);
  assert.doesNotMatch(field('Depends'), /node/, 'the executable carries Node');

  const listing = spawnSync('dpkg-deb', ['-c', DEB], { encoding: 'utf8' }).stdout;
  const files = listing.trim().split('\n').map((line) => line.split(/\s+/).slice(5).join(' '));
  for (const want of ['./usr/lib/sersync2/sersync2', './usr/bin/sersync2 -> ../lib/sersync2/sersync2', './usr/lib/systemd/system/sersync2@.service', './usr/share/man/man1/sersync2.1.gz', './usr/lib/sysctl.d/60-sersync2.conf', './usr/share/doc/sersync2/README.md', './usr/share/doc/sersync2/examples/confxml.xml', './usr/share/doc/sersync2/copyright']) {
    assert.ok(files.includes(want), `${want} in the package:\n${files.join('\n')}`);
  }
  assert.ok(listing.split('\n').filter(Boolean).every((line) => line.split(/\s+/)[1] === 'root/root'));
  assert.ok(!files.some((f) => f.startsWith('./etc/')), 'no files in /etc: nothing for dpkg to keep as a conffile');

  const root = path.join(work, 'deb');
  assert.equal(spawnSync('dpkg-deb', ['-x', DEB, root]).status, 0);
  const version = run(path.join(root, 'usr/bin/sersync2'), ['--version']);
  assert.equal(version.status, 0, version.stderr);
  assert.match(version.stdout, new RegExp(`^sersync2 ${VERSION.replace(/\./g, '\\.')} `));
  const unit = fs.readFileSync(path.join(root, 'usr/lib/systemd/system/sersync2@.service'), 'utf8');
  assert.match(unit, /^ExecStart=\/usr\/bin\/sersync2 -r -o \/etc\/sersync\/%i\.xml /m);
  assert.match(unit, /^Environment=SERSYNC2_SYSCTL=0\nEnvironment="NODE_OPTIONS=--max-semi-space-size=1 --expose-gc"\n/m);
  assert.match(spawnSync('gzip', ['-dc', path.join(root, 'usr/share/man/man1/sersync2.1.gz')], { encoding: 'utf8' }).stdout, /^\.TH SERSYNC2 1/m);

  const control = path.join(work, 'control');
  assert.equal(spawnSync('dpkg-deb', ['-e', DEB, control]).status, 0);
  assert.deepEqual(fs.readdirSync(control).sort(), ['control', 'md5sums', 'postinst', 'postrm']);
  for (const script of ['postinst', 'postrm']) {
    const code = fs.readFileSync(path.join(control, script), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    assert.deepEqual(code, ['set -e', 'if [ -d /run/systemd/system ]; then', 'systemctl daemon-reload >/dev/null 2>&1 || true', 'fi'], script);
    assert.equal(fs.statSync(path.join(control, script)).mode & 0o777, 0o755);
  }
});
