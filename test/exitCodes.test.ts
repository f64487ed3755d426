/**
 * rsync's exit codes in one table, and the two policies over it: sersync2's (0 and 23 succeed)
 * and batch mode's (24 succeeds, 23 fails), whose shell rule travels in every batch command and
 * must judge exactly as the daemon does.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { BATCH_POLICY, COMPAT_POLICY, exitAction, exitCode, exitSucceeded, PLUGIN_POLICY, RSYNC_EXIT_CODES } from '../lib/command/exitCodes';
import { BATCH_EXIT_RULE, type Command, policyOf, scriptCommand } from '../lib/command/model';
import { describeResult, resultOf, resultOfStatus, succeeded } from '../lib/runner/result';

const RSYNC_CODES = [0, 1, 2, 3, 4, 5, 6, 10, 11, 12, 13, 14, 20, 21, 22, 23, 24, 25, 30, 35];

test("the table holds every exit value of rsync's man page, and only those", () => {
  assert.deepEqual(Object.keys(RSYNC_EXIT_CODES).map(Number), RSYNC_CODES);
  assert.equal(exitCode(10)?.meaning, 'error in socket I/O');
  assert.equal(exitCode(255)?.meaning, 'ssh: connection failed (or ssh refused the login)');
  assert.equal(exitCode(7), undefined);
});

test("the batch rule's shell text is the one batch commands always carried", () => {
  assert.equal(BATCH_EXIT_RULE, ' || ( s=$?; [ $s = 24 ] && exit 0; [ $s = 23 ] && exit 123; exit $s )');
});

test('compat: 0 and 23 succeed; batch: 0 and 24 succeed, 23 fails', () => {
  for (const code of [...RSYNC_CODES, 123, 126, 127, 255]) {
    assert.equal(exitSucceeded(code, COMPAT_POLICY), code === 0 || code === 23, `compat ${code}`);
    assert.equal(exitSucceeded(code, BATCH_POLICY), code === 0 || code === 24, `batch ${code}`);
  }
});

const remote = { ip: '127.0.0.1', name: 'm' };
const options = { commonParams: '-artuz', ssh: false, port: undefined, timeout: undefined, user: undefined, passwordFile: undefined, delete: false, quiet: true };
const sync: Command = { kind: 'sync', remote, cwd: '/w', options, path: 'a' };
const batch: Command = { kind: 'batch-changes', remote, cwd: '/w', options, paths: ['a'] };
const plugin: Command = { kind: 'plugin', prefix: '/bin/echo', path: '/w/a', suffix: '', quiet: true };

test('the shell rule of a batch command and the daemon judge every code alike', () => {
  assert.equal(policyOf(batch), BATCH_POLICY);
  for (const code of [...RSYNC_CODES, 123, 127]) {
    const r = spawnSync('/bin/sh', ['-c', `sh -c 'exit ${code}'${BATCH_EXIT_RULE}`]);
    assert.equal(r.status, code === 24 ? 0 : code === 23 ? 123 : code, `exit ${code}`);
    // What the daemon sees (the rewritten code) is judged as the raw code would be.
    assert.equal(succeeded(resultOfStatus(batch, r.status! * 256)), exitSucceeded(code, BATCH_POLICY), `exit ${code}`);
    // A batch line read back as a script line (another config's) is judged alike by sersync2's rule.
    assert.equal(succeeded(resultOfStatus(scriptCommand(`rsync x${BATCH_EXIT_RULE}`), r.status! * 256)), exitSucceeded(code, BATCH_POLICY), `script ${code}`);
  }
  assert.equal(policyOf(sync), COMPAT_POLICY);
  assert.equal(policyOf(plugin), PLUGIN_POLICY);
});

test('every code has an action: what the operator must fix apart from what passes with a retry', () => {
  for (const code of RSYNC_CODES) assert.ok(['ok', 'retry', 'fix'].includes(RSYNC_EXIT_CODES[code]!.action), `${code}`);
  const fix = [1, 2, 4, 5, 6, 25, 126, 127];
  for (const code of [...RSYNC_CODES, 123, 126, 127, 255, 99]) {
    const expected = code === 0 || code === 23 ? 'ok' : fix.includes(code) ? 'fix' : 'retry';
    assert.equal(exitAction(code, COMPAT_POLICY), expected, `compat ${code}`);
  }
  assert.equal(exitAction(23, BATCH_POLICY), 'retry');
  assert.equal(exitAction(24, BATCH_POLICY), 'ok');
  assert.equal(exitAction(255, COMPAT_POLICY), 'retry', 'ssh: connection failed');
  // A plugin's command is not rsync: its 5 means nothing to us; the shell's 127 still does.
  assert.equal(exitAction(5, PLUGIN_POLICY), 'retry');
  assert.equal(exitAction(127, PLUGIN_POLICY), 'fix');
  assert.equal(exitAction(23, PLUGIN_POLICY), 'retry');
});

test('a result carries its command, rendering, remote, policy and action', () => {
  const r = resultOf(sync, { kind: 'exited', code: 5 }, 12);
  assert.equal(r.command, sync);
  assert.equal(r.text, 'cd /w && rsync -artuz -R "./a" 127.0.0.1::m >/dev/null 2>&1 ');
  assert.equal(r.remote, '127.0.0.1::m');
  assert.equal(r.policy, COMPAT_POLICY);
  assert.equal(r.action, 'fix');
  assert.equal(r.durationMs, 12);
  assert.equal(resultOf(plugin, { kind: 'exited', code: 0 }, 0).remote, undefined);
  assert.equal(resultOf(sync, { kind: 'not-started', reason: 'ENOENT' }, 0).action, 'fix');
  assert.equal(resultOf(sync, { kind: 'not-started', reason: 'EAGAIN' }, 0).action, 'retry');
  assert.equal(resultOf(sync, { kind: 'signaled', signal: 9 }, 0).action, 'retry');
});

test('a failure reads as what it means', () => {
  assert.equal(describeResult(resultOfStatus(sync, 10 * 256)), 'rsync exit 10 (error in socket I/O)');
  assert.equal(describeResult(resultOfStatus(sync, 123 * 256)), "rsync exit 123 (partial transfer due to error: rsync's 23, a failure in batch mode)");
  assert.equal(describeResult(resultOfStatus(sync, 255 * 256)), 'rsync exit 255 (ssh: connection failed (or ssh refused the login))');
  assert.equal(describeResult(resultOfStatus(sync, 9)), 'rsync killed by signal 9 (SIGKILL)');
  assert.equal(describeResult(resultOf(sync, { kind: 'not-started', reason: 'E2BIG' }, 0)), 'rsync not started: E2BIG');
  assert.equal(describeResult(resultOfStatus(plugin, 10 * 256)), 'command exit 10');
  assert.equal(describeResult(resultOfStatus(plugin, 127 * 256)), 'command exit 127 (the shell could not find the command (rsync not installed, or not in PATH))');
  assert.equal(succeeded(resultOfStatus(sync, 9)), false);
  assert.equal(succeeded(resultOf(sync, { kind: 'not-started', reason: 'ENOENT' }, 0)), false);
});
