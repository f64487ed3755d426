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
import type { Change } from '../lib/inotify/change';
import { batchCommands as batchModels } from '../lib/rsync/batch';
import { BATCH_EXIT_RULE, render } from '../lib/command/model';

/** The batch commands' `sh -c` strings. */
const batchCommands = (...args: Parameters<typeof batchModels>) => batchModels(...args).map(render);
import { atLeast, localRsyncVersion, parseRsyncVersion } from '../lib/rsync/version';
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

const ev = (kind: 'sync' | 'delete', p: string | Buffer, isDir = false): PathEvent => ({ kind, path: p, isDir, cause: kind === 'sync' ? 'modified' : 'deleted' });
/** The include list a batch with deletes hands rsync (one command: the lists here are short). */
const includePatterns = (events: readonly PathEvent[]): string[] => {
  const commands = batchCommands(stock(), remote, events);
  assert.equal(commands.length, 1);
  assert.match(commands[0]!, / --include-from=- /);
  return listOf(commands[0]!);
};

test('the include list of deletes: ancestors first, the path, `dir/***` for directories, no repeats', () => {
  const patterns = includePatterns([ev('delete', 'a/b/c.txt'), ev('delete', 'a/b/d', true), ev('delete', 'top')]);
  assert.deepEqual(patterns, ['a/', 'a/b/', 'a/b/c.txt', 'a/b/d', 'a/b/d/***', 'top']);
});

test('a directory created here gets no `***` (the watcher reports what it holds); one moved in, changed or deleted does', () => {
  const dir = (kind: 'sync' | 'delete', p: string, cause: Change): PathEvent => ({ kind, path: p, isDir: true, cause });
  const patterns = includePatterns([
    dir('sync', 'made', 'created'),
    dir('sync', 'moved', 'movedTo'),
    dir('sync', 'touched', 'attrib'),
    dir('delete', 'gone', 'deleted'),
  ]);
  assert.deepEqual(patterns, ['made', 'moved', 'moved/***', 'touched', 'touched/***', 'gone', 'gone/***']);
});

test('changes: a directory created here that holds a listed path is left to -R, which creates it as that path\'s parent', () => {
  const d = (p: string, cause: Change): PathEvent => ({ kind: 'sync', path: p, isDir: true, cause });
  const events = [d('made', 'created'), ev('sync', 'made/f'), d('empty', 'created'), d('moved', 'movedTo'), ev('sync', 'moved/g')];
  const [command] = batchCommands(stock(), remote, events);
  assert.deepEqual(listOf(command!), ['made/f', 'empty', 'moved', 'moved/g']);
});

test('wildcards in deleted names are escaped so a pattern matches only that name, `\\` too once a pattern has one', () => {
  const patterns = includePatterns([ev('delete', 'star*', true), ev('delete', 'back\\slash', true), ev('delete', 'plain\\name')]);
  assert.deepEqual(patterns, ['star\\*', 'star\\*/***', 'back\\slash', 'back\\\\slash/***', 'plain\\name']);
});

const stock = () => commandSettings(parseConfig(fs.readFileSync(path.join(GOLDEN_DIR, 'stock-confxml.xml')), '/x.xml').config);
const remote = { ip: '127.0.0.1', name: 'tongbu1' };

/** What the shell hands rsync on its standard input: the words of the command's printf. */
function listOf(command: string): string[] {
  const listPart = command.slice(command.indexOf('printf'), command.indexOf(' | rsync'));
  return spawnSync('/bin/sh', ['-c', listPart]).stdout.toString('latin1').split('\0').slice(0, -1);
}

test('changes alone go through --files-from; the command carries its list, every name once, byte for byte', () => {
  const names = ['a b.txt', "it's", 'd$x', '`id`', 'new\nline', '-leading', Buffer.from([0x61, 0xff])];
  const commands = batchCommands(stock(), remote, [...names.map((n) => ev('sync', n)), ev('sync', "it's")]);
  assert.equal(commands.length, 1);
  assert.match(commands[0]!, /^cd \/opt\/tongbu && printf '%s\\0' .* \| rsync -artuz -R --sockopts=TCP_NODELAY --from0 --files-from=- --ignore-missing-args \.\/ 127\.0\.0\.1::tongbu1 >\/dev\/null 2>&1  \|\| \( s=\$\?; \[ \$s = 24 \] && exit 0; \[ \$s = 23 \] && exit 123; exit \$s \)$/s);
  assert.deepEqual(listOf(commands[0]!), names.map((n) => Buffer.from(n).toString('latin1')));
});

