/**
 * The command runner's spawners, on real processes: the native posix_spawn addon
 * (native/spawn.c, lib/runner/nativeSpawn.ts) and child_process, which must start the same child:
 * `shell -c <exact bytes>`, stdin /dev/null, stdout and stderr inherited, default signals, no
 * other descriptor, the current environment; and report the same wait status.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { findAddon } from '../lib/addon';
import { loadSpawnAddon, nativeSpawner, type SpawnAddon } from '../lib/runner/nativeSpawn';
import { scriptCommand } from '../lib/command/model';
import { describeResult, waitStatusOf } from '../lib/runner/result';
import { defaultSpawner, ShellRunner } from '../lib/runner/shell';
import { nodeSpawner, type Spawner } from '../lib/runner/spawner';
import { tempDir } from './helpers/tempDir';
import { waitFor, within } from './helpers/wait';

const REPO = path.resolve(__dirname, '../..');
const SHELL_JS = path.join(REPO, 'dist/lib/runner/shell.js');
const RESULT_JS = path.join(REPO, 'dist/lib/runner/result.js');
const NATIVE_SPAWN_JS = path.join(REPO, 'dist/lib/runner/nativeSpawn.js');
const SPAWNER_JS = path.join(REPO, 'dist/lib/runner/spawner.js');

const root = tempDir('spawn-test-');
let files = 0;
const tempFile = () => path.join(root, `f${files++}`);

function addon(): SpawnAddon {
  const loaded = loadSpawnAddon();
  assert.ok(loaded, `build/Release/spawn.node must be built (found: ${findAddon('spawn')})`);
  return loaded;
}

/** A shell that writes its argument count, its $1 and its $2 (the command) to files, then runs /bin/sh. */
function recordingShell(): { shell: string; argv: string; command: string } {
  const dir = fs.mkdtempSync(path.join(root, 'rec-'));
  const shell = path.join(dir, 'record-sh');
  const argv = path.join(dir, 'argv');
  const command = path.join(dir, 'command');
  fs.writeFileSync(shell, `#!/bin/sh\nprintf '%s\\n' "$#" "$1" > '${argv}'\nprintf '%s' "$2" > '${command}'\nexec /bin/sh "$@"\n`, { mode: 0o755 });
  return { shell, argv, command };
}

/**
 * A node process that runs one command with a ShellRunner on the given spawner and prints its
 * status; its output is captured. With `extraFd`, it starts with descriptor 1000 open and not
 * close-on-exec (given by bash: Node itself marks its low descriptors close-on-exec), and says so.
 */
function runInChild(command: string, spawner: 'native' | 'node', extraFd = false): { stdout: string; stderr: string; status: number | null } {
  const script = `
    const fs = require('node:fs');
    if (${extraFd}) {
      const flags = parseInt(/flags:\\s*(\\d+)/.exec(fs.readFileSync('/proc/self/fdinfo/1000', 'utf8'))[1], 8);
      process.stdout.write('fd1000-cloexec=' + Boolean(flags & 0o2000000) + '\\n');
    }
    const { ShellRunner } = require(${JSON.stringify(SHELL_JS)});
    const { nativeSpawner, loadSpawnAddon } = require(${JSON.stringify(NATIVE_SPAWN_JS)});
    const { nodeSpawner } = require(${JSON.stringify(SPAWNER_JS)});
    const runner = new ShellRunner('/bin/sh', ${JSON.stringify(spawner)} === 'native' ? nativeSpawner(loadSpawnAddon()) : nodeSpawner);
    const { waitStatusOf } = require(${JSON.stringify(RESULT_JS)});
    runner.run({ kind: 'script', text: process.argv[1] }).then((result) => process.stdout.write('status=' + waitStatusOf(result.exit) + '\\n'));
  `;
  const [file, args] = extraFd ? ['/bin/bash', ['-c', 'exec "$0" -e "$1" "$2" 1000</dev/null', process.execPath, script, command]] : [process.execPath, ['-e', script, command]];
  const result = spawnSync(file, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 10_000 });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

const spawners: Array<[string, () => Spawner]> = [
  ['native', () => nativeSpawner(addon())],
  ['child_process', () => nodeSpawner],
];

