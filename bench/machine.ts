/** The machine and the versions a result was measured with, so two results files can be compared. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN } from './paths';

export interface Machine {
  readonly hostname: string;
  readonly nproc: number;
  readonly cpu: string;
  readonly memoryGiB: number;
  readonly kernel: string;
  /** 1-minute load average when the run started: other work on the machine skews the figures. */
  readonly loadAtStart: number;
}

export interface Versions {
  readonly node: string;
  readonly rsync: string;
  readonly lsyncd: string;
  readonly inotifywait: string;
  readonly ours: string;
  /** The reference binary (SERSYNC2_REF) by its sha256, since it has no version option to ask; or `not given`. */
  readonly sersync2: string;
  /** The commit measured, with `+dirty` when the work tree had changes. */
  readonly commit: string;
}

/** The first line of a command's output (stdout or stderr: inotifywait prints its version to stderr and exits 1). */
function firstLine(command: string, args: readonly string[], pick: RegExp = /.*/): string {
  let text: string;
  try {
    text = execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; code?: string };
    if (e.code === 'ENOENT') return 'not installed';
    text = `${e.stdout ?? ''}${e.stderr ?? ''}`;
  }
  const line = text.split('\n').find((l) => pick.test(l)) ?? text.split('\n')[0] ?? '';
  return line.trim();
}

export function machine(): Machine {
  return {
    hostname: os.hostname(),
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    loadAtStart: Math.round(os.loadavg()[0]! * 100) / 100,
  };
}

export function versions(sersync2Ref: string | undefined): Versions {
  const repo = path.resolve(path.dirname(BIN), '..');
  const head = firstLine('git', ['-C', repo, 'rev-parse', '--short', 'HEAD']);
  const dirty = firstLine('git', ['-C', repo, 'status', '--porcelain', '--untracked-files=no']) !== '';
  return {
    node: process.version,
    rsync: firstLine('rsync', ['--version']).replace(/\s+/g, ' '),
    lsyncd: firstLine('lsyncd', ['--version'], /Version/),
    inotifywait: firstLine('inotifywait', ['--help']),
    ours: firstLine(BIN, ['--version']),
    sersync2: sersync2Ref ? `${sersync2Ref} (sha256 ${createHash('sha256').update(fs.readFileSync(sersync2Ref)).digest('hex').slice(0, 16)})` : 'not given',
    commit: `${head}${dirty ? '+dirty' : ''}`,
  };
}