test('a batch with deletes goes through one include list for all its paths', () => {
  const commands = batchCommands(stock(), remote, [ev('sync', 'new/file'), ev('delete', 'gone/dir', true)]);
  assert.equal(commands.length, 1);
  assert.match(commands[0]!, / \| rsync -artuz -R --sockopts=TCP_NODELAY --delete --from0 --include-from=- --exclude='\*' \.\/ 127\.0\.0\.1::tongbu1 >\/dev\/null 2>&1  \|\| \( s=\$\?;/);
  assert.deepEqual(listOf(commands[0]!), ['new/', 'new/file', 'gone/', 'gone/dir', 'gone/dir/***']);
});

test('the exit rule a batch command carries: 24 is success, 23 a failure (123), the rest as they are', () => {
  for (const [rsyncExit, expected] of [[0, 0], [23, 123], [24, 0], [10, 10], [12, 12]] as const) {
    const r = spawnSync('/bin/sh', ['-c', `sh -c 'exit ${rsyncExit}'${BATCH_EXIT_RULE}`]);
    assert.equal(r.status, expected, `rsync exit ${rsyncExit}`);
  }
});

test('the local rsync version: parsed from --version; batch mode wants 3.1', () => {
  const v = parseRsyncVersion('rsync  version 3.0.6  protocol version 30\nCopyright (C) 1996-2009 by Andrew Tridgell');
  assert.deepEqual(v, { major: 3, minor: 0, text: '3.0.6' });
  assert.equal(atLeast(v!, 3, 1), false);
  assert.equal(atLeast(parseRsyncVersion('rsync  version v3.2.7  protocol version 31')!, 3, 1), true);
  assert.equal(parseRsyncVersion('a recorder, not rsync'), undefined);
  assert.ok(localRsyncVersion(), 'the rsync the tests use says its version');
});

test('over ssh there is no daemon socket to tune: no --sockopts', () => {
  const s = stock();
  const [command] = batchCommands({ ...s, rsync: { ...s.rsync, ssh: true } }, remote, [ev('sync', 'f')]);
  assert.match(command!, /rsync -artuz -R  -e ssh --from0 --files-from=- --ignore-missing-args \.\/ 127\.0\.0\.1:tongbu1 /);
});

test('long lists are split below the argument limit, every path in exactly one command', () => {
  const many = (withDeletes: boolean) => Array.from({ length: 5000 }, (_, i) => ev(withDeletes && i % 5 === 0 ? 'delete' : 'sync', `dir/${'x'.repeat(100)}-${i}`));
  for (const withDeletes of [false, true]) {
    const commands = batchCommands(stock(), remote, many(withDeletes), 64 * 1024);
    assert.ok(commands.length > 1);
    for (const command of commands) assert.ok(Buffer.byteLength(command) < 64 * 1024 + 512, `${Buffer.byteLength(command)} bytes`);
    assert.equal(commands.flatMap(listOf).filter((p) => p !== 'dir/').length, 5000);
    // Each list stands alone: the ancestor every delete batch needs is in each one, once.
    if (withDeletes) for (const command of commands) assert.equal(listOf(command).filter((p) => p === 'dir/').length, 1);
    // The default limit keeps every command under Linux's 128 KiB for one argument.
    for (const command of batchCommands(stock(), remote, many(withDeletes))) assert.ok(Buffer.byteLength(command) < 128 * 1024);
  }
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

test('--batch against a real rsync daemon: a large file being sent does not hold up the small files written after it', { timeout: 90_000 }, async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'batch-large-'));
  cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }));
  const watch = path.join(root, 'w');
  fs.mkdirSync(watch);
  const daemon = await startRsyncDaemon(root);
  cleanups.push(() => daemon.stop());
  // 2 MB/s: the 12 MiB file takes about 6 s to send, a small file a few milliseconds.
  const config = writeConfig(path.join(root, 'confxml.xml'), { watch, failLog: path.join(root, 'fail.sh'), port: daemon.port, params: '-artu --bwlimit=2000' });
  const sersync = await startSersync(['--batch', '-o', config]);
  cleanups.push(() => sersync.stop());

  const big = Buffer.alloc(12 * 1024 * 1024, 7);
  fs.writeFileSync(path.join(watch, 'big.bin'), big);
  const remoteBig = () => path.join(daemon.dir, 'big.bin');
  for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(watch, `small${i}.txt`), `small ${i}`);
  const smallArrived = () => Array.from({ length: 5 }, (_, i) => path.join(daemon.dir, `small${i}.txt`)).every((f) => fs.existsSync(f));
  await waitFor('the small files', smallArrived, 20_000, 20);
  assert.equal(fs.existsSync(remoteBig()), false, 'the small files arrived while the large one was still on its way');
  await waitFor('the large file', () => fs.existsSync(remoteBig()) && fs.statSync(remoteBig()).size === big.length, 60_000, 100);
});
