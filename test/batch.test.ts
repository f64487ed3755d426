/**
 * Batch mode: many events become one rsync per remote, with the paths in an include list that
 * the shell hands to rsync. Checked against a real rsync daemon: the mirror converges, the number
 * of rsync runs is small, and a delete keeps sersync2's meaning (a path recreated meanwhile is
 * synced, not lost).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { parseConfig } from '../lib/config/load';
import type { PathEvent } from '../lib/events/types';
import { batchCommand, chunkEvents, includePatterns, literalPattern } from '../lib/rsync/batch';
import { commandSettings } from '../lib/rsync/command';
import { writeConfig } from './helpers/config';
import { GOLDEN_DIR } from './helpers/golden';
import { startRsyncDaemon } from './helpers/rsyncd';
import { commandRecorder, startSersync } from './helpers/sersync';
import { diffTrees, snapshot } from './helpers/tree';
import { waitFor } from './helpers/wait';

const cleanups: Array<() => unknown> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const ev = (kind: 'sync' | 'delete', p: string | Buffer, isDir = false): PathEvent => ({ kind, path: p, isDir, mask: 0 });

test('the include list: ancestors first, the path, `dir/***` for directories, no repeats', () => {
  const patterns = includePatterns([ev('sync', 'a/b/c.txt'), ev('delete', 'a/b/d', true), ev('sync', 'top')]).map(String);
  assert.deepEqual(patterns, ['a/', 'a/b/', 'a/b/c.txt', 'a/b/d', 'a/b/d/***', 'top']);
});

test('wildcards in names are escaped so the pattern matches only that name', () => {
  assert.equal(literalPattern('plain\\name'), 'plain\\name');
  assert.equal(literalPattern('star*.txt'), 'star\\*.txt');
  assert.equal(literalPattern('a[1]?\\b'), 'a\\[1]\\?\\\\b');
});

test('the command carries its list, so the fail log can rerun it as it is; the shell reads back every pattern', () => {
  const xml = fs.readFileSync(path.join(GOLDEN_DIR, 'stock-confxml.xml'), 'utf8');
  const settings = commandSettings(parseConfig(Buffer.from(xml), '/x.xml').config);
  const names = ['a b.txt', "it's", 'd$x', 'new\nline', Buffer.from([0x61, 0xff])];
  const command = batchCommand(settings, { ip: '127.0.0.1', name: 'tongbu1' }, names.map((n) => ev('sync', n)));
  assert.match(command, /^cd \/opt\/tongbu && printf '%s\\0' .* \| rsync -artuz -R --delete --from0 --include-from=- --exclude='\*' \.\/ 127\.0\.0\.1::tongbu1 >\/dev\/null 2>&1 $/s);
  const listPart = command.slice(command.indexOf('printf'), command.indexOf(' | rsync'));
  const out = spawnSync('/bin/sh', ['-c', listPart]).stdout;
  assert.deepEqual(out.toString('latin1').split('\0').slice(0, -1), names.map((n) => Buffer.from(n).toString('latin1')));
});

test('long lists are split below the argument limit', () => {
  const many = Array.from({ length: 5000 }, (_, i) => ev('sync', `dir/${'x'.repeat(100)}-${i}`));
  const chunks = chunkEvents(many, 64 * 1024);
  assert.ok(chunks.length > 1);
  assert.equal(chunks.flat().length, 5000);
});

test('--batch against a real rsync daemon: a burst converges in a few rsync runs, deletes keep their meaning', { timeout: 90_000 }, async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'batch-'));
  cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }));
  const watch = path.join(root, 'w');
  fs.mkdirSync(watch);
  const daemon = await startRsyncDaemon(root);
  cleanups.push(() => daemon.stop());
  const config = writeConfig(path.join(root, 'confxml.xml'), { watch, failLog: path.join(root, 'fail.sh'), port: daemon.port });
  // Record each command, but run the real rsync.
  const rec = commandRecorder(path.join(root, 'rec'));
  fs.rmSync(path.join(root, 'rec', 'bin', 'rsync'));
  const sersync = await startSersync(['--batch', '-o', config], { env: rec.env });
  cleanups.push(() => sersync.stop());

  for (let d = 0; d < 10; d++) {
    fs.mkdirSync(path.join(watch, `d${d}`));
    for (let f = 0; f < 50; f++) fs.writeFileSync(path.join(watch, `d${d}`, `f${f}.txt`), `${d}/${f}`);
  }
  fs.writeFileSync(path.join(watch, 'wild*card?[x].txt'), 'wild');
  const identical = () => {
    const diff = diffTrees(snapshot(watch), snapshot(daemon.dir));
    return diff.missing.length + diff.extra.length + diff.differing.length === 0;
  };
  await waitFor('500 files mirrored', identical, 30_000, 50);
  const runs = rec.commands().length;
  assert.ok(runs < 100, `${runs} rsync runs for 510 events`);

  fs.rmSync(path.join(watch, 'd3'), { recursive: true });
  fs.rmSync(path.join(watch, 'wild*card?[x].txt'));
  fs.writeFileSync(path.join(watch, 'wildXcardY[x].txt'), 'a name the wildcard pattern would match');
  fs.rmSync(path.join(watch, 'd4', 'f1.txt'));
  fs.writeFileSync(path.join(watch, 'd4', 'f1.txt'), 'recreated at once'); // a delete must not lose it
  await waitFor('deletes mirrored', identical, 30_000, 50);
  console.log(`# batch: ${runs} rsync runs for 510 creations`);
});
