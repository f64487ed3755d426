/**
 * Configs as they are found in the wild (fixtures/wild-configs, one pattern each, SOURCES says
 * where): `sersync2 --check` prints exactly the lines of the .expect file on stderr, exits 0 when
 * they are only warnings (sersync2 ran the file as meant) and 1 when one is an error, and never
 * prints a stack trace. A few then run in the daemon (--dry-run) to show the commands they give.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError } from '../lib/config/errors';
import { loadConfigFile } from '../lib/config/load';
import { checkConfigs, startSersync } from './helpers/sersync';
import { tempDir } from './helpers/tempDir';
import { waitFor } from './helpers/wait';
import { escapeRegExp } from './helpers/regexp';

const DIR = path.resolve(__dirname, '../../fixtures/wild-configs');
const names = fs.readdirSync(DIR).filter((f) => f.endsWith('.xml')).map((f) => f.slice(0, -4)).sort();
/** Extra command-line words for a fixture. */
const ARGS: Readonly<Record<string, readonly string[]>> = { '21-plugin-only-with-m': ['-m', 'command'] };
const STACK = /^\s+at |\bError\b|internal error/m;
const file = (name: string) => path.join(DIR, `${name}.xml`);

const check = (name: string) => checkConfigs([...(ARGS[name] ?? []), '-o', file(name)]);

test('at least 30 patterns, each with its .expect and a line in SOURCES', () => {
  assert.ok(names.length >= 30, `only ${names.length}`);
  const sources = fs.readFileSync(path.join(DIR, 'SOURCES'), 'utf8');
  for (const name of names) {
    assert.ok(fs.existsSync(path.join(DIR, `${name}.expect`)), `${name}.expect`);
    assert.match(sources, new RegExp(`^${name} `, 'm'), `${name} in SOURCES`);
  }
});

for (const name of names) {
  test(`--check ${name}`, () => {
    const expected = fs.readFileSync(path.join(DIR, `${name}.expect`), 'utf8').replaceAll('{FILE}', file(name));
    const run = check(name);
    assert.equal(run.stderr, expected);
    assert.doesNotMatch(run.stdout + run.stderr, STACK);
    const lines = expected.split('\n').filter(Boolean);
    // Every line names the file and its line; an error is any line that is not a warning.
    for (const line of lines) assert.ok(line.startsWith(`${file(name)}:`), line);
    const errors = lines.filter((l) => !l.slice(file(name).length).match(/^:\d+: warning/));
    assert.equal(run.status, errors.length > 0 ? 1 : 0, `exit code; stderr: ${run.stderr}`);
    if (run.status === 0) assert.match(run.stdout, new RegExp(`^${escapeRegExp(file(name))}: OK$`, 'm'));
    else assert.equal(run.stdout, '');
  });
}

const load = (name: string, standalonePlugin?: 'command') => loadConfigFile(file(name), { standalonePlugin });
const codes = (name: string) => {
  try {
    load(name);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems.map((p) => p.code);
  }
  return [];
};

test('unquoted values are read as sersync2 reads them: up to whitespace, "/>" or ">"', () => {
  const c1 = load('01-sed-unquoted-watch-and-remote').config;
  assert.equal(c1.sersync.localpath.watch, '/tmp');
  assert.deepEqual(c1.sersync.localpath.remotes, [{ ip: '172.16.3.41', name: 'nfsbackup' }], 'name=nfsbackup/> is nfsbackup; the commented copy is not read');
  const c2 = load('02-sed-unquoted-auth-before-slash').config;
  assert.deepEqual(c2.sersync.rsync.auth, { enabled: true, users: 'rsync_backup', passwordFile: '/etc/rsync.password' });
  assert.equal(load('03-sed-unquoted-faillog-path').config.sersync.failLog.path, '/usr/local/sersync/rsync_fail_log');
  assert.deepEqual(load('04-ansible-unquoted-start-false').config.sersync.rsync.timeout, { enabled: false, time: 100 });
  // Line numbers stay exact after quoting: every warning names the line of its tag.
  assert.deepEqual(load('01-sed-unquoted-watch-and-remote').warnings.map((w) => Number(/:(\d+): warning/.exec(w)![1])), [21, 22]);
});

