/**
 * A spawner starts one `shell -c command` child and resolves to its raw wait status, as system()
 * reports it: exit code x 256, or the number of the signal that killed it. It never rejects: a
 * command that cannot be started counts as exit 127, as the shell itself would report it.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';

/** Starts `shell -c command` as a direct child; resolves to its wait status, never rejects. */
export type Spawner = (shell: string, command: string) => Promise<number>;

/** The wait status of an exit, from child_process's (code, signal name) or the addon's (code, signal number). */
export function waitStatus(code: number | null, signal: NodeJS.Signals | number | null): number {
  if (typeof signal === 'number') return signal;
  if (signal) return os.constants.signals[signal] ?? 127;
  return (code ?? 127) * 256;
}

/** The status of a command that could not be started (the shell's "command not found"). */
export const NOT_STARTED = 127 * 256;

/** child_process.spawn: forks the whole process (milliseconds for a big one), works everywhere. */
export const nodeSpawner: Spawner = (shell, command) =>
  new Promise((resolve) => {
    try {
      const child = spawn(shell, ['-c', command], { stdio: ['ignore', 'inherit', 'inherit'] });
      child.once('error', () => resolve(NOT_STARTED));
      child.once('close', (code, signal) => resolve(waitStatus(code, signal)));
    } catch {
      resolve(NOT_STARTED); // invalid arguments, e.g. a NUL byte in the command
    }
  });
