/**
 * Runs sersync2's command strings through `/bin/sh -c`, exactly as system() does, and reports
 * the raw wait status (exit code x 256, or the signal number), which is what the fail log records.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';

export interface CommandRunner {
  /** Resolves to the wait status; never rejects. */
  run(command: string): Promise<number>;
}

/** rsync exit 23 ("some files could not be transferred") counts as success, as in sersync2. */
export function succeeded(status: number): boolean {
  return status === 0 || status === 23 * 256;
}

export function waitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (signal) return os.constants.signals[signal] ?? 127;
  return (code ?? 127) * 256;
}

/**
 * The shell that runs commands. SERSYNC2_SHELL may name another POSIX shell; the golden tests use
 * it to record each exact command string before handing it to /bin/sh.
 */
export function defaultShell(env: NodeJS.ProcessEnv = process.env): string {
  return env.SERSYNC2_SHELL || '/bin/sh';
}

export class ShellRunner implements CommandRunner {
  constructor(private readonly shell = defaultShell()) {}

  run(command: string): Promise<number> {
    return new Promise((resolve) => {
      const child = spawn(this.shell, ['-c', command], { stdio: ['ignore', 'inherit', 'inherit'] });
      child.once('error', () => resolve(127 * 256));
      child.once('close', (code, signal) => resolve(waitStatus(code, signal)));
    });
  }
}

/** `--dry-run`: prints each command instead of running it, for side-by-side runs with sersync2 in debug. */
export class DryRunRunner implements CommandRunner {
  constructor(private readonly print: (line: string) => void) {}
  run(command: string): Promise<number> {
    this.print(command);
    return Promise.resolve(0);
  }
}
