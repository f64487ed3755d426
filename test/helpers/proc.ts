/** Processes seen through /proc: who is still running, with which descriptors, and as whom. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { BIN } from './sersync';

/** Pids whose command line mentions `needle` (the config file of a test: one daemon per test). */
export function pidsWith(needle: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(needle);
      } catch {
        return false;
      }
    })
    .map(Number);
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Where each descriptor of `pid` points (`/dev/null`, `pipe:[123]`...), by number. */
export function descriptors(pid: number): Map<number, string> {
  const out = new Map<number, string>();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      out.set(Number(fd), fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

const NOBODY = 65534;

/**
 * The command line that runs bin/sersync2 as an unprivileged user: the tests run as root, for whom
 * a mode-000 directory is readable. As another user already, it is run as is.
 */
export function sersyncAsUser(args: readonly string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [process.execPath, [BIN, ...args]];
  return ['setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, BIN, ...args]];
}

export interface Finished {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** When stdout first held `mark` (performance.now()), if it ever did. */
  readonly markAt: number | undefined;
  /** When the process had exited and every pipe given to it was closed (performance.now()). */
  readonly closedAt: number;
}

/**
 * Runs a command as `$(...)` does: stdout and stderr are pipes, and it is finished only when both
 * are closed by every process holding them, not merely when it exits. Rejects after `timeoutMs`.
 */
export function runCaptured(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; mark?: string; timeoutMs?: number; onSpawn?: (pid: number) => void } = {}): Promise<Finished> {
  const child = spawn(command, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid !== undefined) options.onSpawn?.(child.pid);
  let stdout = '';
  let stderr = '';
  let markAt: number | undefined;
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (markAt === undefined && options.mark && stdout.includes(options.mark)) markAt = performance.now();
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const timeoutMs = options.timeoutMs ?? 20_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')}: not finished after ${timeoutMs} ms (a pipe still open?)\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.once('error', reject);
    // 'close': the process exited and all its stdio pipes reached end of file.
    child.once('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr, markAt, closedAt: performance.now() });
    });
  });
}

export interface Collecting {
  readonly child: ChildProcess;
  /** stdout and stderr so far, interleaved as they arrived. */
  output(): string;
  /** Its exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  /** SIGTERM if it still runs, then its exit: for a test's cleanups. */
  stop(): Promise<void>;
}

/** Starts a long-running command (a daemon under unshare or setpriv) and collects what it prints. */
export function spawnCollecting(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Collecting {
  const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return {
    child,
    output: () => out,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
