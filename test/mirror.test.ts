/**
 * A real mirror: the real bin/sersync2 watches a directory through the kernel's inotify and runs
 * real rsync against a real `rsync --daemon` on 127.0.0.1; afterwards the remote tree must equal
 * the local one byte for byte, apart from what sersync2's rules skip on purpose (dotfiles, `~`).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { writeConfig } from './helpers/config';
import { startRsyncDaemon, type RsyncDaemon } from './helpers/rsyncd';
import { startSersync, type RunningSersync } from './helpers/sersync';
import { waitForMirror } from './helpers/tree';

let root: string;
let watch: string;
let outside: string;
let daemon: RsyncDaemon;
let sersync: RunningSersync;

/** What sersync2 never syncs: files named .x, x~ or 4913 (directories named .x are synced). */
const skippedByRules = (name: Buffer, isDir: boolean) => !isDir && (name[0] === 0x2e || name[name.length - 1] === 0x7e || name.toString() === '4913');

before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'mirror-'));
  watch = path.join(root, 'w');
  outside = path.join(root, 'outside');
  fs.mkdirSync(watch);
  fs.mkdirSync(outside);
  daemon = await startRsyncDaemon(root);
  const config = writeConfig(path.join(root, 'confxml.xml'), { watch, failLog: path.join(root, 'fail.sh'), port: daemon.port });
  sersync = await startSersync(['-o', config]);
});

after(async () => {
  await sersync?.stop();
  await daemon?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

function converged(what: string): Promise<void> {
  return waitForMirror(what, watch, () => daemon.dir, { skip: skippedByRules, context: () => `sersync2 said: ${sersync.stdout().slice(-2000)}${sersync.stderr()}` });
}

const w = (...parts: string[]) => path.join(watch, ...parts);

test('creates, appends and overwrites arrive byte for byte', async () => {
  fs.writeFileSync(w('a.txt'), 'hello\n');
  fs.writeFileSync(w('b.bin'), Buffer.alloc(200_000, 7));
  fs.mkdirSync(w('docs'));
  fs.writeFileSync(w('docs', 'readme'), 'v1');
  await converged('first files');
  fs.appendFileSync(w('a.txt'), 'more\n');
  fs.writeFileSync(w('docs', 'readme'), 'version two, longer');
  await converged('append and overwrite');
});

test('renames within and across directories, moves in and out of the tree', async () => {
  fs.mkdirSync(w('src'));
  fs.mkdirSync(w('dst'));
  fs.writeFileSync(w('src', 'x.txt'), 'x');
  fs.writeFileSync(w('src', 'y.txt'), 'y');
  await converged('before the renames');
  fs.renameSync(w('src', 'x.txt'), w('src', 'x2.txt'));
  fs.renameSync(w('src', 'y.txt'), w('dst', 'y.txt'));
  await converged('file renames');

  fs.mkdirSync(w('tree', 'sub'), { recursive: true });
  fs.writeFileSync(w('tree', 'sub', 'f'), 'f');
  await converged('a tree');
  fs.renameSync(w('tree'), w('tree2'));
  await converged('a directory rename');
  // The renamed directory is still watched, under its new name.
  fs.writeFileSync(w('tree2', 'sub', 'g'), 'written after the rename');
  await converged('a write inside the renamed directory');

  fs.renameSync(w('tree2'), path.join(outside, 'tree2'));
  await converged('a move out of the tree');
  fs.writeFileSync(path.join(outside, 'tree2', 'ignored'), 'outside now');
  fs.mkdirSync(path.join(outside, 'incoming', 'deep'), { recursive: true });
  fs.writeFileSync(path.join(outside, 'incoming', 'deep', 'h'), 'h');
  fs.renameSync(path.join(outside, 'incoming'), w('incoming'));
  await converged('a move into the tree');
  fs.writeFileSync(w('incoming', 'deep', 'after'), 'the moved-in tree is watched');
  await converged('a write inside the moved-in tree');
});

test('deletes, mkdir -p of deep trees, rm -rf of trees, symlinks', async () => {
  fs.mkdirSync(w('p', 'q', 'r', 's', 't'), { recursive: true });
  fs.writeFileSync(w('p', 'q', 'r', 's', 't', 'deep.txt'), 'deep');
  fs.writeFileSync(w('p', 'q', 'mid.txt'), 'mid');
  await converged('a deep tree');
  fs.rmSync(w('a.txt'));
  fs.rmSync(w('p', 'q', 'r'), { recursive: true });
  await converged('deletes');
  fs.symlinkSync('docs/readme', w('link-to-readme'));
  fs.symlinkSync('no-such-target', w('dangling'));
  await converged('symlinks');
  fs.rmSync(w('p'), { recursive: true });
  fs.rmSync(w('dangling'));
  await converged('rm -rf and a symlink removed');
});

test('hostile and odd names mirror exactly, and no name runs code', async () => {
  // Commands run inside the watch directory: a name that ran would leave this file there.
  const canary = w('canary');
  const names = ['sp ace.txt', 'dollar$HOME.txt', 'quote"double.txt', "quote'single.txt", 'back`touch canary`tick.txt', 'sub$(touch canary)', 'back\\slash.txt', 'new\nline.txt', '中文 名.txt', '-leading-dash.txt'];
  fs.mkdirSync(w('odd dir $x'));
  for (const name of names) fs.writeFileSync(w('odd dir $x', name), `content of ${name}`);
  for (const name of names) fs.writeFileSync(w(name), name);
  const raw = Buffer.concat([Buffer.from(`${watch}/`), Buffer.from([0x6c, 0x61, 0x74, 0x69, 0x6e, 0xe9, 0xff, 0x2e, 0x74, 0x78, 0x74])]);
  fs.writeFileSync(raw, 'latin-1 name');
  await converged('odd names');
  for (const name of names.slice(0, 5)) fs.rmSync(w(name));
  fs.rmSync(raw);
  fs.rmSync(w('odd dir $x'), { recursive: true });
  await converged('odd names deleted');
  assert.equal(fs.existsSync(canary), false, 'a file name ran shell code');
});
