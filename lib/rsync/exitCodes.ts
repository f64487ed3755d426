/**
 * rsync's exit codes and their meaning (man rsync, EXIT VALUES), and the two rules that say which
 * of them count as success: sersync2's (compat) and batch mode's. A batch command carries its rule
 * as a shell snippet (so a fail-log entry run by hand with sh judges the same way); the snippet is
 * rendered from the same policy that the daemon applies to the status it gets back.
 */

export const RSYNC_EXIT_CODES: Readonly<Record<number, string>> = {
  0: 'success',
  1: 'syntax or usage error',
  2: 'protocol incompatibility',
  3: 'errors selecting input/output files, dirs',
  4: 'requested action not supported',
  5: 'error starting client-server protocol',
  6: 'daemon unable to append to log-file',
  10: 'error in socket I/O',
  11: 'error in file I/O',
  12: 'error in rsync protocol data stream',
  13: 'errors with program diagnostics',
  14: 'error in IPC code',
  20: 'received SIGUSR1 or SIGINT',
  21: 'some error returned by waitpid()',
  22: 'error allocating core memory buffers',
  23: 'partial transfer due to error',
  24: 'partial transfer due to vanished source files',
  25: 'the --max-delete limit stopped deletions',
  30: 'timeout in data send/receive',
  35: 'timeout waiting for daemon connection',
};

/** What the batch rule turns rsync's 23 into, so that it is a failure for sersync2's rule too. */
export const BATCH_PARTIAL = 123;

/** The shell's own codes, seen when rsync (or a plugin's command) never ran. */
const SHELL_EXIT_CODES: Readonly<Record<number, string>> = {
  126: 'the shell could not execute the command',
  127: 'the shell could not find the command',
  [BATCH_PARTIAL]: "partial transfer due to error: rsync's 23, a failure in batch mode",
};

/** The meaning of an exit code of an rsync command line, or undefined for one rsync does not use. */
export function exitMeaning(code: number): string | undefined {
  return RSYNC_EXIT_CODES[code] ?? SHELL_EXIT_CODES[code];
}

export interface ExitPolicy {
  readonly name: 'compat' | 'batch';
  /** Exit codes that count as success. */
  readonly success: readonly number[];
  /** [from, to]: codes the command's own shell rule rewrites before the daemon sees them (batch only). */
  readonly rewrites: ReadonlyArray<readonly [number, number]>;
}

/** sersync2's rule: 23 (some files could not be transferred) counts as success. */
export const COMPAT_POLICY: ExitPolicy = { name: 'compat', success: [0, 23], rewrites: [] };

/**
 * Batch mode: 24 (a file vanished: its own event follows) is success, 23 is a failure (a remote
 * out of inodes gives it too). The command rewrites them, so the daemon sees 0 and 123.
 */
export const BATCH_POLICY: ExitPolicy = { name: 'batch', success: [0, 24], rewrites: [
    [24, 0],
    [23, BATCH_PARTIAL],
  ],
};

/** Whether an exit code counts as success under a policy (a rewritten code, 0 or 123, as well as rsync's own). */
export function exitSucceeded(code: number, policy: ExitPolicy): boolean {
  return policy.success.includes(code);
}

/** The policy's rewrites as the shell snippet appended to a command: ` || ( s=$?; ... exit $s )`. */
export function shellExitRule(policy: ExitPolicy): string {
  const tests = policy.rewrites.map(([from, to]) => ` [ $s = ${from} ] && exit ${to};`).join('');
  return ` || ( s=$?;${tests} exit $s )`;
}
