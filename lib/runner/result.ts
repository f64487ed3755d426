/**
 * What running one command gave: the command (as data, with its rendering and its remote), how
 * it ended (an exit code, a signal, or never started and why), how long it took, and the exit
 * policy that judged it. Retries, the fail log, the status and the metrics read it alone. The
 * wait status (exit code x 256, or the signal number, 127 x 256 for a command not started, as
 * system() reports it) is derived: it is what the fail log's `#errno` header records, byte for
 * byte as sersync2.
 */
import os from 'node:os';
import { type ExitAction, exitAction, type ExitPolicy, policyExitCode } from '../command/exitCodes';
import { type Command, policyOf, remoteLabel, remoteOf, render } from '../command/model';

/** How a child ended, or why it never started. */
export type Exit =
  | { readonly kind: 'exited'; readonly code: number }
  | { readonly kind: 'signaled'; readonly signal: number }
  /** `reason` is the errno name (E2BIG, EACCES, ENOENT...) or Node's error code. */
  | { readonly kind: 'not-started'; readonly reason: string };

export interface CommandResult {
  readonly command: Command;
  /** The command's `sh -c` string: what ran, what the fail log records. */
  readonly text: string;
  /** `ip::module` of the command's remote; undefined for a plugin's command or a script line naming none. */
  readonly remote: string | undefined;
  readonly exit: Exit;
  readonly durationMs: number;
  /** The rule that judged the exit (lib/command/exitCodes.ts). */
  readonly policy: ExitPolicy;
  /** What the daemon does about it: `ok` when the policy counts it a success. */
  readonly action: ExitAction;
}

/** The status of a command that could not be started (the shell's "command not found"). */
export const NOT_STARTED = 127 * 256;

/** Start failures that pass (the machine out of processes or memory for a moment); the rest need the operator. */
const TRANSIENT_START_FAILURES = new Set(['EAGAIN', 'ENOMEM', 'EMFILE', 'ENFILE']);

/** The result of `command` (rendered as `text`, which the runner ran) ending with `exit`, judged by the command's policy. */
export function resultOf(command: Command, exit: Exit, durationMs: number, text = render(command)): CommandResult {
  const policy = policyOf(command);
  const remote = remoteOf(command);
  return { command, text, remote: remote && remoteLabel(remote), exit, durationMs, policy, action: actionOf(exit, policy) };
}

function actionOf(exit: Exit, policy: ExitPolicy): ExitAction {
  switch (exit.kind) {
    case 'exited':
      return exitAction(exit.code, policy);
    case 'signaled':
      return 'retry';
    case 'not-started':
      return TRANSIENT_START_FAILURES.has(exit.reason) ? 'retry' : 'fix';
  }
}

/** The exit from child_process's (code, signal name) or the addon's (code, signal number). */
export function exitOf(code: number | null, signal: NodeJS.Signals | number | null): Exit {
  if (typeof signal === 'number') return { kind: 'signaled', signal };
  if (signal) return { kind: 'signaled', signal: os.constants.signals[signal] ?? 127 };
  return { kind: 'exited', code: code ?? 127 };
}

/** The raw wait status, as system() reports it and the fail log records it. */
export function waitStatusOf(exit: Exit): number {
  switch (exit.kind) {
    case 'exited':
      return exit.code * 256;
    case 'signaled':
      return exit.signal;
    case 'not-started':
      return NOT_STARTED;
  }
}

/** A result from a raw wait status (a test's fake runner). */
export function resultOfStatus(command: Command, status: number, durationMs = 0): CommandResult {
  const exit: Exit = status & 0x7f ? { kind: 'signaled', signal: status & 0x7f } : { kind: 'exited', code: status >> 8 };
  return resultOf(command, exit, durationMs);
}

/** Whether the command succeeded under its exit policy; a signal or a failed start never does. */
export function succeeded(result: CommandResult): boolean {
  return result.action === 'ok';
}

const SIGNAL_NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(os.constants.signals).map(([name, n]) => [n, name]));

/**
 * One phrase for a log line: `rsync exit 10 (error in socket I/O)`, `killed by signal 9
 * (SIGKILL)`, `not started: E2BIG`, named after what ran ("rsync", or "command" for a plugin's).
 */
export function describeResult(result: Pick<CommandResult, 'exit' | 'policy'>): string {
  const program = result.policy.rsyncCodes ? 'rsync' : 'command';
  const { exit } = result;
  switch (exit.kind) {
    case 'exited': {
      const meaning = policyExitCode(exit.code, result.policy)?.meaning;
      return `${program} exit ${exit.code}${meaning ? ` (${meaning})` : ''}`;
    }
    case 'signaled':
      return `${program} killed by signal ${exit.signal}${SIGNAL_NAMES[exit.signal] ? ` (${SIGNAL_NAMES[exit.signal]})` : ''}`;
    case 'not-started':
      return `${program} not started: ${exit.reason}`;
  }
}
