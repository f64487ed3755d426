/**
 * rsync's exit codes in one table, and the two policies over it: sersync2's (0 and 23 succeed)
 * and batch mode's (24 succeeds, 23 fails), whose shell rule travels in every batch command and
 * must judge exactly as the daemon does.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { BATCH_EXIT_RULE, exitPolicyOf } from '../lib/rsync/commandModel';
import { BATCH_POLICY, COMPAT_POLICY, exitMeaning, exitSucceeded, RSYNC_EXIT_CODES } from '../lib/rsync/exitCodes';
import { describeExit, resultOfStatus, succeeded } from '../lib/runner/result';

const RSYNC_CODES = [0, 1, 2, 3, 4, 5, 6, 10, 11, 12, 13, 14, 20, 21, 22, 23, 24, 25, 30, 35];

test("the table holds every exit value of rsync's man page, and only those", () => {
  assert.deepEqual(Object.keys(RSYNC_EXIT_CODES).map(Number), RSYNC_CODES);
  assert.equal(exitMeaning(10), 'error in socket I/O');
  assert.equal(exitMeaning(7), undefined);
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

test('the shell rule of a batch command and the daemon judge every code alike', () => {
  for (const code of [...RSYNC_CODES, 123, 127]) {
    const r = spawnSync('/bin/sh', ['-c', `sh -c 'exit ${code}'${BATCH_EXIT_RULE}`]);
    assert.equal(r.status, code === 24 ? 0 : code === 23 ? 123 : code, `exit ${code}`);
    const command = `rsync x${BATCH_EXIT_RULE}`;
    assert.equal(exitPolicyOf(command), BATCH_POLICY);
    // What the daemon sees (the rewritten code) is judged as the raw code would be.
    assert.equal(succeeded(resultOfStatus(command, r.status! * 256)), exitSucceeded(code, BATCH_POLICY), `exit ${code}`);
  }
  assert.equal(exitPolicyOf('cd /w && rsync -artuz -R "./a" 127.0.0.1::m >/dev/null 2>&1 '), COMPAT_POLICY);
});

test('a failure reads as what it means', () => {
  assert.equal(describeExit(resultOfStatus('c', 10 * 256).exit), 'rsync exit 10 (error in socket I/O)');
  assert.equal(describeExit(resultOfStatus('c', 123 * 256).exit), "rsync exit 123 (partial transfer due to error: rsync's 23, a failure in batch mode)");
  assert.equal(describeExit(resultOfStatus('c', 9).exit), 'rsync killed by signal 9 (SIGKILL)');
  assert.equal(describeExit({ kind: 'not-started', reason: 'E2BIG' }), 'rsync not started: E2BIG');
  assert.equal(describeExit({ kind: 'exited', code: 10 }, 'command'), 'command exit 10');
  assert.equal(succeeded(resultOfStatus('c', 9)), false);
  assert.equal(succeeded({ command: 'c', exit: { kind: 'not-started', reason: 'ENOENT' }, durationMs: 0 }), false);
});