test('text outside the root is ignored with a warning; the elements after it are read', () => {
  const { config, warnings } = load('20-browser-view-dashes');
  assert.equal(config.sersync.localpath.watch, '/tmp');
  assert.deepEqual(config.sersync.localpath.remotes, [{ ip: '10.1.1.8', name: 'www' }]);
  assert.equal(warnings.length, 1);
  assert.equal(load('30-text-after-root').warnings.length, 1);
});

test('a comment with "--" in it stays a comment, as for sersync2', () => {
  const { config, warnings } = load('33-commented-out-params-with-dashes');
  assert.equal(config.sersync.rsync.commonParams, '-az');
  assert.equal(warnings.length, 1);
  assert.equal(load('34-decorative-comment-separators').warnings.length, 1, 'said once per file');
});

test('a remote-less file runs with -m and is refused without it', () => {
  const { config } = load('21-plugin-only-with-m', 'command');
  assert.deepEqual(config.sersync.localpath.remotes, []);
  assert.equal(config.plugins.command!.prefix, '/usr/local/bin/purge.sh');
  assert.deepEqual(codes('22-plugin-only-without-m'), ['NO_REMOTE']);
});

test('several directories in one file: one error, whichever way they were written', () => {
  assert.deepEqual(codes('23-four-localpaths'), ['DUPLICATE_ELEMENT']);
  assert.deepEqual(codes('24-two-sersync-blocks'), ['DUPLICATE_ELEMENT']);
});

/** Runs a fixture in the daemon on a directory of its own, in --dry-run; returns what it printed. */
async function dryRun(name: string, touch: string, expect: (dir: string) => string, args: readonly string[] = ['-r']): Promise<string> {
  const dir = tempDir('wild-');
  const watch = path.join(dir, 'w');
  fs.mkdirSync(watch);
  const text = fs.readFileSync(file(name), 'utf8').replace(/watch=("?)\/tmp\1(?=[\s>])/, `watch=$1${watch}$1`).replaceAll('/tmp/rsync_fail_log.sh', path.join(dir, 'fail.sh'));
  assert.ok(text.includes(watch), 'the watch path was replaced');
  const config = path.join(dir, 'confxml.xml');
  fs.writeFileSync(config, text);
  const sersync = await startSersync(['--dry-run', ...args, '-o', config]);
  try {
    fs.writeFileSync(path.join(watch, touch), 'x');
    const line = expect(watch);
    await waitFor(`the command ${line}`, () => sersync.stdout().includes(line), 15_000);
    return sersync.stdout() + sersync.stderr();
  } finally {
    assert.equal(await sersync.stop(), 0);
  }
}

test('daemon: the unquoted sed config syncs to nfsbackup with the auth it meant', async () => {
  const out = await dryRun('02-sed-unquoted-auth-before-slash', 'a.txt', (w) => `cd ${w} && rsync -artuz -R  --timeout=100 "./a.txt" rsync_backup@172.16.3.41::nfsbackup --password-file=/etc/rsync.password >/dev/null 2>&1 \n`);
  assert.ok(out.includes('rsync -artuz -R --delete ./  --timeout=100 rsync_backup@172.16.3.41::nfsbackup --password-file=/etc/rsync.password >/dev/null 2>&1 \n'), 'the -r full sync');
  assert.match(out, /confxml\.xml:26: warning: <sersync><rsync><auth>: attribute values without quotes/);
});

test('daemon: watch=/tmp and name=nfsbackup/> unquoted', async () => {
  await dryRun('01-sed-unquoted-watch-and-remote', 'b.txt', (w) => `cd ${w} && rsync -artuz -R "./b.txt" 172.16.3.41::nfsbackup >/dev/null 2>&1 \n`);
});

test('daemon: -m command with no remote runs the command and no rsync', async () => {
  const out = await dryRun('21-plugin-only-with-m', 'c.html', (w) => `/usr/local/bin/purge.sh ${w}/c.html  >/dev/null 2>&1 \n`, ['-m', 'command']);
  assert.doesNotMatch(out, /rsync -artuz/);
});
