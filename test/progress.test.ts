/**
 * Progress during the `-r` full sync: on a terminal (a pty from script(1)) a line rewritten with
 * \r; through a pipe, only sersync2's plain lines, with no control characters at all.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { ProgressLine } from '../lib/progress/line';
import { configWorkspace } from './helpers/config';
import { BIN, commandRecorder, startSersync } from './helpers/sersync';
import { waitFor } from './helpers/wait';

const pids: number[] = [];
after(() => {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** A config whose full sync takes about a second: the rsync stand-in sleeps. */
function workspace(name: string) {
  const { root, config } = configWorkspace(name);
  const recorder = commandRecorder(root);
  fs.writeFileSync(path.join(root, 'bin', 'rsync'), '#!/bin/sh\nsleep 1\nexit 0\n', { mode: 0o755 });
  return { root, config, env: recorder.env };
}

test('-r through a pipe: plain lines, no progress line', async () => {
  const w = workspace('progress-pipe');
  const s = await startSersync(['-r', '-o', w.config], { env: w.env });
  const out = s.stdout();
  assert.match(out, /rsync the directory recursivly to the remote servers once\nworking please wait\.\.\.\nexecute command: /);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the terminal's escape sequence is what is tested
  assert.doesNotMatch(out, /[\r\x1b]/);
  assert.doesNotMatch(out, /full sync: /);
  // Sent the moment "watch path is" shows: the handlers were in place long before (this raced once).
  assert.equal(await s.stop(), 0);
});

test('SIGTERM during the -r full sync: the full sync finishes, then a graceful stop (exit 0)', async () => {
  const w = workspace('progress-term');
  const s = await startSersync(['-r', '-o', w.config], { env: w.env, readyText: 'execute command: ' });
  s.child.kill('SIGTERM');
  assert.equal(await s.exited(), 0, s.stdout() + s.stderr());
  assert.match(s.stdout(), /SIGTERM during start-up: stopping once the current step is done/);
  assert.match(s.stdout(), /stopped/);
});

test('a second SIGTERM during the -r full sync leaves at once (exit 1); the full sync is kept in the fail log', async () => {
  const w = workspace('progress-term2');
  fs.writeFileSync(path.join(w.root, 'bin', 'rsync'), '#!/bin/sh\nsleep 30\n', { mode: 0o755 });
  const s = await startSersync(['-r', '-o', w.config], { env: w.env, readyText: 'execute command: ' });
  const t0 = Date.now();
  s.child.kill('SIGTERM');
  await waitFor('the first signal to be seen', () => s.stdout().includes('during start-up'));
  s.child.kill('SIGTERM');
  assert.equal(await s.exited(), 1, s.stdout() + s.stderr());
  assert.ok(Date.now() - t0 < 10_000, 'it did not wait for the 30 s rsync');
  assert.match(fs.readFileSync(path.join(w.root, 'rsync_fail_log.sh'), 'utf8'), /#running at shutdown\ncd .* --delete \.\/ /);
});

test('-r on a terminal: a progress line rewritten in place, cleared at the end', async (t) => {
  if (spawnSync('sh', ['-c', 'command -v script']).status !== 0) {
    t.skip('script(1) is not installed (apt-get install bsdutils): no pty to test with');
    return;
  }
  const w = workspace('progress-tty');
  const env = { ...process.env, ...w.env, SERSYNC2_SYSCTL: '0' };
  // sh prints the daemon's pid so the test can stop it; the daemon's stdout is script's pty.
  const inner = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} -r -o ${JSON.stringify(w.config)} & echo "PID=$!"; wait`;
  const child = spawn('script', ['-q', '-f', '-c', inner, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const pid = Number(await waitFor('the daemon pid', () => /PID=(\d+)/.exec(out)?.[1]));
  pids.push(pid);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the terminal's escape sequence is what is tested
  await waitFor(`the progress line (output so far: ${JSON.stringify(out)})`, () => /\r\x1b\[Kfull sync: 0 of 1 remotes done, \d+ s/.test(out));
  await waitFor('watching to start after the full sync', () => out.includes('watch path is: '), 15_000);
  // The line is cleared before the next log line, which starts at column 0.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the terminal's escape sequence is what is tested
  assert.match(out, /\r\x1b\[Krun the sersync: /);
  process.kill(pid, 'SIGTERM');
  child.stdin.end();
  assert.equal(await exited, 0);
});

test('ProgressLine.tick: draws on a terminal when due, never elsewhere; finish clears', () => {
  const written: string[] = [];
  let n = 0;
  const tty = new ProgressLine({ isTTY: true, write: (text: string) => written.push(text) }, () => `watched ${++n}`, 0);
  tty.tick();
  assert.deepEqual(written, ['\r\x1b[Kwatched 1']);
  tty.finish();
  assert.deepEqual(written, ['\r\x1b[Kwatched 1', '\r\x1b[K']);

  const slow = new ProgressLine({ isTTY: true, write: (text: string) => written.push(text) }, () => 'never', 60_000);
  slow.tick();
  slow.finish();
  assert.equal(written.length, 2, 'not due within the interval: nothing drawn, nothing to clear');

  const piped: string[] = [];
  const pipe = new ProgressLine({ isTTY: false, write: (text: string) => piped.push(text) }, () => 'x', 0);
  pipe.tick();
  pipe.start();
  pipe.stop();
  pipe.finish();
  assert.deepEqual(piped, []);
});
