/** Drives the real bin/sersync2 as a child process, the way an init script does. */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { waitFor } from './wait';

export const BIN = path.resolve(__dirname, '../../../bin/sersync2');

/** `bin/sersync2 --check ARGS`, run to its end (a spawn that fails, or a run past 20 s, fails the test). */
export function checkConfigs(args: readonly string[]) {
  const run = spawnSync(process.execPath, [BIN, '--check', ...args], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(run.error, undefined, `spawn failed: ${run.error}`);
  return run;
}

export interface RunningSersync {
  readonly child: ChildProcess;
  /** Everything printed so far. */
  stdout(): string;
  stderr(): string;
  /** SIGTERM, then wait for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited(): Promise<number | null>;
}

export async function startSersync(args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; readyText?: string | undefined } = {}): Promise<RunningSersync> {
  // Tests leave the machine's inotify limits alone; test/kernelLimits.test.ts covers raising them.
  const env = { ...process.env, SERSYNC2_SYSCTL: '0', ...options.env };
  const child = spawn(process.execPath, [BIN, ...args], { env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exit.then((code) => (exitCode = code));
  const readyText = options.readyText === undefined ? 'watch path is: ' : options.readyText;
  if (readyText) {
    await waitFor(`sersync2 to print "${readyText}" (stderr so far: ${err})`, () => {
      if (exitCode !== undefined) throw new Error(`sersync2 exited with ${exitCode} before it was ready:\n${out}\n${err}`);
      return out.includes(readyText);
    }, 20_000);
  }
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited: () => exit,
    stop: async (signal = 'SIGTERM') => {
      if (exitCode === undefined) child.kill(signal);
      return exit;
    },
  };
}

/**
 * A shell that records every command string it is given (one file each), then runs it with
 * /bin/sh; and an `rsync` stand-in that exits with a given code. Returns the environment to use.
 */
export function commandRecorder(dir: string, rsyncExit = 0): { env: NodeJS.ProcessEnv; commands: () => string[]; clear: () => void } {
  const bin = path.join(dir, 'bin');
  const log = path.join(dir, 'commands');
  fs.mkdirSync(bin, { recursive: true });
  fs.mkdirSync(log, { recursive: true });
  fs.writeFileSync(path.join(bin, 'record-sh'), `#!/bin/sh\nf="${log}/$(date +%s%N)-$$"\nprintf '%s' "$2" > "$f.tmp" && mv "$f.tmp" "$f.cmd"\nexec /bin/sh "$@"\n`, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'rsync'), `#!/bin/sh\nexit ${rsyncExit}\n`, { mode: 0o755 });
  const read = () => fs.readdirSync(log).filter((f) => f.endsWith('.cmd')).sort().map((f) => fs.readFileSync(path.join(log, f), 'utf8'));
  return {
    env: { SERSYNC2_SHELL: path.join(bin, 'record-sh'), PATH: `${bin}:${process.env.PATH}` },
    commands: read,
    clear: () => {
      for (const f of fs.readdirSync(log)) fs.rmSync(path.join(log, f));
    },
  };
}

/** The counts of the daemon's SIGHUP report: "SIGHUP: N watches, Q queued, R running, B waiting for retry (...)". */
export interface SighupReport {
  readonly watches: number;
  readonly queued: number;
  readonly running: number;
  /** Commands waiting for a retry or being retried (the fail log's backoff lanes included). */
  readonly retrying: number;
  readonly line: string;
}

// Anywhere in a line: a child's stderr shares the pipe and can leave half a line before the report.
const SIGHUP_LINE = /SIGHUP: (\d+) watches, (\d+) queued, (\d+) running, (\d+) waiting for retry.*$/gm;

/** The SIGHUP reports in a daemon's output, each from `SIGHUP: ` to the end of its line. */
export const sighupLines = (output: string): string[] => [...output.matchAll(SIGHUP_LINE)].map((m) => m[0]);

/** Sends SIGHUP and resolves with the report it brings. The daemon answers in the order of its loop, so the report follows every kernel event it read before. */
export async function sighupReport(sersync: RunningSersync, timeoutMs = 10_000): Promise<SighupReport> {
  const reports = () => [...sersync.stdout().matchAll(SIGHUP_LINE)];
  const before = reports().length;
  sersync.child.kill('SIGHUP');
  const m = await waitFor(`SIGHUP report ${before + 1}`, () => reports()[before], timeoutMs);
  return { watches: Number(m[1]), queued: Number(m[2]), running: Number(m[3]), retrying: Number(m[4]), line: m[0] };
}

/** Nothing queued, running or left to retry. */
export const isIdle = (r: SighupReport): boolean => r.queued === 0 && r.running === 0 && r.retrying === 0;

/** SIGHUP reports, 50 ms apart, until one satisfies `done` (by default: idle); the test fails at the deadline. */
export function untilReport(sersync: RunningSersync, what: string, done: (report: SighupReport) => boolean = isIdle, timeoutMs = 20_000): Promise<SighupReport> {
  return waitFor(what, async () => {
    const report = await sighupReport(sersync);
    return done(report) && report;
  }, timeoutMs, 50);
}
