/**
 * Two configs in one process share the machine (lib/workers/share.ts): while b takes a storm (a
 * child process writing 3,000 files at full speed), a burst of 40 files goes into a; from a's
 * first command on, b starts no second rsync, and once a is done, b runs up to its ten at once
 * again. The real bin/sersync2, kernel inotify, one real rsync daemon per config; b's and a's
 * commands counted among the process's children by the root each `cd`s into.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { cleanups, sites, start } from './helpers/instances';
import { waitFor } from './helpers/wait';

/** The commands now running of each watch root: the process's children, by the root they `cd` into. */
function childrenOf(pid: number, roots: readonly string[]): number[] {
  let children: string[];
  try {
    children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean);
  } catch {
    return roots.map(() => 0);
  }
  const counts = roots.map(() => 0);
  for (const child of children) {
    let cmdline = '';
    try {
      cmdline = fs.readFileSync(`/proc/${child}/cmdline`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    roots.forEach((root, i) => {
      if (cmdline.includes(`cd ${root} `)) counts[i]!++;
    });
  }
  return counts;
}

/** A number of config `name`'s in the status file; 0 before its first write. */
function statusOf(statusFile: string, name: string, field: 'queued' | 'heldSeconds'): number {
  try {
    const status = JSON.parse(fs.readFileSync(statusFile, 'utf8')) as { instances: Array<{ name: string; queued: number; heldSeconds: number }> };
    return status.instances.find((i) => i.name === name)?.[field] ?? 0;
  } catch {
    return 0; // not written yet
  }
}

const queuedOf = (statusFile: string, name: string) => statusOf(statusFile, name, 'queued');
const heldOf = (statusFile: string, name: string) => statusOf(statusFile, name, 'heldSeconds');

test('a storm into b yields to a burst into a: b starts no second rsync while a has work, then runs ten again', { timeout: 120_000 }, async () => {
  const { root, sites: [a, b] } = await sites('share', ['a', 'b']);
  const statusFile = path.join(root, 'status.json');
  const sersync = await start(['-o', a!.config, '-o', b!.config, '--status-file', statusFile, '--status-interval', '1'], '[b] watch path is: ');
  await waitFor('a ready', () => sersync.stdout().includes('[a] watch path is: '));
  const pid = sersync.child.pid!;
  const running = () => childrenOf(pid, [a!.watch, b!.watch]) as [number, number];
  const writer = spawn(process.execPath, ['-e', 'const fs = require("node:fs"); const d = process.argv[1]; for (let i = 0; i < 3000; i++) fs.writeFileSync(d + "/s" + i, i + "\\n");', b!.watch], { stdio: 'ignore' });
  cleanups.push(() => writer.kill());
  const written = new Promise<number | null>((resolve) => writer.once('exit', resolve));
  await waitFor('b running 5 rsyncs at once', () => running()[1] >= 5, 30_000, 5);
  let timer: NodeJS.Timeout | undefined;
  const writerExit = await Promise.race([written, new Promise((resolve) => (timer = setTimeout(() => resolve('timed out'), 30_000)))]);
  clearTimeout(timer);
  assert.equal(writerExit, 0, 'the storm writer ended well');
  // b's queue, as the daemon reports it, far over twice a's 40 to come, whatever the machine's speed.
  await waitFor('b reported 1,000 events queued', () => queuedOf(statusFile, 'b') >= 1000, 30_000, 50);
  assert.ok(running()[1] >= 5, 'b still runs its storm');
  const n = 40;
  for (let i = 0; i < n; i++) fs.writeFileSync(path.join(a!.watch, `a${i}`), `${i}\n`);
  const arrived = () => Array.from({ length: n }, (_, i) => i).filter((i) => {
    const file = path.join(a!.remote.dir, `a${i}`);
    return fs.existsSync(file) && fs.readFileSync(file, 'utf8') === `${i}\n`;
  }).length;
  // From a's first command on (a's events are queued by then), for a second at most (a burst, not
  // yet a load of its own) or until a's files are there: b's commands only drop, or go from 0 to 1.
  await waitFor("a's first rsync", () => running()[0] > 0, 30_000, 2);
  const from = Date.now();
  const seen: number[] = [];
  while (Date.now() - from < 1000 && arrived() < n) {
    seen.push(running()[1]);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const rises = seen.flatMap((count, i) => (i > 0 && count > Math.max(seen[i - 1]!, 1) ? [`${seen[i - 1]} -> ${count}`] : []));
  assert.ok(seen.length >= 5, `sampled b ${seen.length} times`);
  assert.deepEqual(rises, [], `b started no second rsync while a had work (b's commands, sampled: ${seen.join(' ')})`);
  await waitFor(`a's ${n} files on a's remote`, () => arrived() === n, 30_000);
  // b still had its storm to send, and takes its ten workers again.
  await waitFor('b running 5 rsyncs at once again', () => running()[1] >= 5, 30_000, 5);
  // The status file says so: b was held, a never was.
  await waitFor("b's heldSeconds in the status file", () => heldOf(statusFile, 'b') > 0, 10_000, 50);
  assert.equal(heldOf(statusFile, 'a'), 0);
  writer.kill();
  assert.equal(await sersync.stop(), 0);
});
