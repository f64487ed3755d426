/**
 * What running one command gave: the command, how it ended (an exit code, a signal, or never
 * started and why), and how long it took. The wait status (exit code x 256, or the signal number,
 * 127 x 256 for a command not started, as system() reports it) is derived: it is what the fail
 * log's `#errno` header records, byte for byte as sersync2.
 */
import os from 'node:os';
import { exitPolicyOf } from '../rsync/commandModel';
import { exitMeaning, exitSucceeded, type ExitPolicy } from '../rsync/exitCodes';

/** How a child ended, or why it never started. */
export type Exit =
  | { readonly kind: 'exited'; readonly code: number }
  | { readonly kind: 'signaled'; readonly signal: number }
  /** `reason` is the errno name (E2BIG, EACCES, ENOENT...) or Node's error code. */
  | { readonly kind: 'not-started'; readonly reason: string };

export interface CommandResult {
  readonly command: string;
  readonly exit: Exit;
  readonly durationMs: number;
}

/** The status of a command that could not be started (the shell's "command not found"). */
export const NOT_STARTED = 127 * 256;

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

/** A result from a raw wait status (a fail-log header, a test's fake runner). */
export function resultOfStatus(command: string, status: number, durationMs = 0): CommandResult {
  const exit: Exit = status & 0x7f ? { kind: 'signaled', signal: status & 0x7f } : { kind: 'exited', code: status >> 8 };
  return { command, exit, durationMs };
}

/**
 * Whether the command succeeded under its exit-code policy (a batch command's rule, else
 * sersync2's: lib/rsync/exitCodes.ts); a signal or a failed start never does.
 */
export function succeeded(result: CommandResult, policy: ExitPolicy = exitPolicyOf(result.command)): boolean {
  return result.exit.kind === 'exited' && exitSucceeded(result.exit.code, policy);
}

const SIGNAL_NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(os.constants.signals).map(([name, n]) => [n, name]));

/**
 * One phrase for a log line: `rsync exit 10 (error in socket I/O)`, `killed by signal 9
 * (SIGKILL)`, `not started: E2BIG`. `program` names what ran ("rsync", "command").
 */
export function describeExit(exit: Exit, program = 'rsync'): string {
  switch (exit.kind) {
    case 'exited': {
      // rsync's table says nothing about what a plugin's command meant by its code.
      const meaning = program === 'rsync' ? exitMeaning(exit.code) : undefined;
      return `${program} exit ${exit.code}${meaning ? ` (${meaning})` : ''}`;
    }
    case 'signaled':
      return `${program} killed by signal ${exit.signal}${SIGNAL_NAMES[exit.signal] ? ` (${SIGNAL_NAMES[exit.signal]})` : ''}`;
    case 'not-started':
      return `${program} not started: ${exit.reason}`;
  }
}
