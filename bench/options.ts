/**
 * What a run measures and how long each wait may last. The full sizes are the issue's; the
 * deadlines are chosen so that a full `make bench` (3 runs) stays under 25 minutes on a 2-core machine
 * even when the per-event tools time out (each rsync to a daemon costs ~0.1 s there, so one rsync
 * per file cannot finish 10,000 files in the time given, and that is what the table should show).
 */
import fs from 'node:fs';
import os from 'node:os';
import { TOOL_IDS, type ToolId } from './tools/types';

const SCENARIOS = ['burst', 'into-tree', 'latency', 'storm-all', 'storm-mkdir', 'storm-deep', 'startup', 'idle', 'scale', 'instances', 'isolation'] as const;
export type ScenarioId = (typeof SCENARIOS)[number];
/** BENCH_ONLY=storm: the three storms. */
const ALIASES: Record<string, readonly ScenarioId[]> = { storm: ['storm-all', 'storm-mkdir', 'storm-deep'] };

/** The generator's mixes the storms run (workload/generator.ts). */
export type StormMix = 'all' | 'mkdir' | 'deep';

/**
 * Which tools run which storm. The per-event ones (compat and the reference) run all three, as
 * the goals compare them on each; so does batch, whose storms take seconds, and the loop (its
 * whole-tree rsyncs take seconds too). lsyncd runs `all` only: it timed out there in 2 of 3 runs
 * (36 s), and three storms of that would not fit the 25 minutes; no goal names it on the others.
 */
const STORM_TOOLS: Record<StormMix, readonly ToolId[]> = {
  all: TOOL_IDS,
  mkdir: ['compat', 'batch', 'loop', 'sersync2'],
  deep: ['compat', 'batch', 'loop', 'sersync2'],
};

export interface BenchOptions {
  readonly quick: boolean;
  /** Runs per scenario (BENCH_RUNS, at least 1; 3 by default, 1 for BENCH_QUICK): every figure is their median. */
  readonly runs: number;
  /** Scenarios to run, in this order. */
  readonly only: readonly ScenarioId[];
  /** Tools to run (all by default, the reference when given; fewer while working on one of them). */
  readonly tools: readonly ToolId[];
  /** SERSYNC2_REF: the original sersync2 binary, the `sersync2` column; undefined when not given. */
  readonly sersync2Ref: string | undefined;
  /** Where the trees, rsync daemons and configs live (one temporary directory under it). */
  readonly tmpRoot: string;
  /** Scenarios that would start after this many ms are skipped, so the run ends in time. */
  readonly budgetMs: number;
  /** `deadlineMs` takes the files in the tree at the end (the burst, and the tree it went into). */
  readonly burst: { readonly sizes: readonly number[]; readonly deadlineMs: (files: number) => number };
  /** The burst into a tree that already holds `treeFiles` files. */
  readonly intoTree: { readonly files: number; readonly treeFiles: number };
  readonly latency: { readonly writes: number; readonly perWriteDeadlineMs: number; readonly pollMs: number };
  /** `deadlineMs` counts from the last operation; `tools`: which tools run each mix's storm. */
  readonly storm: { readonly ops: number; readonly seed: number; readonly deadlineMs: number; readonly tools: Record<StormMix, readonly ToolId[]> };
  readonly startup: { readonly sizes: readonly number[]; readonly deadlineMs: number; readonly settleMs: number };
  readonly idle: { readonly dirs: number; readonly windowMs: number; readonly readyDeadlineMs: number };
  /** The scale scenario's tree (BENCH_SCALE_DIRS), its per-tool deadline until all is watched, and the settle before memory is read. */
  readonly scale: { readonly dirs: number; readonly deadlineMs: number; readonly settleMs: number };
  /**
   * Issue 22: `count` instances of `dirs` directories each (memory, start-up); `burst` files into
   * one of two instances while the other takes a storm of `stormOps` (isolation).
   */
  readonly instances: { readonly count: number; readonly dirs: number; readonly burst: number; readonly stormOps: number; readonly deadlineMs: number; readonly settleMs: number };
  /** Waiting for a tool's start-up marker before a workload (lsyncd: its initial full rsync too). */
  readonly readyDeadlineMs: number;
}

/**
 * Trees go to tmpfs when there is one: creating and removing 100,000 directories per tool costs
 * ~4 s there and ~15 s on an ext4 mounted with `discard`. Watch set-up reads dentries that a
 * freshly made tree has in the cache either way, so the start-up figures compare.
 */
function defaultTmpRoot(): string {
  try {
    if (fs.statSync('/dev/shm').isDirectory()) {
      fs.accessSync('/dev/shm', fs.constants.W_OK);
      return '/dev/shm';
    }
  } catch {
    // no writable /dev/shm
  }
  return os.tmpdir();
}

/** A comma-separated subset of `all` (an alias stands for its names), kept in the order of `all`; everything when unset. */
function parseList<T extends string>(variable: string, text: string | undefined, all: readonly T[], aliases: Record<string, readonly T[]> = {}): T[] {
  if (!text) return [...all];
  const wanted = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .flatMap((w): readonly string[] => aliases[w] ?? [w]);
  for (const w of wanted) {
    if (!(all as readonly string[]).includes(w)) throw new Error(`${variable}: unknown name \`${w}\`; expected some of ${[...all, ...Object.keys(aliases)].join(',')}`);
  }
  return all.filter((s) => wanted.includes(s));
}

