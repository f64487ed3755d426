/**
 * Memory and CPU of a tool from /proc. A tool is measured as its process tree: lsyncd is one
 * process, ours one Node process, the plain loop a shell, a subshell and inotifywait. The rsync
 * processes the tools spawn are left out of memory (they come and go; rsync's own memory is the
 * same for every tool) but their CPU is counted once reaped (cutime/cstime), since spawning
 * fewer or cheaper rsyncs is part of what a tool does.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

interface Stat {
  readonly pid: number;
  readonly comm: string;
  readonly ppid: number;
  /** utime + stime + cutime + cstime, in clock ticks. */
  readonly ticks: number;
}

let clockTicks: number | undefined;

/** sysconf(_SC_CLK_TCK), 100 on every Linux we know; asked once. */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // gone
  }
  // comm may hold spaces and parentheses: the fields start after the last ')'.
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  const f = text.slice(close + 2).split(' ');
  // f[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17.
  return { pid, comm, ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) };
}

/** Every live process, read once. */
function allStats(): Stat[] {
  const out: Stat[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s) out.push(s);
  }
  return out;
}

/** `root` and its descendants that are alive now. */
function processTree(root: number): Stat[] {
  const stats = allStats();
  const byParent = new Map<number, Stat[]>();
  for (const s of stats) {
    const list = byParent.get(s.ppid) ?? [];
    list.push(s);
    byParent.set(s.ppid, list);
  }
  const self = stats.find((s) => s.pid === root);
  if (!self) return [];
  const out = [self];
  for (let i = 0; i < out.length; i++) out.push(...(byParent.get(out[i]!.pid) ?? []));
  return out;
}

/** The descendants' pids (not `root`), for killing stragglers after the root has exited. */
export function descendants(root: number): number[] {
  return processTree(root)
    .slice(1)
    .map((s) => s.pid);
}

/** CPU seconds used so far by the tree: its live processes and the children they have reaped. */
export function cpuSeconds(root: number): number {
  return processTree(root).reduce((sum, s) => sum + s.ticks, 0) / ticksPerSecond();
}

/** CPU seconds of one process alone (its threads and reaped children): one read, cheap enough to poll every few ms. */
export function ownCpuSeconds(pid: number): number | undefined {
  const s = readStat(pid);
  return s && s.ticks / ticksPerSecond();
}

/**
 * The inotify watches `pid` holds, from /proc/PID/fdinfo. Costly on a big tree (~90 ms for
 * 20,000 watches) and it holds the watch table's lock meanwhile, slowing the walk it counts: read
 * it once a walk looks done, never in a tight loop.
 */
export function inotifyWatches(pid: number): number {
  let count = 0;
  let fds: string[];
  try {
    fds = fs.readdirSync(`/proc/${pid}/fd`);
  } catch {
    return 0;
  }
  for (const fd of fds) {
    try {
      if (fs.readlinkSync(`/proc/${pid}/fd/${fd}`) !== 'anon_inode:inotify') continue;
      count += fs.readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8').split('\ninotify wd:').length - 1;
    } catch {
      // closed meanwhile
    }
  }
  return count;
}

/** True while an rsync (or the shell about to run one) is running under `root`. */
export function syncing(root: number): boolean {
  return processTree(root)
    .slice(1)
    .some((s) => s.comm === 'rsync' || s.comm === 'sh');
}

export interface Memory {
  /** VmRSS, MiB: resident now. */
  readonly rssMb: number;
  /** VmHWM, MiB: the peak resident size (summed over the processes: an upper bound for a tree). */
  readonly hwmMb: number;
  /**
   * RssAnon, MiB: the resident memory that is the process's own (heap, stacks), without the
   * pages of its program and libraries, which are file-backed and shared (node's binary alone
   * accounts for about 42 MiB of our VmRSS).
   */
  readonly anonMb: number;
}

type StatusField = 'VmRSS' | 'VmHWM' | 'RssAnon';

function statusKb(pid: number, field: StatusField): number {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(text)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Memory of the tree without its rsync and sh children; undefined if the root is gone. */
export function memory(root: number): Memory | undefined {
  const tree = processTree(root).filter((s) => s.comm !== 'rsync' && s.comm !== 'sh');
  if (tree.length === 0) return undefined;
  const kb = (field: StatusField) => tree.reduce((sum, s) => sum + statusKb(s.pid, field), 0);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024, anonMb: kb('RssAnon') / 1024 };
}
