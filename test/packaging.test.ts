/**
 * What operators install: the systemd unit (parsed, and `systemd-analyze verify` where the tool
 * exists), the man page (rendered with man -l / groff, warnings fail), `make install` into a
 * prefix used from another directory, and the SysV init script driving the real binary.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { writeConfig } from './helpers/config';
import { commandRecorder } from './helpers/sersync';
import { waitFor } from './helpers/wait';

const REPO = path.resolve(__dirname, '../..');
const UNIT = path.join(REPO, 'packaging/systemd/sersync2@.service');
const INIT = path.join(REPO, 'packaging/init.d/sersync2');
const MAN = path.join(REPO, 'man/sersync2.1');

const roots: string[] = [];
const cleanups: Array<() => void> = [];
after(() => {
  for (const cleanup of cleanups) cleanup();
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
});

function tempDir(name: string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));
  roots.push(root);
  return root;
}

function have(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
}

type Unit = Map<string, Map<string, string[]>>;

/** systemd's unit syntax: `[Section]`, `Key=Value` (a key may repeat), `#`/`;` comments. */
function parseUnit(text: string): Unit {
  const unit: Unit = new Map();
  let section: Map<string, string[]> | undefined;
  text.split('\n').forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) return;
    const header = /^\[([A-Za-z]+)\]$/.exec(trimmed);
    if (header) {
      assert.ok(!unit.has(header[1]!), `line ${i + 1}: section [${header[1]}] twice`);
      section = new Map();
      unit.set(header[1]!, section);
      return;
    }
    const kv = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(trimmed);
    assert.ok(kv, `line ${i + 1}: not Key=Value: ${line}`);
    assert.ok(section, `line ${i + 1}: a key before any section`);
    section.set(kv[1]!, [...(section.get(kv[1]!) ?? []), kv[2]!]);
  });
  return unit;
}

test('the systemd unit: sections, keys, one instance per /etc/sersync/%i.xml', () => {
  const unit = parseUnit(fs.readFileSync(UNIT, 'utf8'));
  assert.deepEqual([...unit.keys()], ['Unit', 'Service', 'Install']);
  const service = unit.get('Service')!;
  const one = (key: string) => {
    const values = service.get(key);
    assert.equal(values?.length, 1, `[Service] ${key} once`);
    return values![0]!;
  };
  const start = one('ExecStart');
  assert.match(start, /^\/usr\/local\/bin\/sersync2 -r -o \/etc\/sersync\/%i\.xml /);
  assert.doesNotMatch(start, / -d( |$)/, 'systemd supervises the process: no -d');
  // Per-instance files, so instances never share a log or status file.
  assert.match(start, /--log-file \/var\/log\/sersync2\/%i\.log/);
  assert.match(start, /--status-file \/run\/sersync2\/%i\/status\.json/);
  assert.equal(one('RuntimeDirectory'), 'sersync2/%i');
  assert.equal(one('Restart'), 'on-failure');
  assert.equal(one('ProtectSystem'), 'strict');
  assert.equal(one('KillMode'), 'mixed');
  assert.equal(one('Environment'), 'SERSYNC2_SYSCTL=0');
  assert.ok(!service.has('PrivateTmp'), 'PrivateTmp would empty the stock /tmp fail log at every restart');
  assert.match(one('ReadWritePaths'), /(^| )\/tmp( |$)/);
  assert.match(one('ExecStartPre'), /sersync2 --check -o \/etc\/sersync\/%i\.xml$/);
  assert.equal(unit.get('Unit')!.get('ConditionPathExists')?.[0], '/etc/sersync/%i.xml');
  assert.equal(unit.get('Install')!.get('WantedBy')?.[0], 'multi-user.target');
});

