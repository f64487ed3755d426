/** Runs one --verify dry run and says what it found: in sync, differing, or not verified. */
import { spawn, type ChildProcess } from 'node:child_process';
import { defaultShell } from '../runner/shell';
import { ChangeTally } from './itemize';

export type Verdict =
  | { readonly kind: 'in-sync' }
  | { readonly kind: 'differs'; readonly send: number; readonly delete: number; readonly shown: readonly string[] }
  | { readonly kind: 'failed'; readonly reason: string };

/** rsync's exit codes an operator meets here (man rsync, EXIT VALUES). */
const RSYNC_EXITS: Readonly<Record<number, string>> = {
  1: 'syntax or usage error',
  2: 'protocol incompatibility',
  3: 'errors selecting input/output files, dirs',
  5: 'error starting client-server protocol',
  10: 'error in socket I/O',
  11: 'error in file I/O',
  12: 'error in rsync protocol data stream',
  23: 'partial transfer due to error',
  30: 'timeout in data send/receive',
  35: 'timeout waiting for daemon connection',
  127: 'rsync not found',
};

/** The line of rsync's stderr that says what went wrong, rather than where in its source. */
function firstProblem(stderr: string): string | undefined {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return lines.find((l) => l.startsWith('@ERROR') || l.startsWith('rsync:')) ?? lines[0];
}

const running = new Set<ChildProcess>();

/** Ctrl-C or SIGTERM on --verify: the dry runs are in sessions of their own, so stop them here. */
export function stopVerifies(): void {
  for (const child of running) {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

/**
 * Runs `command` through the shell (it is a sersync2 command line, quoted as the daemon quotes
 * it). In a session of its own, so rsync cannot open a terminal to ask for a password and wait.
 * Exit 24 (files vanished while the list was made) still verifies what was there.
 */
export function runVerify(command: string, keep: number): Promise<Verdict> {
  return new Promise((resolve) => {
    const tally = new ChangeTally(keep);
    let stderr = '';
    const child = spawn(defaultShell(), ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    running.add(child);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => tally.write(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < 64 * 1024) stderr += chunk;
    });
    child.once('error', (error) => resolve({ kind: 'failed', reason: `cannot run rsync: ${error.message}` }));
    child.once('close', (code, signal) => {
      running.delete(child);
      tally.end();
      if (code === 0 || code === 24) {
        resolve(tally.total === 0 ? { kind: 'in-sync' } : { kind: 'differs', send: tally.send, delete: tally.delete, shown: tally.shown });
        return;
      }
      const what = signal ? `rsync killed by ${signal}` : `rsync exit ${code}${RSYNC_EXITS[code!] ? ` (${RSYNC_EXITS[code!]})` : ''}`;
      const problem = firstProblem(stderr);
      resolve({ kind: 'failed', reason: problem ? `${what}: ${problem}` : what });
    });
  });
}
