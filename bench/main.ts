/**
 * `make bench`: every scenario against ours (compat and batch), lsyncd and the plain
 * inotifywait loop, one tool after another, each in a fresh workspace, BENCH_RUNS times (3) with
 * the tools' order rotated run by run; then the table of medians with min–max, ratios and goals,
 * written to bench/results/. Environment: BENCH_QUICK=1 for the small smoke sizes,
 * BENCH_ONLY=burst,into-tree,latency,... to run some scenarios, BENCH_TOOLS=compat,lsyncd,... to
 * run some tools (the table keeps its columns), BENCH_TMPDIR for the trees,
 * BENCH_BUDGET_S (1440) for the time after which remaining scenarios are skipped.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { renderChart } from './chart';
import { CHART_TOOLS, chartGroups } from './chartData';
import { Cleanup, removeTreeSync } from './cleanup';
import { judgeGoals, renderGoals } from './goals';
import { raiseInotifyLimits, type KernelLimits } from './kernel';
import { machine, versions, type Machine, type Versions } from './machine';
import { benchOptions, type BenchOptions } from './options';
import { mergeRuns, rotation } from './repeat';
import { renderTable } from './report';
import { writeResults, type RunRecord } from './results';
import { burst } from './scenarios/burst';
import { idle } from './scenarios/idle';
import { instances } from './scenarios/instances';
import { isolation } from './scenarios/isolation';
import { latency } from './scenarios/latency';
import { startup } from './scenarios/startup';
import { SCALE_TOOLS, scale as scaleScenario } from './scenarios/scale';
import { storm } from './scenarios/storm';
import type { Row, ScenarioContext, ScenarioResult } from './scenarios/types';
import { benchTools } from './tools';
import { LSYNCD_MAX_PROCESSES } from './tools/lsyncd';
import { TOOL_IDS, type ToolId } from './tools/types';

interface Step {
  readonly name: string;
  /** A typical duration of one run, on the 2-core machine: a step that would end past the budget is skipped. */
  readonly estimateMs: number;
  /** The tools this step runs, of those chosen (all when absent). */
  readonly tools?: readonly ToolId[];
  run(ctx: ScenarioContext): Promise<ScenarioResult>;
}

/**
 * The reference runs where the issue compares with it: the bursts, the storms and start-up. Not
 * latency nor idle: no goal names it there, and each would add a minute to the 25.
 */
const NOT_REFERENCE = TOOL_IDS.filter((id) => id !== 'sersync2');

/** One run of each storm with every tool of its list, full size (measured, see bench/README.md). */
const STORM_ESTIMATE_MS = { all: 95_000, mkdir: 60_000, deep: 50_000 } as const;

function plan(options: BenchOptions): Step[] {
  const steps: Step[] = [];
  const scale = options.quick ? 0.2 : 1;
  for (const id of options.only) {
    switch (id) {
      case 'burst':
        for (const n of options.burst.sizes) steps.push({ name: `burst ${n}`, estimateMs: scale * 45_000, run: (ctx) => burst(ctx, n) });
        break;
      case 'into-tree': {
        const { files, treeFiles } = options.intoTree;
        steps.push({ name: `burst ${files} into ${treeFiles}`, estimateMs: scale * 100_000, run: (ctx) => burst(ctx, files, treeFiles) });
        break;
      }
      case 'latency':
        steps.push({ name: 'latency', estimateMs: scale * 60_000, tools: NOT_REFERENCE, run: latency });
        break;
      case 'storm-all':
      case 'storm-mkdir':
      case 'storm-deep': {
        const mix = id === 'storm-all' ? 'all' : id === 'storm-mkdir' ? 'mkdir' : 'deep';
        steps.push({ name: `storm ${mix}`, estimateMs: scale * STORM_ESTIMATE_MS[mix], tools: options.storm.tools[mix], run: (ctx) => storm(ctx, mix) });
        break;
      }
      case 'startup':
        for (const n of options.startup.sizes) steps.push({ name: `startup ${n}`, estimateMs: 10_000 + n * 0.4, run: (ctx) => startup(ctx, n) });
        break;
      case 'scale':
        // Per run: inotifywait ~0.2 ms and sersync2 ~0.18 ms a directory here, ours ~0.012, the trees' making and removal ~0.02 each.
        steps.push({ name: `scale ${options.scale.dirs}`, estimateMs: 20_000 + options.scale.dirs * 0.5, tools: SCALE_TOOLS, run: scaleScenario });
        break;
      case 'idle':
        steps.push({ name: 'idle', estimateMs: options.idle.windowMs + 10_000 + options.idle.dirs * 0.25, tools: NOT_REFERENCE, run: idle });
        break;
      // These two rotate their own variants (one process, N processes, alone) run by run.
      case 'instances': {
        let run = 0;
        steps.push({ name: 'instances', estimateMs: scale * 40_000, tools: ['compat', 'sersync2'], run: (ctx) => instances(ctx, run++) });
        break;
      }
      case 'isolation': {
        let run = 0;
        steps.push({ name: 'isolation', estimateMs: scale * 45_000, tools: ['compat', 'batch'], run: (ctx) => isolation(ctx, run++) });
        break;
      }
    }
  }
  return steps;
}