test('the man page renders without warnings', (t) => {
  if (!have('groff') && !have('man')) {
    t.skip('neither groff nor man is installed (apt-get install man-db)');
    return;
  }
  if (have('groff')) {
    // -ww: every warning; -z: no output. A roff mistake prints a warning here.
    const warnings = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-z', MAN], { encoding: 'utf8' });
    assert.equal(warnings.status, 0);
    assert.equal(warnings.stderr, '');
  }
  if (have('man')) {
    const rendered = spawnSync('man', ['-l', MAN], { encoding: 'utf8', env: { ...process.env, MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '100' } });
    assert.equal(rendered.status, 0, rendered.stderr);
    assert.equal(rendered.stderr, '');
    for (const heading of ['NAME', 'SYNOPSIS', 'OPTIONS', 'STATUS FILE', 'SIGNALS', 'EXIT STATUS', 'ENVIRONMENT', 'FILES', 'EXAMPLES']) {
      assert.match(rendered.stdout, new RegExp(`^${heading}$`, 'm'));
    }
    for (const flag of ['--status-file', '--log-file', 'SERSYNC2_SYSCTL', 'SERSYNC2_SHELL', 'SERSYNC2_MINUTE_MS', 'SIGUSR1']) assert.ok(rendered.stdout.includes(flag), flag);
  }
});

