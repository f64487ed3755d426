/**
 * sersync2's queue rule, "a directory delete erases every queued event under it", whatever the
 * bytes of the names: a UTF-8 directory holding names that are not UTF-8, and a directory whose
 * own name is not UTF-8 holding UTF-8 names. Real bin/sersync2 and kernel inotify; the only worker
 * is held by a command that waits for a release file until the daemon has read every event of the
 * `rm -rf` (its debug line for a marker written afterwards), so they are all queued when the
 * directory's delete arrives, and only the two directory deletes may run.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { writeConfig } from './helpers/config';
import { commandRecorder, startSersync, untilReport } from './helpers/sersync';
import { waitFor } from './helpers/wait';

const cleanups: Array<() => unknown> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

for (const [mode, args] of [['compat', []], ['batch', ['--batch']]] as const) {
  test(`${mode}: a directory delete drops the queued events under it, UTF-8 or not`, { timeout: 60_000 }, async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), `dirdelete-${mode}-`));
    cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }));
    const watch = path.join(root, 'w');
    fs.mkdirSync(watch);
    const config = writeConfig(path.join(root, 'confxml.xml'), { watch, failLog: path.join(root, 'fail.sh'), debug: true });
    const rec = commandRecorder(path.join(root, 'rec'));
    // rsync stand-in: the command for `slow` holds the only worker until the test releases it (at most 30 s).
    // A batch command names its paths on stdin (`--files-from=-`), not in its arguments.
    const release = path.join(root, 'release');
    const names = `case "$*" in *--files-from=-*) names=$(tr '\\0' '\\n');; *) names="$*";; esac`;
    fs.writeFileSync(path.join(root, 'rec', 'bin', 'rsync'), `#!/bin/sh\n${names}\ncase "$names" in *slow*) i=0; while [ ! -e '${release}' ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done;; esac\nexit 0\n`, { mode: 0o755 });
    const utf8Dir = Buffer.from(`${watch}/café`);
    const rawDir = Buffer.concat([Buffer.from(`${watch}/`), Buffer.from([0xd6, 0xd0])]);
    fs.mkdirSync(utf8Dir);
    fs.mkdirSync(rawDir);
    for (let i = 0; i < 20; i++) {
      fs.writeFileSync(Buffer.concat([utf8Dir, Buffer.from(`/inner-${i}-`), Buffer.from([0xff, 0xe9])]), 'x');
      fs.writeFileSync(Buffer.concat([rawDir, Buffer.from(`/inner-${i}-ü`)]), 'x');
    }
    const sersync = await startSersync([...args, '-n', '1', '-o', config], { env: rec.env, cwd: root });
    cleanups.push(() => sersync.stop());

    fs.writeFileSync(path.join(watch, 'slow'), 'x');
    await waitFor('the slow command to start', () => rec.commands().some((c) => c.includes('slow')));
    // One process removes both trees at full speed (a name that is not UTF-8 cannot be an argv string here).
    const rm = spawnSync('/bin/sh', ['-c', `cd "$1" && rm -rf café "$(printf '\\326\\320')"`, 'sh', watch], { encoding: 'utf8' });
    assert.equal(rm.status, 0, rm.stderr);
    assert.deepEqual(fs.readdirSync(watch), ['slow']);
    // Events are read in order: once the marker's is, every event of the removal is queued.
    fs.writeFileSync(path.join(watch, 'marker'), 'x');
    await waitFor('the daemon to read the marker', () => sersync.stdout().includes('inotify name:marker'), 20_000);
    assert.ok(!fs.existsSync(release) && rec.commands().filter((c) => !c.includes('slow')).length === 0, 'the worker was still held');
    fs.writeFileSync(release, '');
    const deletes = (dir: string) => rec.commands().some((c) => c.includes('--delete') && c.includes(dir));
    await waitFor('both directory deletes', () => deletes('café') && deletes("printf '\\326\\320'"), 20_000);
    // Every event was read (the marker's line) and queued; once nothing is queued, running or to
    // retry, every command the daemon will run for them has run.
    await untilReport(sersync, 'the daemon to be idle');
    const commands = rec.commands();
    const after = commands.slice(commands.findIndex((c) => c.includes('slow')) + 1);
    assert.deepEqual(after.filter((c) => c.includes('inner-')), [], 'no command for a name inside a deleted directory');
    assert.ok(after.some((c) => c.includes('café')), `the UTF-8 directory is deleted: ${JSON.stringify(commands)}`);
    assert.ok(after.some((c) => c.includes("printf '\\326\\320'")), 'the non-UTF-8 directory is deleted');
  });
}
