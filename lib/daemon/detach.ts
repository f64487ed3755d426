/**
 * `-d`: the program starts itself again as a detached child in a new session. Unlike sersync2's
 * blind one-second sleep, the parent waits until the child is watching (exit 0) or has failed
 * (exit 1, with the child's error).
 *
 * Unlike sersync2, the child holds nothing of the caller's, so `$(sersync2 -d ...)`, `ssh host
 * sersync2 -d ...` and configuration-management shells return: its stdin, stdout and stderr are
 * /dev/null, or the --log-file (what is written there past the logger, a crash for one, is kept).
 * Its start-up lines come to the parent through a pipe on the child's fd 3, which the parent
 * prints; the child closes it once watching. The writes are synchronous, so the error of a child
 * that exits at once is never lost.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { isSingleExecutable } from '../sea/isSea';

export const CHILD_ENV = 'SERSYNC2_DETACHED_CHILD';
const CHANNEL_FD = 3;

export type ChildMessage = { readonly ready: true } | { readonly error: string };
/** One line of the pipe: JSON, so that a path with a newline in a start-up line stays one message. */
type Wire = { readonly out: string } | { readonly err: string } | { readonly ready: true };

// Read once: the commands the daemon runs must not inherit the marker (a `sersync2 -d` run by a
// plugin command is a parent again).
const detachedChild = process.env[CHILD_ENV] === '1';
delete process.env[CHILD_ENV];
/** The pipe to the waiting parent, until start-up is over. */
let channel: number | undefined = detachedChild ? CHANNEL_FD : undefined;
if (detachedChild) closeInherited(CHANNEL_FD);

export function isDetachedChild(): boolean {
  return detachedChild;
}

/** In the parent: start the child, print what it prints during start-up, and wait for its word. */
export function detach(script: string, argv: readonly string[], logFile: string | undefined): Promise<number> {
  let stdio: { input: number; output: number };
  try {
    stdio = { input: fs.openSync('/dev/null', 'r'), output: openOutput(logFile) };
  } catch (error) {
    process.stderr.write(`sersync2: cannot open ${logFile ?? '/dev/null'}: ${(error as Error).message}\n`);
    return Promise.resolve(1);
  }
  return new Promise((resolve) => {
    // execArgv: the child keeps the V8 flags the bin's #! line gave the parent. The single
    // executable (make dist) is its own script: it gets the flags alone.
    const child = spawn(process.execPath, [...process.execArgv, ...(isSingleExecutable() ? [] : [script]), ...argv], {
      detached: true,
      stdio: [stdio.input, stdio.output, stdio.output, 'pipe'],
      env: { ...process.env, [CHILD_ENV]: '1' },
    });
    fs.closeSync(stdio.input);
    fs.closeSync(stdio.output);
    const lines = child.stdio[CHANNEL_FD] as Readable;
    let ready = false;
    let reported = false;
    let settled = false;
    // Until it is detached, the parent stands for the child: Ctrl-C or a SIGTERM to the caller stops
    // the start-up, and the parent then waits to tell how it ended.
    let stopSignal: NodeJS.Signals | undefined;
    const forward = (signal: NodeJS.Signals) => {
      stopSignal = signal;
      child.kill(signal);
    };
    process.on('SIGINT', forward).on('SIGTERM', forward);
    const settle = (code: number) => {
      if (settled) return;
      settled = true;
      process.off('SIGINT', forward).off('SIGTERM', forward);
      lines.removeAllListeners('data').destroy();
      child.unref();
      resolve(code);
    };
    let partial = '';
    lines.setEncoding('utf8');
    lines.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop()!;
      for (const part of parts) {
        const wire = parseWire(part);
        if ('out' in wire) process.stdout.write(wire.out);
        else if ('err' in wire) {
          reported = true;
          process.stderr.write(wire.err);
        } else ready = true;
      }
      if (ready && !stopSignal) settle(0);
    });
    child.on('close', (code, signal) => {
      if (settled) return;
      if (!reported) {
        const how = signal ? `was killed by ${signal}` : stopSignal ? `stopped at ${stopSignal}` : `exited with code ${code}`;
        process.stderr.write(`sersync2: the daemon ${how} during start-up${logFile ? `; see ${logFile}` : ''}\n`);
      }
      settle(1);
    });
    child.on('error', (error) => {
      process.stderr.write(`sersync2: cannot start the daemon: ${error.message}\n`);
      settle(1);
    });
  });
}

function parseWire(line: string): Wire {
  try {
    return JSON.parse(line) as Wire;
  } catch {
    return { out: `${line}\n` }; // not ours: shown as it came
  }
}

/** The child's stdout and stderr: the log file, appended to (created as the logger would), or /dev/null. */
function openOutput(logFile: string | undefined): number {
  if (!logFile) return fs.openSync('/dev/null', 'w');
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  return fs.openSync(logFile, 'a', 0o640);
}

/** In the child, during start-up: a line for the caller's stdout (the logger's console lines). */
export function startupLine(text: string): void {
  send({ out: text });
}

/** In the child: tell the parent how start-up went, then let go of the pipe. */
export function tellParent(message: ChildMessage): void {
  send('ready' in message ? message : { err: message.error });
  if (channel === undefined) return;
  try {
    fs.closeSync(channel);
  } catch {
    // already closed
  }
  channel = undefined;
}

function send(wire: Wire): void {
  if (channel === undefined) return;
  try {
    fs.writeSync(channel, `${JSON.stringify(wire)}\n`);
  } catch {
    // EPIPE: the parent is gone (its caller hung up, say); the daemon goes on without it.
    channel = undefined;
  }
}

/**
 * Closes the descriptors the caller passed down besides 0, 1, 2 and the pipe (a harness's or an
 * ssh session's pipe would otherwise stay open as long as the daemon runs). They are the ones that
 * survived exec, so they lack close-on-exec, which Node and libuv set on every descriptor of their own.
 */
function closeInherited(keep: number): void {
  const O_CLOEXEC = 0o2000000;
  let fds: string[];
  try {
    fds = fs.readdirSync('/proc/self/fd');
  } catch {
    return; // no /proc: nothing to go by
  }
  for (const name of fds) {
    const fd = Number(name);
    if (fd <= 2 || fd === keep) continue;
    try {
      const flags = /^flags:\s+([0-7]+)$/m.exec(fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1];
      if (flags !== undefined && (parseInt(flags, 8) & O_CLOEXEC) === 0) fs.closeSync(fd);
    } catch {
      // gone meanwhile, such as the descriptor readdirSync used
    }
  }
}
