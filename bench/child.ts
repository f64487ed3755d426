/**
 * A tool under test as a child process: its own process group (so that stopping it also stops
 * the rsyncs and subshells it started), its output written to files and watched for start-up
 * markers. Files, not pipes: a pipe that the bench does not drain while it writes a burst
 * synchronously would block a tool that logs every rsync (lsyncd does) and slow it unfairly.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Cleanup } from './cleanup';
import { descendants } from './proc';

/** A wait that ran out of time: scenarios report it as "timeout", not as a failure. */
export class TimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
}

/** The tool under test exited during a workload (sersync2 2.5.4 aborts in some storms): reported as "crashed". */
export class CrashError extends Error {
  readonly code = 'ECRASHED';
}

type Stream = 'stdout' | 'stderr';

/** How often the output files are read while a marker is awaited: the markers' resolution. */
const POLL_MS = 2;

/** Text kept of each stream to find a marker split across reads. */
const OVERLAP_CHARS = 256;

export interface OutputMarker {
  /** Resolves with the ms from spawn to when the text was first seen; rejects on exit or at the deadline. */
  wait(deadlineMs: number): Promise<number>;
}

export interface ToolProcess {
  readonly pid: number;
  /** performance.now() right after the spawn call: what marker times count from. */
  readonly spawnedAt: number;
  /**
   * Starts looking for `text` in a stream. Call it right after start: the time recorded is the
   * first poll that sees the text, whether or not someone waits yet.
   */
  marker(stream: Stream, text: string): OutputMarker;
  /** The last lines of output, for error messages. */
  tail(): string;
  /** How it ended (`killed by SIGABRT`, `exited with 1`) and its last words on stderr; undefined while it runs. */
  exited(): string | undefined;
  /** SIGTERM to the group, SIGKILL 5 s later, then any descendant still alive. Idempotent. */
  stop(): Promise<void>;
}

interface Marker {
  readonly stream: Stream;
  readonly text: string;
  at: number | undefined;
}

interface Output {
  readonly file: string;
  readonly fd: number;
  offset: number;
  carry: string;
}

/** Starts `command`; its output goes to `logPrefix.stdout` and `logPrefix.stderr`. */
export function startProcess(cleanup: Cleanup, command: string, args: readonly string[], options: { logPrefix: string; env?: NodeJS.ProcessEnv; cwd?: string }): ToolProcess {
  const open = (stream: Stream): Output => {
    const file = `${options.logPrefix}.${stream}`;
    return { file, fd: fs.openSync(file, 'w+'), offset: 0, carry: '' };
  };
  const out: Record<Stream, Output> = { stdout: open('stdout'), stderr: open('stderr') };
  const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', out.stdout.fd, out.stderr.fd], detached: true });
  const spawnedAt = performance.now();
  const name = path.basename(command);
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  const pid = child.pid;
  const markers: Marker[] = [];
  let exit: string | undefined;
  const ended = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = signal ? `killed by ${signal}` : `exited with ${code}`;
      resolve();
    });
    child.once('error', (error) => {
      exit = `failed to start: ${error.message}`;
      resolve();
    });
  });

  // Reads what the child wrote since the last poll and checks the pending markers against it.
  const buffer = Buffer.alloc(64 * 1024);
  const poll = () => {
    const now = performance.now();
    for (const stream of ['stdout', 'stderr'] as const) {
      const o = out[stream];
      let text = o.carry;
      for (;;) {
        const n = fs.readSync(o.fd, buffer, 0, buffer.length, o.offset);
        if (n === 0) break;
        o.offset += n;
        text += buffer.toString('utf8', 0, n);
      }
      if (text === o.carry) continue;
      for (const m of markers) if (m.at === undefined && m.stream === stream && text.includes(m.text)) m.at = now;
      o.carry = text.slice(-OVERLAP_CHARS);
    }
  };
  let poller: NodeJS.Timeout | undefined;
  const watchOutput = () => {
    poller ??= setInterval(() => {
      poll();
      if (exit !== undefined || markers.every((m) => m.at !== undefined)) {
        clearInterval(poller);
        poller = undefined;
      }
    }, POLL_MS);
  };

  const tail = () => {
    const last = (o: Output) => {
      try {
        const text = fs.readFileSync(o.file, 'utf8');
        return text.slice(-2000);
      } catch {
        return '';
      }
    };
    return `stdout: ${last(out.stdout)}\nstderr: ${last(out.stderr)}`;
  };
  const exited = () => {
    if (exit === undefined) return undefined;
    let words = '';
    try {
      words = fs.readFileSync(out.stderr.file, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean).slice(-2).join(' ');
    } catch {
      // no stderr file: the exit alone says it
    }
    return words ? `${exit} (stderr: ${words.slice(-160)})` : exit;
  };

  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // the group is empty already
    }
  };
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // Children that left the group (none should) are found by parentage before the root goes.
      const family = descendants(pid);
      if (exit === undefined) {
        signalGroup('SIGTERM');
        const timer = setTimeout(() => signalGroup('SIGKILL'), 5_000);
        await ended;
        clearTimeout(timer);
      }
      signalGroup('SIGKILL');
      for (const p of family) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          // gone
        }
      }
      if (poller) clearInterval(poller);
      fs.closeSync(out.stdout.fd);
      fs.closeSync(out.stderr.fd);
    })();
    return stopping;
  };
  const forget = cleanup.add({ close: stop, kill: () => signalGroup('SIGKILL') });

  return {
    pid,
    spawnedAt,
    tail,
    exited,
    stop: forget,
    marker: (stream, text) => {
      const marker: Marker = { stream, text, at: undefined };
      markers.push(marker);
      watchOutput();
      return {
        wait: (deadlineMs) =>
          new Promise<number>((resolve, reject) => {
            const deadline = performance.now() + deadlineMs;
            const check = () => {
              // One reader per process, the interval above, however many markers wait: reading costs
              // the cores the measured process needs. A wait reads only for the last words before an exit.
              if (marker.at === undefined && exit !== undefined) poll();
              if (marker.at !== undefined) return resolve(marker.at - spawnedAt);
              if (exit !== undefined) return reject(new Error(`${name} ${exit} before printing "${text}"; ${tail()}`));
              if (performance.now() > deadline) return reject(new TimeoutError(`no "${text}" from ${name} within ${deadlineMs} ms`));
              setTimeout(check, POLL_MS);
            };
            check();
          }),
      };
    },
  };
}