/** lsyncd, inotifywait and rsync must be there: `make bench` installs them (scripts/bench-deps.sh). */
function checkPrograms(): void {
  const missing = ['rsync', 'lsyncd', 'inotifywait'].filter((p) => {
    try {
      execFileSync('sh', ['-c', `command -v ${p}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) throw new Error(`missing: ${missing.join(', ')}; run \`make bench\` (scripts/bench-deps.sh installs them as root) or install them yourself`);
}

function header(startedAt: Date, quick: boolean, m: Machine, v: Versions, limits: KernelLimits): string {
  return [
    `# sersync2 benchmark ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC${quick ? ' (BENCH_QUICK: smoke sizes)' : ''}`,
    '',
    `- machine: ${m.nproc} CPUs (${m.cpu}), ${m.memoryGiB} GiB, ${m.kernel}, load ${m.loadAtStart} at start`,
    `- versions: node ${v.node}; ${v.rsync}; lsyncd ${v.lsyncd.replace(/^Version:\s*/, '')}; ${v.inotifywait}; ours ${v.ours} at ${v.commit}; sersync2 2.5.4 reference: ${v.sersync2}`,
    `- kernel, for every tool: fs.inotify.max_user_watches=${limits.inForce.max_user_watches}, max_queued_events=${limits.inForce.max_queued_events}${limits.problems.length ? ` (${limits.problems.join('; ')})` : ''}`,
    '',
  ].join('\n');
}

function body(rows: readonly Row[], lines: readonly string[], goals: string, notes: readonly string[]): string {
  return [
    renderTable(rows),
    '',
    'Each cell: the median of the runs, with (min–max) over them. Ratios are ours / peer, of medians: below 1 means ours is lower (faster, smaller, cheaper, fewer runs). ≥ marks a count cut short by a deadline.',
    '',
    ...lines.map((l) => `- ${l}`),
    '',
    '## Goals',
    '',
    goals,
    '',
    '## What is measured',
    '',
    ...notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
}

async function main(): Promise<number> {
  const options = benchOptions();
  checkPrograms();
  const startedAt = new Date();
  const t0 = performance.now();
  const cleanup = new Cleanup();
  fs.mkdirSync(options.tmpRoot, { recursive: true });
  // Short on purpose: see workspace.ts.
  const root = fs.mkdtempSync(path.join(options.tmpRoot, 'sb-'));
  const limits = raiseInotifyLimits();
  const finish = () => {
    cleanup.killAll();
    removeTreeSync(root);
    limits.restore();
  };
  process.on('exit', finish);
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = true;
      process.stderr.write(`\nbench: ${signal}: stopping every tool and daemon, removing ${root}\n`);
      void cleanup.closeAll().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }
  const log = (line: string) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(0).padStart(3)} s] ${line}\n`);
  const m = machine();
  const v = versions(options.sersync2Ref);
  log(`${options.quick ? 'quick' : 'full'} run, ${options.runs} runs each: ${options.only.join(', ')} with ${options.tools.join(', ')}; trees under ${root}`);
  for (const p of limits.problems) log(`warning: ${p}`);
  if (m.loadAtStart > 0.5) log(`warning: load average ${m.loadAtStart} at start: other work on this machine will skew the figures`);

  const tools = benchTools(options.sersync2Ref).filter((t) => options.tools.includes(t.id));
  const ctx: ScenarioContext = { cleanup, options, root, tools, log };
  const rows: Row[] = [];
  const lines: string[] = [];
  const notes: string[] = [
    `peers given our settings: lsyncd maxProcesses = ${LSYNCD_MAX_PROCESSES}, our batch mode's parallel (the rsyncs a big batch is split among); --sockopts=TCP_NODELAY on the daemon socket for batch, lsyncd and the loop (compat keeps sersync2's command line byte for byte); rsync flags archive + update, no compression, for all.`,
    'the loop: inotifywait -mr | while read; do rsync -rlptgoD -u --delete src/ dst; done, a whole-tree rsync per line, after draining the lines already queued (read -t 0.01), so a burst costs a few whole-tree rsyncs rather than one per event.',
    `every figure: the median of ${options.runs} runs (min–max beside it), the tools' order rotated by one place from run to run.`,
  ];
  if (!options.sersync2Ref) lines.push('sersync2 2.5.4 (the reference): not given, so its column is empty and the goals against it are n/a; SERSYNC2_REF=/path/to/sersync2 runs it (bench/README.md)');
  else notes.push('sersync2 2.5.4: the original binary (SERSYNC2_REF), `sersync2 -o confxml.xml` in the foreground with the config ours in compat mode gets (-artu, the same daemon), stopped with SIGTERM to its process group; in burst N (not into a tree), the storms and start-up.');
  const details: Record<string, unknown> = {};
  for (const step of plan(options)) {
    if (interrupted) break;
    const elapsed = performance.now() - t0;
    if (elapsed + options.runs * step.estimateMs > options.budgetMs) {
      lines.push(`${step.name}: skipped, it would end past the ${options.budgetMs / 1000} s budget (${(elapsed / 1000).toFixed(0)} s used)`);
      log(lines[lines.length - 1]!);
      continue;
    }
    log(`${step.name}: start`);
    const stepStart = performance.now();
    const runs: ScenarioResult[] = [];
    for (let k = 0; k < options.runs && !interrupted; k++) {
      const order = rotation(step.tools ? tools.filter((t) => step.tools!.includes(t.id)) : tools, k);
      log(`${step.name}: run ${k + 1} of ${options.runs}: ${order.map((t) => t.id).join(', ')}`);
      runs.push(await step.run({ ...ctx, tools: order }));
    }
    if (runs.length === 0) break;
    const result = mergeRuns(runs);
    rows.push(...result.rows);
    lines.push(...result.lines);
    for (const n of result.notes) if (!notes.includes(n)) notes.push(n);
    details[step.name] = { ...result.details, durationS: Math.round(performance.now() - stepStart) / 1000 };
    log(`${step.name}: done in ${((performance.now() - stepStart) / 1000).toFixed(1)} s`);
  }
  await cleanup.closeAll();
  const goals = judgeGoals(rows);
  const durationS = Math.round(performance.now() - t0) / 1000;
  const text = body(rows, lines, renderGoals(goals), notes);
  const record: RunRecord = {
    startedAt: startedAt.toISOString(),
    durationS,
    quick: options.quick,
    machine: m,
    versions: v,
    settings: { ...options, burst: { ...options.burst, deadlinesMs: options.burst.sizes.map((n) => options.burst.deadlineMs(n)) }, kernel: limits.inForce },
    rows,
    lines,
    goals,
    notes,
    details,
  };
  const svg = renderChart(`sersync2 bench ${record.startedAt.slice(0, 10)}: median of ${options.runs} runs, min–max whiskers`, chartGroups(rows), CHART_TOOLS);
  const files = writeResults(record, `${header(startedAt, options.quick, m, v, limits)}\n${text}`, svg);
  process.stdout.write(`\n${text}\nTotal ${durationS.toFixed(0)} s. Results: ${path.relative(process.cwd(), files.md)}, ${path.relative(process.cwd(), files.json)}, ${path.relative(process.cwd(), files.svg)}\n`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
