/** `--config-dir DIR`: every *.xml in it, in byte order of the names, with --check (and --verify: verify.test.ts). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { writeConfig } from './helpers/config';
import { BIN } from './helpers/sersync';
import { tempDir } from './helpers/tempDir';
import { escapeRegExp } from './helpers/regexp';

function sersync2(args: readonly string[]) {
  const run = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(run.error, undefined, `spawn failed: ${run.error}`);
  return run;
}

test('--check --config-dir: each *.xml in byte order; dot files, other names and directories left out; a bad one is named, exit 1', () => {
  const root = tempDir('config-dir');
  const dir = path.join(root, 'conf.d');
  fs.mkdirSync(dir);
  const good = (name: string) => {
    const watch = path.join(root, name);
    fs.mkdirSync(watch);
    return writeConfig(path.join(dir, name), { watch, failLog: path.join(root, `${name}.fail.sh`) });
  };
  // Byte order puts 'B' before 'a' (as LC_ALL=C ls), whatever the locale.
  const [a, upper] = [good('a.xml'), good('B.xml')];
  fs.writeFileSync(path.join(dir, 'c.xml'), '<head><sersync>');
  fs.writeFileSync(path.join(dir, '.a.xml'), 'an editor\'s copy');
  fs.writeFileSync(path.join(dir, 'a.xml.bak'), 'kept by hand');
  fs.mkdirSync(path.join(dir, 'd.xml'));
  const run = sersync2(['--check', '--config-dir', dir]);
  assert.equal(run.status, 1, run.stderr);
  const reported = run.stdout.split('\n').filter((l) => / OK$/.test(l));
  assert.deepEqual(reported, [`${upper}: OK`, `${a}: OK`]);
  assert.match(run.stdout, /^2 of 3 config files are valid$/m);
  assert.match(run.stderr, new RegExp(`^${escapeRegExp(path.join(dir, 'c.xml'))}:`, 'm'));
  assert.doesNotMatch(run.stderr, /\n\s+at /);
});

test('--config-dir: a missing or empty directory is one line, exit 1; with -o it is refused; the daemon refuses it the same way', () => {
  const root = tempDir('config-dir');
  const missing = sersync2(['--check', '--config-dir', path.join(root, 'nope')]);
  assert.deepEqual([missing.status, missing.stderr], [1, `sersync2: --config-dir ${path.join(root, 'nope')}: no such file or directory (ENOENT)\n`]);
  const empty = sersync2(['--check', '--config-dir', root]);
  assert.deepEqual([empty.status, empty.stderr], [1, `sersync2: --config-dir ${root}: no *.xml file in it\n`]);
  const both = sersync2(['--check', '--config-dir', root, '-o', 'x.xml']);
  assert.equal(both.status, 1);
  assert.match(both.stderr, /^sersync2: -o and --config-dir do not go together/);
  const daemon = sersync2(['--config-dir', root]);
  assert.equal(daemon.status, 1);
  assert.equal(daemon.stderr, `sersync2: --config-dir ${root}: no *.xml file in it\n`);
});

test('--check --config-dir: a name with a newline and an escape is checked on one line; one that is not UTF-8 is named, not dropped, exit 1', () => {
  const root = tempDir('config-dir-names');
  const dir = path.join(root, 'conf.d');
  fs.mkdirSync(dir);
  const watch = path.join(root, 'w');
  fs.mkdirSync(watch);
  const hostile = writeConfig(path.join(dir, 'x\nERROR: forged \x1b[31m.xml'), { watch, failLog: path.join(root, 'x.fail.sh') });
  // Node cannot name this file by a string: written by its bytes.
  const raw = Buffer.concat([Buffer.from(`${dir}/n`), Buffer.from([0xff]), Buffer.from('.xml')]);
  fs.writeFileSync(raw, fs.readFileSync(hostile));
  const run = sersync2(['--check', '--config-dir', dir]);
  assert.equal(run.status, 1, run.stderr);
  assert.ok(!`${run.stdout}${run.stderr}`.includes('\x1b'), 'no escape byte is printed');
  assert.deepEqual(run.stdout.split('\n').filter((l) => l.includes('forged')), [`"${dir}/x\\nERROR: forged \\x1b[31m.xml": OK`]);
  assert.equal(run.stderr, `"${dir}/n\\xff.xml": its name is not UTF-8, so it cannot be given as a path: rename it\n`);
  assert.match(run.stdout, /^1 of 2 config files are valid$/m);
});

test('--check --config-dir: a symlink to a config that is gone, a symlink loop and a fifo are each named with why, not dropped; exit 1', () => {
  const root = tempDir('config-dir-kinds');
  const dir = path.join(root, 'conf.d');
  fs.mkdirSync(dir);
  fs.mkdirSync(path.join(root, 'w'));
  writeConfig(path.join(dir, 'ok.xml'), { watch: path.join(root, 'w'), failLog: path.join(root, 'ok.fail.sh') });
  fs.symlinkSync(path.join(root, 'moved-away.xml'), path.join(dir, 'moved.xml'));
  fs.symlinkSync('loop.xml', path.join(dir, 'loop.xml'));
  const fifo = spawnSync('mkfifo', [path.join(dir, 'fifo.xml')]);
  assert.equal(fifo.status, 0, String(fifo.stderr));
  const run = sersync2(['--check', '--config-dir', dir]);
  assert.equal(run.status, 1, run.stderr);
  assert.deepEqual(run.stderr.split('\n').filter(Boolean), [
    `${dir}/fifo.xml: it is not a regular file`,
    `${dir}/loop.xml: it cannot be read (ELOOP)`,
    `${dir}/moved.xml: it is a symbolic link to ${root}/moved-away.xml, which is not there`,
  ]);
  assert.match(run.stdout, /^1 of 4 config files are valid$/m);
});