for (const [name, make] of spawners) {
  describe(`ShellRunner with the ${name} spawner`, () => {
    const runner = (shell = '/bin/sh') => new ShellRunner(shell, make());
    const result = (command: string, shell?: string) => within(5000, command, runner(shell).run(scriptCommand(command)));
    const run = async (command: string, shell?: string) => waitStatusOf((await result(command, shell)).exit);

    test('exit codes become code x 256', async () => {
      for (const code of [0, 1, 23, 255]) assert.equal(await run(`exit ${code}`), code * 256, `exit ${code}`);
    });

    test('a child killed by a signal gives the signal number', async () => {
      assert.equal(await run('kill -TERM $$'), 15);
      assert.equal(await run('kill -KILL $$'), 9);
    });

    test('the shell gets the exact command string as $2 after -c', async () => {
      const rec = recordingShell();
      const command = "true 'single quoted' \"double $HOME\" `printf x` $(printf y) \\$literal\n\ttrue second line; : ünïcödé ';|& <>*?[]~#' \\\\";
      assert.equal(await run(command, rec.shell), 0);
      assert.equal(fs.readFileSync(rec.argv, 'utf8'), '2\n-c\n');
      assert.deepEqual(fs.readFileSync(rec.command), Buffer.from(command));
    });

    test('/bin/sh interprets the quoting as written', async () => {
      const out = tempFile();
      assert.equal(await run(`printf '%s|%s\\n' "$0" "$#" > '${out}'; printf '%s\\n' 'a  b' "c\\$d" \`printf e\` "$(printf 'f\ng')" >> '${out}'`), 0);
      assert.equal(fs.readFileSync(out, 'utf8'), '/bin/sh|0\na  b\nc$d\ne\nf\ng\n');
    });

    test('stdin is /dev/null', async () => {
      const out = tempFile();
      assert.equal(await run(`cat; readlink /proc/self/fd/0 > '${out}'`), 0);
      assert.equal(fs.readFileSync(out, 'utf8'), '/dev/null\n');
    });

    test('signals are at their defaults: nothing ignored or blocked, SIGPIPE ends a writer', async () => {
      const out = tempFile();
      const yesErr = tempFile();
      assert.equal(await run(`exec grep -E '^Sig(Ign|Blk):' /proc/self/status > '${out}'`), 0);
      const [blocked, ignored] = [...fs.readFileSync(out, 'utf8').matchAll(/^Sig(?:Blk|Ign):\s*([0-9a-f]+)$/gm)].map((m) => BigInt(`0x${m[1]}`));
      assert.equal(blocked, 0n);
      // glibc's posix_spawn leaves its two internal signals (32 and 33, below SIGRTMIN) ignored:
      // sigfillset() cannot name them. Every signal a program may use is at its default.
      assert.equal(ignored! & ~0x180000000n, 0n, `ignored signals: ${ignored!.toString(16)}`);
      // With SIGPIPE ignored, yes would get EPIPE and complain on stderr instead of dying quietly.
      assert.equal(await run(`yes 2> '${yesErr}' | head -n1 > /dev/null`), 0);
      assert.equal(fs.readFileSync(yesErr, 'utf8'), '');
    });

    test('process.env changes reach the child', async () => {
      const out = tempFile();
      process.env.SPAWN_TEST_VALUE = 'set from process.env $x `y`';
      process.env.SPAWN_TEST_GONE = 'here';
      delete process.env.SPAWN_TEST_GONE;
      try {
        assert.equal(await run(`printf '%s|%s' "$SPAWN_TEST_VALUE" "\${SPAWN_TEST_GONE-unset}" > '${out}'`), 0);
      } finally {
        delete process.env.SPAWN_TEST_VALUE;
      }
      assert.equal(fs.readFileSync(out, 'utf8'), 'set from process.env $x `y`|unset');
    });

    test('a shell name without a slash is searched in PATH', async () => {
      assert.equal(await run('exit 7', 'sh'), 7 * 256);
    });

    test('an unknown shell gives 127 x 256, and the result says why: ENOENT', async () => {
      const r = await result('true', path.join(root, 'no-such-shell'));
      assert.deepEqual(r.exit, { kind: 'not-started', reason: 'ENOENT' });
      assert.equal(waitStatusOf(r.exit), 127 * 256);
      assert.equal(describeResult(r), 'rsync not started: ENOENT');
    });

    test('a shell that is not executable: the result says EACCES', async () => {
      const shell = tempFile();
      fs.writeFileSync(shell, '', { mode: 0o644 });
      assert.deepEqual((await result('true', shell)).exit, { kind: 'not-started', reason: 'EACCES' });
    });

    test('a command over the kernel limit for one argument: the result says E2BIG', async () => {
      assert.deepEqual((await result(`: ${'x'.repeat(200 * 1024)}`)).exit, { kind: 'not-started', reason: 'E2BIG' });
    });

    test('the result carries the command, its exit and its duration', async () => {
      const r = await result('sleep 0.1; exit 10');
      assert.equal(r.text, 'sleep 0.1; exit 10');
      assert.deepEqual(r.command, scriptCommand('sleep 0.1; exit 10'));
      assert.deepEqual(r.exit, { kind: 'exited', code: 10 });
      assert.ok(r.durationMs >= 90 && r.durationMs < 5000, `duration ${r.durationMs} ms`);
      assert.equal(describeResult(r), 'rsync exit 10 (error in socket I/O)');
      assert.deepEqual((await result('kill -KILL $$')).exit, { kind: 'signaled', signal: 9 });
    });

    test('a shell file without #! runs with /bin/sh, as execvp does', async () => {
      const shell = tempFile();
      const out = tempFile();
      fs.writeFileSync(shell, `printf '%s|%s' "$1" "$2" > '${out}'\n`, { mode: 0o755 });
      assert.equal(await run('exit 3', shell), 0);
      assert.equal(fs.readFileSync(out, 'utf8'), '-c|exit 3');
    });

    test('a command with a NUL byte gives 127 x 256 instead of rejecting', async () => {
      assert.equal(await run('true\0false'), 127 * 256);
      assert.equal((await result('true\0false')).exit.kind, 'not-started');
    });

    test('200 concurrent children are all reaped with their own status', async () => {
      const r = runner();
      const expected = Array.from({ length: 200 }, (_, i) => (i % 4 === 3 ? 15 : (i % 256) * 256));
      const results = await within(30_000, '200 children', Promise.all(expected.map((_, i) => r.run(scriptCommand(i % 4 === 3 ? 'kill -TERM $$' : `exit ${i % 256}`)))));
      const statuses = results.map((x) => waitStatusOf(x.exit));
      assert.deepEqual(statuses, expected);
    });

    test('stdout and stderr are inherited; the loop waits for the child', () => {
      const result = runInChild('echo to-stdout; echo to-stderr >&2; sleep 0.2; echo late', name === 'native' ? 'native' : 'node');
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stdout, 'to-stdout\nlate\nstatus=0\n');
      assert.equal(result.stderr, 'to-stderr\n');
    });
  });
}

