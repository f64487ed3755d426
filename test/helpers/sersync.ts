/** Drives the real bin/sersync2 as a child process, the way an init script does. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { waitFor } from './wait';

export const BIN = path.resolve(__dirname, '../../../bin/sersync2');

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
