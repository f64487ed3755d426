/**
 * rsync's exit codes, each with its meaning (man rsync, EXIT VALUES) and an action: what the
 * daemon does about it; and the rules that say which codes count as success: sersync2's
 * (compat), batch mode's, and a plugin command's. A batch command carries its rule as a shell
 * snippet (so a fail-log entry run by hand with sh judges the same way); the snippet is rendered
 * from the same policy that the daemon applies to the status it gets back.
 *
 * Every failure is retried, whatever its action (sersync2's rule, kept in every mode: a command
 * dropped is a change lost). `fix` says that retrying alone will not help: the operator must
 * change something (a password, a module, the rsync on either side), so it is reported once as
 * such (lib/failLog/operatorNotices.ts), not once per retry.
 */

/** `ok`: done; `retry`: likely to pass later (network, remote busy); `fix`: the operator must fix something. */
export type ExitAction = 'ok' | 'retry' | 'fix';

export interface ExitCode {
  readonly meaning: string;
  readonly action: ExitAction;
}

export const RSYNC_EXIT_CODES: Readonly<Record<number, ExitCode>> = {
  0: { meaning: 'success', action: 'ok' },
  1: { meaning: 'syntax or usage error', action: 'fix' },
  2: { meaning: 'protocol incompatibility', action: 'fix' },
  3: { meaning: 'errors selecting input/output files, dirs', action: 'retry' },
  4: { meaning: 'requested action not supported', action: 'fix' },
  // An rsync daemon's "@ERROR: auth failed" and "@ERROR: Unknown module" both end so.
  5: { meaning: 'error starting client-server protocol', action: 'fix' },
  6: { meaning: 'daemon unable to append to log-file', action: 'fix' },
  10: { meaning: 'error in socket I/O', action: 'retry' },
  11: { meaning: 'error in file I/O', action: 'retry' },
  12: { meaning: 'error in rsync protocol data stream', action: 'retry' },
  13: { meaning: 'errors with program diagnostics', action: 'retry' },
  14: { meaning: 'error in IPC code', action: 'retry' },
  20: { meaning: 'received SIGUSR1 or SIGINT', action: 'retry' },
  21: { meaning: 'some error returned by waitpid()', action: 'retry' },
  22: { meaning: 'error allocating core memory buffers', action: 'retry' },
  23: { meaning: 'partial transfer due to error', action: 'retry' },
  24: { meaning: 'partial transfer due to vanished source files', action: 'retry' },
  25: { meaning: 'the --max-delete limit stopped deletions', action: 'fix' },
  30: { meaning: 'timeout in data send/receive', action: 'retry' },
  35: { meaning: 'timeout waiting for daemon connection', action: 'retry' },
};

/** What the batch rule turns rsync's 23 into, so that it is a failure for sersync2's rule too. */
export const BATCH_PARTIAL = 123;

/** The shell's and ssh's own codes, seen when rsync (or a plugin's command) never ran or never connected. */
const SHELL_EXIT_CODES: Readonly<Record<number, ExitCode>> = {
  126: { meaning: 'the shell could not execute the command', action: 'fix' },
  127: { meaning: 'the shell could not find the command (rsync not installed, or not in PATH)', action: 'fix' },
  [BATCH_PARTIAL]: { meaning: "partial transfer due to error: rsync's 23, a failure in batch mode", action: 'retry' },
  // ssh gives 255 for a connection refused or timed out as for a key it refuses; the first is the common one.
  255: { meaning: 'ssh: connection failed (or ssh refused the login)', action: 'retry' },
};

/** The table's entry for an exit code of an rsync command line, or undefined for one rsync does not use. */
export function exitCode(code: number): ExitCode | undefined {
  return RSYNC_EXIT_CODES[code] ?? SHELL_EXIT_CODES[code];
}

/** The table's entry for a code under a policy: a plugin's command knows the shell's 126 and 127 only. */
export function policyExitCode(code: number, policy: ExitPolicy): ExitCode | undefined {
  return policy.rsyncCodes || code === 126 || code === 127 ? exitCode(code) : undefined;
}

export interface ExitPolicy {
  readonly name: 'compat' | 'batch' | 'plugin';
  /** Exit codes that count as success. */
  readonly success: readonly number[];
  /** [from, to]: codes the command's own shell rule rewrites before the daemon sees them (batch only). */
  readonly rewrites: ReadonlyArray<readonly [number, number]>;
  /** Whether rsync's table says what a code means (not for a plugin's command, which is not rsync). */
  readonly rsyncCodes: boolean;
}

/** sersync2's rule: 23 (some files could not be transferred) counts as success. */
export const COMPAT_POLICY: ExitPolicy = { name: 'compat', success: [0, 23], rewrites: [], rsyncCodes: true };

/**
 * Batch mode: 24 (a file vanished: its own event follows) is success, 23 is a failure (a remote
 * out of inodes gives it too). The command rewrites them, so the daemon sees 0 and 123.
 */
export const BATCH_POLICY: ExitPolicy = {
  name: 'batch',
  success: [0, 24],
  rewrites: [
    [24, 0],
    [23, BATCH_PARTIAL],
  ],
  rsyncCodes: true,
};

/** The command plugin's command: 0 alone succeeds; only the shell's own codes (126, 127) have a meaning. */
export const PLUGIN_POLICY: ExitPolicy = { name: 'plugin', success: [0], rewrites: [], rsyncCodes: false };

/** Whether an exit code counts as success under a policy (a rewritten code, 0 or 123, as well as rsync's own). */
export function exitSucceeded(code: number, policy: ExitPolicy): boolean {
  return policy.success.includes(code);
}

/** What the daemon does about an exit code under a policy; a code in no table is retried. */
export function exitAction(code: number, policy: ExitPolicy): ExitAction {
  if (exitSucceeded(code, policy)) return 'ok';
  const entry = policyExitCode(code, policy);
  return entry && entry.action !== 'ok' ? entry.action : 'retry';
}

/** The policy's rewrites as the shell snippet appended to a command: ` || ( s=$?; ... exit $s )`. */
export function shellExitRule(policy: ExitPolicy): string {
  const tests = policy.rewrites.map(([from, to]) => ` [ $s = ${from} ] && exit ${to};`).join('');
  return ` || ( s=$?;${tests} exit $s )`;
}