describe('the native addon', () => {
  test('ShellRunner uses it unless SERSYNC2_SPAWN=node', () => {
    assert.equal(defaultSpawner({ SERSYNC2_SPAWN: 'node' }), nodeSpawner);
    assert.notEqual(defaultSpawner({}), nodeSpawner);
  });

  test('spawnShell returns the pid and reports (code, null) or (null, signal)', async () => {
    const exits: Array<[number | null, number | null]> = [];
    const pid = addon().spawnShell('/bin/sh', 'exit 3', (code, signal) => exits.push([code, signal]));
    assert.ok(Number.isInteger(pid) && pid > 0);
    addon().spawnShell('/bin/sh', 'kill -INT $$', (code, signal) => exits.push([code, signal]));
    await waitFor('both exits', () => exits.length === 2, 5000);
    assert.deepEqual(exits.sort(), [[3, null], [null, 2]].sort());
  });

  test('a Buffer command reaches the shell byte for byte, non-UTF-8 included', async () => {
    const rec = recordingShell();
    const command = Buffer.concat([Buffer.from(": '"), Buffer.from([0xff, 0xfe, 0x80, 0xc3, 0x28, 0x0a, 0x24, 0x60, 0x22]), Buffer.from("'")]);
    let status: [number | null, number | null] | undefined;
    addon().spawnShell(rec.shell, command, (code, signal) => (status = [code, signal]));
    await waitFor('the recording shell', () => status, 5000);
    assert.deepEqual(fs.readFileSync(rec.command), command);
    assert.equal(fs.readFileSync(rec.argv, 'utf8'), '2\n-c\n');
  });

  test('exec failures throw: ENOENT, EACCES, ENOEXEC (posix_spawn reports them)', () => {
    const shell = path.join(root, 'no-such-shell');
    assert.throws(() => addon().spawnShell(shell, 'true', () => {}), (error: NodeJS.ErrnoException) => {
      assert.equal(error.code, 'ENOENT');
      assert.equal(error.syscall, 'posix_spawn');
      assert.equal(error.path, shell);
      return true;
    });
    const notExecutable = tempFile();
    fs.writeFileSync(notExecutable, '', { mode: 0o644 });
    assert.throws(() => addon().spawnShell(notExecutable, 'true', () => {}), { code: 'EACCES' });
    fs.chmodSync(notExecutable, 0o755);
    assert.throws(() => addon().spawnShell(notExecutable, 'true', () => {}), { code: 'ENOEXEC' });
    assert.throws(() => addon().spawnShell('/bin/sh', 'true', undefined as never), { code: 'ERR_INVALID_ARG_TYPE' });
  });

  test('no descriptor leaks into the child, not even one without close-on-exec', (t) => {
    assert.ok(addon().closesDescriptors, 'glibc 2.34+ closes descriptors >= 3 in the child');
    if (!fs.existsSync('/bin/bash')) return t.skip('no /bin/bash to open descriptor 1000');
    const result = runInChild('ls /proc/self/fd', 'native', true);
    assert.equal(result.status, 0, result.stderr);
    // 0, 1, 2 and ls's own directory descriptor, which takes the lowest free number: 3.
    assert.equal(result.stdout, 'fd1000-cloexec=false\n0\n1\n2\n3\nstatus=0\n');
  });

  test('200 concurrent children: every one reaped, every pidfd closed', async () => {
    const fdsBefore = fs.readdirSync('/proc/self/fd').length;
    const results = new Map<number, [number | null, number | null]>();
    const pids: number[] = [];
    for (let i = 0; i < 200; i++) pids.push(addon().spawnShell('/bin/sh', `exit ${i}`, (code, signal) => results.set(i, [code, signal])));
    await waitFor('200 exits', () => results.size === 200, 30_000);
    for (let i = 0; i < 200; i++) assert.deepEqual(results.get(i), [i, null]);
    // Reaped: no zombie left behind (a pid is not reused this fast).
    for (const pid of pids) assert.equal(fs.existsSync(`/proc/${pid}`), false, `pid ${pid} was not reaped`);
    // The poll handles close on the next loop turn.
    await waitFor('the pidfds to be closed', () => fs.readdirSync('/proc/self/fd').length <= fdsBefore, 5000);
  });

  test('a worker that exits with a child still running tears down cleanly', async () => {
    const file = findAddon('spawn')!;
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       const addon = require(${JSON.stringify(file)});
       const pid = addon.spawnShell('/bin/sh', 'exec sleep 30', () => parentPort.postMessage('called'));
       parentPort.postMessage(pid);`,
      { eval: true },
    );
    const pid = await within(5000, 'the worker', new Promise<number>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    }));
    try {
      // The running child keeps the worker's loop alive, as a child_process would.
      assert.equal(await within(5000, 'terminate', worker.terminate()), 1);
    } finally {
      process.kill(pid, 'SIGKILL');
    }
  });

  test('a worker whose child exits ends by itself', async () => {
    const file = findAddon('spawn')!;
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       require(${JSON.stringify(file)}).spawnShell('/bin/sh', 'exit 5', (code, signal) => parentPort.postMessage([code, signal]));`,
      { eval: true },
    );
    const messages: unknown[] = [];
    worker.on('message', (message) => messages.push(message));
    const code = await within(5000, 'the worker to exit', new Promise<number>((resolve, reject) => {
      worker.once('exit', resolve);
      worker.once('error', reject);
    }));
    assert.equal(code, 0);
    assert.deepEqual(messages, [[5, null]]);
  });
});
