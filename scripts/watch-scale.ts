/**
 * The watcher at scale (issue 23, item 3): makes a tree of N directories (bench/workload/dirTree.ts:
 * top-level directories of 100, one file in each), starts bin/sersync2 on it in compat mode (no
 * -r, a remote that need not exist: nothing changes, so no rsync runs), and prints the seconds
 * from spawn until "watch path is" on stdout, then VmRSS, VmHWM and RssAnon from /proc after a
 * settle, and the longest the daemon's event loop was held from "run the sersync:" (the line
 * before the watch setup) until then (scripts/loopProbe.ts). The tree is removed afterwards.
 * Needs fs.inotify.max_user_watches above N.
 *
 *   node dist/scripts/watch-scale.js --dirs 250000 [--tmp /dev/shm] [--settle 1000]
 *        [--node-arg=--cpu-prof --node-arg=--cpu-prof-dir=/tmp/prof] [--node-arg=--trace-gc --out FILE]
 *
 * --node-arg adds a Node flag to those on bin/sersync2's #! line (the bin is run through `node`
 * with the same flags, so that profiling flags can be added).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import minimist from 'minimist';
import { makeDirTree } from '../bench/workload/dirTree';

const argv = minimist(process.argv.slice(2), { string: ['dirs', 'tmp', 'settle', 'node-arg', 'bin', 'out'] });
const DIRS = Number(argv.dirs ?? 250_000);
const TMP = String(argv.tmp ?? '/dev/shm');
const SETTLE_MS = Number(argv.settle ?? 1000);
const extra = ([] as string[]).concat(argv['node-arg'] ?? []);
const ROOT = path.resolve(__dirname, '..', '..');
/** --out FILE: the daemon's stdout is copied there (--node-arg=--trace-gc writes to it). */
const OUT = argv.out === undefined ? undefined : fs.createWriteStream(String(argv.out));
const BIN = path.resolve(String(argv.bin ?? path.join(ROOT, 'bin', 'sersync2')));

/** The Node flags of the bin's `#!/usr/bin/env -S node FLAGS` line. */
function shebangFlags(bin: string): string[] {
  const first = fs.readFileSync(bin, 'utf8').split('\n', 1)[0] ?? '';
  const words = first.replace(/^#!/, '').trim().split(/\s+/);
  const at = words.indexOf('node');
  return at < 0 ? [] : words.slice(at + 1);
}

/** CPU seconds (user, system) of a process so far, from /proc/PID/stat (clock ticks of 1/100 s). */
function cpu(pid: number): [number, number] {
  const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return [Number(f[11]) / 100, Number(f[12]) / 100];
}

function status(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
    const m = /^(VmRSS|VmHWM|RssAnon):\s+(\d+) kB/.exec(line);
    if (m) out[m[1]!] = Number(m[2]) / 1024;
  }
  return out;
}

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)}`;

/** The daemon's own breakdown (scripts/memProbe.ts), asked for by SIGUSR2, as one line; undefined when it does not answer in 5 s. */
async function memoryBreakdown(pid: number, file: string): Promise<string | undefined> {
  process.kill(pid, 'SIGUSR2');
  for (let waited = 0; !fs.existsSync(file); waited += 20) {
    if (waited > 5000) return undefined;
    await new Promise((r) => setTimeout(r, 20));
  }
  const m = JSON.parse(fs.readFileSync(file, 'utf8')) as { usage: NodeJS.MemoryUsage; spaces: Record<string, { size: number; used: number }> };
  const spaces = Object.entries(m.spaces).filter(([, s]) => s.size > 1048576).map(([name, s]) => `${name.replace(/_space$/, '')} ${mb(s.used)}/${mb(s.size)}`);
  return `  heap used ${mb(m.usage.heapUsed)} MB of ${mb(m.usage.heapTotal)} (${spaces.join(', ')}); external ${mb(m.usage.external)} MB, array buffers ${mb(m.usage.arrayBuffers)} MB`;
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(TMP, 'watch-scale-'));
  const tree = path.join(work, 'tree');
  fs.mkdirSync(tree);
  try {
    const t = performance.now();
    makeDirTree(tree, DIRS - 1); // and the root: N directories in all
    console.log(`made ${DIRS} directories in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const config = fs.readFileSync(path.join(ROOT, 'confxml.xml'), 'utf8').replace(/watch="\/opt\/tongbu"/, `watch="${tree}"`).replace('/tmp/rsync_fail_log.sh', path.join(work, 'fail.sh'));
    fs.writeFileSync(path.join(work, 'confxml.xml'), config);
    const t0 = performance.now();
    const probe = path.join(work, 'loop-block-ms');
    const memFile = path.join(work, 'memory.json');
    const probeArgs = ['loopProbe.js', 'memProbe.js'].map((js) => `--require=${path.join(__dirname, js)}`);
    const env = { ...process.env, LOOP_PROBE_FILE: probe, MEM_PROBE_FILE: memFile };
    const child = spawn(process.execPath, [...shebangFlags(BIN), ...probeArgs, ...extra, BIN, '-o', path.join(work, 'confxml.xml'), '--status-file', path.join(work, 'status.json')], { stdio: ['ignore', 'pipe', 'inherit'], env });
    let setupFrom = Number.POSITIVE_INFINITY;
    const seconds = await new Promise<number>((resolve, reject) => {
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => {
        OUT?.write(chunk);
        text += chunk.toString();
        if (setupFrom === Number.POSITIVE_INFINITY && text.includes('run the sersync:')) setupFrom = Date.now();
        if (text.includes('watch path is')) resolve((performance.now() - t0) / 1000);
      });
      child.on('exit', (code) => reject(new Error(`sersync2 exited (${code}) before watching: ${text}`)));
    });
    const [user, sys] = cpu(child.pid!);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const s = status(child.pid!);
    const heap = await memoryBreakdown(child.pid!, memFile);
    const blocks = fs.existsSync(probe) ? fs.readFileSync(probe, 'utf8').trim().split('\n').map((line) => line.split(' ').map(Number)) : [];
    const blocked = Math.max(0, ...blocks.filter(([end]) => end! >= setupFrom).map(([, held]) => held!));
    console.log(`dirs ${DIRS}  watched after ${seconds.toFixed(1)} s (cpu user ${user.toFixed(1)} s, sys ${sys.toFixed(1)} s)  VmRSS ${s.VmRSS?.toFixed(0)} MB  VmHWM ${s.VmHWM?.toFixed(0)} MB  RssAnon ${s.RssAnon?.toFixed(0)} MB  longest loop block ${blocked.toFixed(1)} ms`);
    if (heap) console.log(heap);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
