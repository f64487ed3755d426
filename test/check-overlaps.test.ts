/** `--check` on several files lists what they would mirror twice: nested watch roots, one remote target. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { writeConfig } from './helpers/config';
import { checkConfigs } from './helpers/sersync';
import { tempDir } from './helpers/tempDir';

const check = (files: readonly string[]) => checkConfigs(files.flatMap((f) => ['-o', f]));

/** A config named `name` in `root` watching `watch` (made), sending to `remotes`. */
function config(root: string, name: string, watch: string, remotes: ReadonlyArray<{ ip: string; name: string }>): string {
  fs.mkdirSync(watch, { recursive: true });
  return writeConfig(path.join(root, name), { watch, failLog: path.join(root, `${name}.fail.sh`), remotes });
}

const overlapLines = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('  ') && (l.includes('mirrored by both') || l.includes('both send to'))).map((l) => l.trim());

test('nested roots, a root reached through a symlink and one module fed from two trees are listed; the files stay valid (exit 0)', () => {
  const root = tempDir('overlaps');
  const data = path.join(root, 'data');
  const a = config(root, 'a.xml', data, [{ ip: '127.0.0.1', name: 'data' }]);
  const b = config(root, 'b.xml', path.join(data, 'www'), [{ ip: '127.0.0.1', name: 'www' }]);
  const c = config(root, 'c.xml', path.join(root, 'srv'), [{ ip: '127.0.0.1', name: 'data' }]);
  fs.symlinkSync(data, path.join(root, 'link'));
  const d = config(root, 'd.xml', path.join(root, 'link'), [{ ip: '127.0.0.2', name: 'copy' }]);
  const run = check([a, b, c, d]);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^overlaps \(the same files mirrored twice\):$/m);
  assert.deepEqual(overlapLines(run.stdout), [
    `${data}/www (${b}) is inside ${data} (${a}): its files are mirrored by both`,
    `${a} and ${c} both send to 127.0.0.1::data (from ${data} and ${root}/srv: each one's deletes can remove what the other sent)`,
    `${a} and ${d} both watch ${data}: its files are mirrored by both`,
    `${data}/www (${b}) is inside ${root}/link (${d}): its files are mirrored by both`,
  ]);
  assert.match(run.stdout, /^4 of 4 config files are valid$/m);
});

test('separate trees to separate modules: no overlap listed; a sibling whose name starts like another is not inside it', () => {
  const root = tempDir('overlaps');
  const a = config(root, 'a.xml', path.join(root, 'data'), [{ ip: '127.0.0.1', name: 'one' }]);
  const b = config(root, 'b.xml', path.join(root, 'data2'), [{ ip: '127.0.0.1', name: 'two' }]);
  const run = check([a, b]);
  assert.equal(run.status, 0, run.stderr);
  assert.doesNotMatch(run.stdout, /^overlaps \(/m);
  assert.match(run.stdout, /^2 of 2 config files are valid$/m);
});

test('configs given one fail log (also through a symlinked directory) are listed on one line under shared fail logs; one with its own is not; still valid', () => {
  const root = tempDir('overlaps');
  const own = (name: string, failLog: string) => {
    fs.mkdirSync(path.join(root, `w-${name}`));
    return writeConfig(path.join(root, name), { watch: path.join(root, `w-${name}`), failLog, remotes: [{ ip: '127.0.0.1', name }] });
  };
  fs.symlinkSync(root, path.join(root, 'link'));
  const a = own('a.xml', path.join(root, 'rsync_fail_log.sh'));
  const b = own('b.xml', path.join(root, 'link', 'rsync_fail_log.sh'));
  const c = own('c.xml', path.join(root, 'c.fail.sh'));
  const d = own('d.xml', path.join(root, 'rsync_fail_log.sh'));
  const run = check([a, b, c, d]);
  assert.equal(run.status, 0, run.stderr);
  assert.doesNotMatch(run.stdout, /^overlaps \(/m);
  const lines = run.stdout.split('\n');
  const section = lines.slice(lines.indexOf("shared fail logs (each one's run would run the others' commands too; give each config its own):") + 1);
  // One line per fail log, however many share it.
  assert.deepEqual(section.filter((l) => l.startsWith('  ')), [`  ${root}/rsync_fail_log.sh: ${a}, ${b}, ${d}`]);
  assert.match(run.stdout, /^4 of 4 config files are valid$/m);
});