/** SERSYNC2_REF, checked: an executable file, or undefined when unset. */
function reference(text: string | undefined): string | undefined {
  if (!text) return undefined;
  try {
    if (!fs.statSync(text).isFile()) throw new Error('not a file');
    fs.accessSync(text, fs.constants.X_OK);
  } catch (error) {
    throw new Error(`SERSYNC2_REF: expected the sersync2 2.5.4 executable, got \`${text}\` (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return text;
}

/** BENCH_TOOLS, all by default; the reference only when SERSYNC2_REF names it. */
function tools(text: string | undefined, sersync2Ref: string | undefined): ToolId[] {
  // Ours on fanotify only when named: it needs root (issue 23).
  const chosen = parseList('BENCH_TOOLS', text, TOOL_IDS).filter((id) => id !== 'fanotify' || text);
  if (sersync2Ref) return chosen;
  if (text && chosen.includes('sersync2')) throw new Error('BENCH_TOOLS names sersync2, but SERSYNC2_REF does not say where its binary is (bench/README.md)');
  return chosen.filter((id) => id !== 'sersync2');
}

/** BENCH_SCALE_DIRS, or the default: a whole number of at least 2 (the baseline run watches 1). */
function scaleDirs(text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const n = Number(text.replace(/[_,]/g, ''));
  if (!Number.isInteger(n) || n < 2) throw new Error(`BENCH_SCALE_DIRS: expected a whole number of directories of at least 2, got \`${text}\``);
  return n;
}

/** Seconds a tool may take to watch `dirs` directories: inotifywait took 242 s for 1,000,001 here, sersync2 180 s. */
const scaleDeadlineMs = (dirs: number) => 60_000 + dirs * 0.4;

export function benchOptions(env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const quick = env.BENCH_QUICK === '1';
  // A quick run checks the machinery, not the figures: one run unless BENCH_RUNS asks for more.
  const runs = Number(env.BENCH_RUNS ?? (quick ? 1 : 3));
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`BENCH_RUNS: expected a whole number of at least 1, got \`${env.BENCH_RUNS}\``);
  const sersync2Ref = reference(env.SERSYNC2_REF);
  const common = {
    quick,
    runs,
    only: parseList('BENCH_ONLY', env.BENCH_ONLY, SCENARIOS, ALIASES),
    tools: tools(env.BENCH_TOOLS, sersync2Ref),
    sersync2Ref,
    tmpRoot: env.BENCH_TMPDIR || defaultTmpRoot(),
    readyDeadlineMs: 60_000,
  };
  if (quick) {
    return {
      ...common,
      // About 3 minutes a run; the budget grows with BENCH_RUNS so that a quick run of 3 still runs every scenario.
      budgetMs: 300_000 * runs,
      burst: { sizes: [500], deadlineMs: () => 20_000 },
      intoTree: { files: 500, treeFiles: 10_000 },
      latency: { writes: 20, perWriteDeadlineMs: 3_000, pollMs: 1 },
      storm: { ops: 500, seed: 20261124, deadlineMs: 20_000, tools: STORM_TOOLS },
      startup: { sizes: [2000], deadlineMs: 20_000, settleMs: 500 },
      idle: { dirs: 2000, windowMs: 5_000, readyDeadlineMs: 30_000 },
      scale: { dirs: scaleDirs(env.BENCH_SCALE_DIRS, 20_000), deadlineMs: scaleDeadlineMs(scaleDirs(env.BENCH_SCALE_DIRS, 20_000)), settleMs: 1_000 },
      instances: { count: 5, dirs: 200, burst: 100, stormOps: 500, deadlineMs: 20_000, settleMs: 500 },
    };
  }
  return {
    ...common,
    budgetMs: Number(env.BENCH_BUDGET_S ?? 1440) * 1000,
    // 2000 files: 25 s (tools that batch need a few seconds); 2000 into 100,000: 60 s, as the
    // loop's whole-tree rsyncs take seconds each there. burst 10000 and startup 100000 are
    // dropped: three runs of everything must fit in 25 minutes, and no goal names them.
    burst: { sizes: [2000], deadlineMs: (files) => (files <= 2000 ? 25_000 : 60_000) },
    intoTree: { files: 2000, treeFiles: 100_000 },
    latency: { writes: 100, perWriteDeadlineMs: 3_000, pollMs: 1 },
    storm: { ops: 3000, seed: 20261124, deadlineMs: 30_000, tools: STORM_TOOLS },
    startup: { sizes: [20_000], deadlineMs: 60_000, settleMs: 1_000 },
    idle: { dirs: 100_000, windowMs: 30_000, readyDeadlineMs: 90_000 },
    // 100,000: three runs of ours, inotifywait -mr and sersync2 take ~3 minutes here (inotifywait
    // alone ~20 s a run); 1,000,000, the goals' size, takes ~25 minutes (BENCH_ONLY=scale).
    scale: { dirs: scaleDirs(env.BENCH_SCALE_DIRS, 100_000), deadlineMs: scaleDeadlineMs(scaleDirs(env.BENCH_SCALE_DIRS, 100_000)), settleMs: 1_000 },
    instances: { count: 20, dirs: 1000, burst: 200, stormOps: 3000, deadlineMs: 30_000, settleMs: 1_000 },
  };
}