test('make install PREFIX: sersync2 works from another directory; man page and unit installed', (t) => {
  const prefix = tempDir('sersync2-prefix');
  // -o build: the tests run the dist/ already built; recompiling here would race the other tests.
  const make = spawnSync('make', ['-o', 'build', 'install', `PREFIX=${prefix}`], { cwd: REPO, encoding: 'utf8' });
  assert.equal(make.status, 0, make.stderr);
  const elsewhere = tempDir('sersync2-cwd');
  const bin = path.join(prefix, 'bin/sersync2');
  const help = spawnSync(bin, ['--help'], { cwd: elsewhere, encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^Usage: sersync2 /);

  const watch = path.join(elsewhere, 'w');
  fs.mkdirSync(watch);
  const config = writeConfig(path.join(elsewhere, 'confxml.xml'), { watch, failLog: path.join(elsewhere, 'fail.sh') });
  const check = spawnSync(bin, ['--check', '-o', config], { cwd: os.tmpdir(), encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
  assert.match(check.stdout, /: OK\n/);
  // The default ./confxml.xml is looked up in the working directory, not the install.
  const cwdCheck = spawnSync(bin, ['--check'], { cwd: elsewhere, encoding: 'utf8' });
  assert.equal(cwdCheck.status, 0, cwdCheck.stderr);

  const lib = path.join(prefix, 'lib/sersync2');
  assert.ok(fs.existsSync(path.join(lib, 'node_modules/log4js')), 'production dependencies installed');
  assert.ok(!fs.existsSync(path.join(lib, 'node_modules/typescript')), 'dev dependencies pruned');
  assert.ok(!fs.existsSync(path.join(lib, 'dist/test')), 'tests not installed');
  assert.ok(fs.existsSync(path.join(prefix, 'share/man/man1/sersync2.1')));
  const unitFile = path.join(prefix, 'lib/systemd/system/sersync2@.service');
  assert.match(fs.readFileSync(unitFile, 'utf8'), new RegExp(`^ExecStart=${prefix}/bin/sersync2 -r `, 'm'));

  if (!have('systemd-analyze')) {
    t.diagnostic('systemd-analyze not installed: the unit was parsed, not verified');
  } else {
    // verify needs an instance name, and finds man:sersync2(1) through MANPATH.
    const instance = path.join(prefix, 'sersync2@www.service');
    fs.copyFileSync(unitFile, instance);
    const verify = spawnSync('systemd-analyze', ['verify', instance], { encoding: 'utf8', env: { ...process.env, MANPATH: path.join(prefix, 'share/man') } });
    assert.equal(verify.status, 0, verify.stderr);
    // It exits 0 on unknown keys and bad values, and says so on stderr.
    assert.equal(verify.stderr, '');
    const dirUnit = path.join(prefix, 'lib/systemd/system/sersync2.service');
    assert.match(fs.readFileSync(dirUnit, 'utf8'), new RegExp(`^ExecStart=${prefix}/bin/sersync2 -r --config-dir /etc/sersync/conf.d `, 'm'));
    const verifyDir = spawnSync('systemd-analyze', ['verify', dirUnit], { encoding: 'utf8', env: { ...process.env, MANPATH: path.join(prefix, 'share/man') } });
    assert.deepEqual([verifyDir.status, verifyDir.stderr], [0, '']);
  }

  const uninstall = spawnSync('make', ['uninstall', `PREFIX=${prefix}`], { cwd: REPO, encoding: 'utf8' });
  assert.equal(uninstall.status, 0, uninstall.stderr);
  assert.ok(!fs.existsSync(bin) && !fs.existsSync(lib) && !fs.existsSync(unitFile));
});

test('the SysV init script passes shellcheck (POSIX sh)', (t) => {
  if (!have('shellcheck')) {
    t.skip('shellcheck is not installed (apt-get install shellcheck)');
    return;
  }
  const r = spawnSync('shellcheck', ['-s', 'sh', INIT], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout);
});

test('the SysV init script: start, status, second start, stop, one instance per config', async (t) => {
  const root = tempDir('sersync2-init');
  const confDir = path.join(root, 'conf');
  fs.mkdirSync(confDir);
  const recorder = commandRecorder(root);
  for (const name of ['www_confxml', 'img_confxml']) {
    const watch = path.join(root, name);
    fs.mkdirSync(watch);
    writeConfig(path.join(confDir, `${name}.xml`), { watch, failLog: path.join(root, `${name}.fail.sh`) });
  }
  const env = {
    ...process.env,
    ...recorder.env,
    SERSYNC2_SYSCTL: '0',
    SERSYNC2_BIN: path.join(REPO, 'bin/sersync2'),
    SERSYNC2_CONF_DIR: confDir,
    SERSYNC2_LOG_DIR: path.join(root, 'logs'),
    SERSYNC2_RUN_DIR: path.join(root, 'run'),
  };
  // A daemon that kept the script's stderr pipe used to hold each call until its timeout, and the
  // test still passed: a timeout, a signal or a spawn error now fails it.
  const init = (...args: string[]) => {
    const r = spawnSync('sh', [INIT, ...args], { env, encoding: 'utf8', timeout: 15_000 });
    assert.equal(r.error, undefined, `init ${args.join(' ')}: ${r.error?.message}`);
    assert.equal(r.signal, null, `init ${args.join(' ')}: killed by ${r.signal}`);
    return r;
  };
  const pidsOf = (name: string) => (/running \(pid ([0-9 ]+)\)/.exec(init('status', name).stdout)?.[1] ?? '').split(' ').filter(Boolean).map(Number);
  cleanups.push(() => {
    for (const name of ['www_confxml', 'img_confxml']) for (const pid of pidsOf(name)) process.kill(pid, 'SIGKILL');
  });

  assert.equal(init('status').status, 3, 'LSB: 3 when not running');
  const startedAt = performance.now();
  const started = init('start');
  const startMs = performance.now() - startedAt;
  t.diagnostic(`init start of two instances: ${startMs.toFixed(0)} ms`);
  assert.equal(started.status, 0, started.stderr);
  assert.equal(started.stderr, '');
  assert.match(started.stdout, /sersync2 img_confxml: started \(pid \d+\)/);
  assert.match(started.stdout, /sersync2 www_confxml: started \(pid \d+\)/);
  const www = pidsOf('www_confxml');
  const img = pidsOf('img_confxml');
  assert.equal(www.length, 1);
  assert.equal(img.length, 1);
  assert.notEqual(www[0], img[0]);

  // Each instance has its own status file, which `status` shows.
  await waitFor('both status files', () => fs.existsSync(path.join(root, 'run/www_confxml.status.json')) && fs.existsSync(path.join(root, 'run/img_confxml.status.json')));
  const status = init('status', 'www_confxml');
  assert.equal(status.status, 0);
  // The instance's status file, pretty-printed and indented under its line.
  assert.match(status.stdout, new RegExp(`^  sersync2 \\S+, pid ${www[0]}, started `, 'm'));
  assert.ok(fs.existsSync(path.join(root, 'logs/www_confxml.log')));

  const again = init('start', 'www_confxml');
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /already running/);
  assert.deepEqual(pidsOf('www_confxml'), www, 'a second start starts nothing');

  // Stopping one instance leaves the other running.
  const stopped = init('stop', 'www_confxml');
  assert.equal(stopped.status, 0, stopped.stderr);
  assert.equal(init('status', 'www_confxml').status, 3);
  assert.deepEqual(pidsOf('img_confxml'), img);

  assert.equal(init('stop').status, 0);
  assert.equal(init('status').status, 3);
});
