/**
 * A spawner starts one `shell -c command` child and resolves to how it ended: its exit code, the
 * signal that killed it, or why it could not be started (the errno name). It never rejects.
 */
import { spawn } from 'node:child_process';
import { exitOf, type Exit } from './result';

/** Starts `shell -c command` as a direct child; resolves to its exit, never rejects. */
export type Spawner = (shell: string, command: string) => Promise<Exit>;

/** A command that could not be started, and why (an errno name or Node's error code). */
export function notStarted(error: unknown): Exit {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return { kind: 'not-started', reason: typeof code === 'string' ? code : String((error as Error | undefined)?.message ?? error) };
}

/** child_process.spawn: forks the whole process (milliseconds for a big one), works everywhere. */
export const nodeSpawner: Spawner = (shell, command) =>
  new Promise((resolve) => {
    try {
      const child = spawn(shell, ['-c', command], { stdio: ['ignore', 'inherit', 'inherit'] });
      child.once('error', (error) => resolve(notStarted(error)));
      child.once('close', (code, signal) => resolve(exitOf(code, signal)));
    } catch (error) {
      resolve(notStarted(error)); // invalid arguments, e.g. a NUL byte in the command
    }
  });
