/**
 * The daemon's own CPU for a burst: a real rsync daemon on loopback, bin/sersync2 (batch or compat)
 * pointed at it, 2,000 files of 1 KB written at full speed into 20 directories, then wait until the
 * remote tree equals the local one and the daemon is quiet. Prints utime+stime of the daemon and
 * cutime+cstime of its reaped children (rsync), in seconds, per run and the median.
 *
 *   node dist/scripts/cpu-burst.js [--mode batch|compat] [--runs 5] [--files 2000] [--dirs 20]
 *                                  [--prof DIR]   (one extra run under --cpu-prof, profile in DIR)
 *                                  [--storm]      (the workload generator instead of the burst)
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import minimist from 'minimist';
import { writeConfig } from '../test/helpers/config';
import { startRsyncDaemon } from '../test/helpers/rsyncd';
import { BIN } from '../test/helpers/sersync';
import { waitFor } from '../test/helpers/wait';

const TICK = 100; // USER_HZ on Linux

interface Cpu {
  readonly self: number;
  readonly children: number;
  /** The part of self spent in the kernel. */
  readonly sys: number;
}

function cpuOf(pid: number): Cpu {
  // Fields after the ")" of comm: state is field 3; utime 14, stime 15, cutime 16, cstime 17.
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const n = (i: number) => Number(f[i - 3]);
  return { self: (n(14) + n(15)) / TICK, children: (n(16) + n(17)) / TICK, sys: n(15) / TICK };
}

/** CPU seconds of each thread, by thread name (main thread, V8 workers, libuv's pool). */
function threadsOf(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
      const name = task === String(pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(name, (out.get(name) ?? 0) + (Number(f[11]) + Number(f[12])) / TICK);
    } catch {
      // the thread ended
    }
  }
  return out;
}

function hasChildren(pid: number): boolean {
  for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
    if (fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim() !== '') return true;
  }
  return false;
}

function listing(root: string): string {
  const out: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        out.push(`${r}/`);
        walk(path.join(dir, e.name), r);
      } else if (e.isSymbolicLink()) out.push(`${r} -> ${fs.readlinkSync(path.join(dir, e.name))}`);
      else out.push(`${r} ${fs.lstatSync(path.join(dir, e.name)).size}`);
    }
  };
  walk(root, '');
  return out.sort().join('\n');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function oneRun(mode: string, files: number, dirs: number, storm: boolean, profDir?: string): Promise<Cpu & { seconds: number }> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cpu-burst-'));
  const watch = path.join(work, 'src');
  fs.mkdirSync(watch);
  const daemon = await startRsyncDaemon(work);
  const config = writeConfig(path.join(work, 'confxml.xml'), { watch, failLog: path.join(work, 'fail.sh'), port: daemon.port, params: '-artu' });
  const nodeArgs = ['--max-semi-space-size=1', ...(process.env.CPU_BURST_NODE_FLAGS?.split(' ').filter(Boolean) ?? []), ...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []), BIN, '-o', config, ...(mode === 'batch' ? ['--batch'] : [])];
  const child = spawn(process.execPath, nodeArgs, { env: { ...process.env, SERSYNC2_SYSCTL: '0' }, cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const pid = child.pid!;
  try {
    await waitFor('the daemon to watch', () => out.includes('watch path is: '), 20_000);
    await sleep(200);
    // For a profiler to attach to (perf record -p): the pid, written once the daemon watches.
    if (process.env.CPU_BURST_PID_FILE) fs.writeFileSync(process.env.CPU_BURST_PID_FILE, `${pid}\n`);
    const before = cpuOf(pid);
    const threadsBefore = threadsOf(pid);
    const t0 = Date.now();
    if (storm) {
      const outside = path.join(work, 'outside');
      fs.mkdirSync(outside);
      const gen = path.resolve(__dirname, '../workload/generator.js');
      const r = spawnSync(process.execPath, [gen, '--root', watch, '--outside', outside, '--mix', 'all', '--ops', '3000', '--seed', '17'], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`generator failed: ${r.stderr}`);
    } else {
      const body = Buffer.alloc(1024, 'x');
      for (let d = 0; d < dirs; d++) fs.mkdirSync(path.join(watch, `d${d}`));
      for (let i = 0; i < files; i++) fs.writeFileSync(path.join(watch, `d${i % dirs}`, `f${i}.dat`), body);
    }
    const local = listing(watch);
    const remote = () => {
      try {
        return listing(daemon.dir);
      } catch {
        return undefined; // an rsync temporary file came and went while we listed
      }
    };
    await waitFor('the remote tree to equal the local one', () => remote() === local, 120_000, 50);
    // Quiet: no rsync child running, no child reaped and under 20 ms of CPU in 300 ms (not 0:
    // under --cpu-prof the profiler's own sampling never stops).
    let last = cpuOf(pid);
    for (;;) {
      await sleep(300);
      const now = cpuOf(pid);
      if (!hasChildren(pid) && now.self - last.self < 0.02 && now.children === last.children) break;
      last = now;
    }
    const seconds = (Date.now() - t0) / 1000;
    const after = cpuOf(pid);
    if (process.env.CPU_BURST_THREADS) {
      const t = [...threadsOf(pid)].map(([name, cpu]) => `${name} ${(cpu - (threadsBefore.get(name) ?? 0)).toFixed(2)}`);
      console.log(`  threads: ${t.join(', ')}`);
    }
    return { self: after.self - before.self, children: after.children - before.children, sys: after.sys - before.sys, seconds };
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    await daemon.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

async function main(): Promise<void> {
  const a = minimist(process.argv.slice(2), { string: ['mode', 'prof'], boolean: ['storm'], default: { mode: 'batch', runs: 5, files: 2000, dirs: 20 } });
  const runs: Array<Cpu & { seconds: number }> = [];
  for (let i = 0; i < Number(a.runs); i++) {
    const r = await oneRun(a.mode, Number(a.files), Number(a.dirs), a.storm);
    runs.push(r);
    console.log(`run ${i + 1}: self ${r.self.toFixed(2)} s (sys ${r.sys.toFixed(2)}), children ${r.children.toFixed(2)} s, wall ${r.seconds.toFixed(2)} s`);
  }
  if (runs.length) {
    const m = (k: keyof Cpu | 'seconds') => median(runs.map((r) => r[k]));
    const range = (k: keyof Cpu) => `${Math.min(...runs.map((r) => r[k])).toFixed(2)}-${Math.max(...runs.map((r) => r[k])).toFixed(2)}`;
    console.log(`${a.mode}${a.storm ? ' storm' : ''} median of ${runs.length}: self ${m('self').toFixed(2)} s (${range('self')}; sys ${m('sys').toFixed(2)}), children ${m('children').toFixed(2)} s (${range('children')}), wall ${m('seconds').toFixed(2)} s`);
  }
  if (a.prof) {
    fs.mkdirSync(a.prof, { recursive: true });
    const r = await oneRun(a.mode, Number(a.files), Number(a.dirs), a.storm, path.resolve(a.prof));
    console.log(`profiled run: self ${r.self.toFixed(2)} s, children ${r.children.toFixed(2)} s; profile in ${a.prof}`);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
