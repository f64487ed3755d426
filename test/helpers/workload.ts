/**
 * One mirror under an outside workload: a real `rsync --daemon`, the real bin/sersync2 (compat
 * mode, or with extra flags such as --batch), and a workload run by another process. The verdict
 * is the remote tree against the local one (names, types, bytes), apart from what sersync2's
 * rules skip on purpose.
 */
import { fanotifySkip } from './fanotify';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeConfig } from './config';
import { startRsyncDaemon, type RsyncDaemon } from './rsyncd';
import { startSersync, type RunningSersync } from './sersync';
import { diffTrees, snapshot, type TreeDiff } from './tree';
import { waitFor } from './wait';

/** What sersync2's rules never sync: files named .x, x~ or 4913. */
export const skippedByRules = (name: Buffer, isDir: boolean) => !isDir && (name[0] === 0x2e || name[name.length - 1] === 0x7e || name.toString() === '4913');

export interface Mirror {
  readonly root: string;
  readonly watch: string;
  readonly outside: string;
  readonly daemon: RsyncDaemon;
  readonly config: string;
  sersync: RunningSersync | undefined;
}

/** The local and remote trees, the daemon not started yet (see startDaemon). */
export async function setUpMirror(name: string, config: { debug?: boolean } = {}): Promise<Mirror> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));
  const watch = path.join(root, 'w');
  const outside = path.join(root, 'outside');
  fs.mkdirSync(watch);
  fs.mkdirSync(outside);
  const daemon = await startRsyncDaemon(root);
  const file = writeConfig(path.join(root, 'confxml.xml'), { watch, failLog: path.join(root, 'fail.sh'), port: daemon.port, debug: config.debug ?? false });
  return { root, watch, outside, daemon, config: file, sersync: undefined };
}

export async function startDaemon(m: Mirror, args: readonly string[]): Promise<void> {
  m.sersync = await startSersync([...args, '-o', m.config]);
}

export async function tearDownMirror(m: Mirror | undefined): Promise<void> {
  if (!m) return;
  await m.sersync?.stop();
  await m.daemon.stop();
  fs.rmSync(m.root, { recursive: true, force: true });
}

export const GENERATOR = path.resolve(__dirname, '../../workload/generator.js');

/** Runs a node script as its own process; resolves to its stdout, rejects on a non-zero exit. */
export function runScript(script: string, args: readonly string[], timeoutMs = 300_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${path.basename(script)} ${args.join(' ')} exited with ${code ?? signal}:\n${out}${err}`));
    });
  });
}

export interface WorkloadCase {
  readonly seed: number;
  readonly mix: string;
  readonly ops: number;
}

/** The generator, run in its own process against the mirror's watch directory. */
function runWorkload(m: Mirror, c: WorkloadCase): Promise<string> {
  return runScript(GENERATOR, ['--root', m.watch, '--outside', m.outside, '--seed', String(c.seed), '--ops', String(c.ops), '--mix', c.mix]);
}

/** Waits until the remote equals the local tree; returns the last difference (empty on success). */
export async function converge(m: Mirror, timeoutMs: number, local: string = m.watch): Promise<{ diff: TreeDiff; ms: number; entries: number }> {
  const t0 = Date.now();
  let diff: TreeDiff = { missing: [], extra: [], differing: [] };
  let entries = 0;
  try {
    await waitFor('the remote to equal the local tree', () => {
      const here = snapshot(local, skippedByRules);
      entries = here.size;
      diff = diffTrees(here, snapshot(m.daemon.dir));
      return diff.missing.length + diff.extra.length + diff.differing.length === 0;
    }, timeoutMs, 200);
  } catch {
    // the caller reports the difference
  }
  return { diff, ms: Date.now() - t0, entries };
}

function diffSummary(d: TreeDiff): string {
  return `missing ${d.missing.length}, extra ${d.extra.length}, differing ${d.differing.length}`;
}

export const MODES: ReadonlyArray<{ name: string; args: readonly string[] }> = [
  { name: 'compat', args: [] },
  { name: 'batch', args: ['--batch'] },
];

/** MODES again on the fanotify watcher, where this machine can run it (test/helpers/fanotify.ts); else none. */
export function fanotifyModes(): ReadonlyArray<{ name: string; args: readonly string[] }> {
  return fanotifySkip() ? [] : MODES.map((m) => ({ name: `${m.name}-fanotify`, args: [...m.args, '--watcher', 'fanotify'] }));
}

/** Runs one case in one mode and asserts that it converged (and prints its figures). */
export async function workloadConverges(c: WorkloadCase, mode: { name: string; args: readonly string[] }, convergeMs: number): Promise<void> {
  let m: Mirror | undefined;
  try {
    m = await setUpMirror(`workload-${c.mix}-${mode.name}`);
    await startDaemon(m, mode.args);
    const out = await runWorkload(m, c);
    const done = /workload done: (.*)/.exec(out)?.[1] ?? '?';
    const { diff, ms, entries } = await converge(m, convergeMs);
    console.log(`workload: ${mode.name}, seed ${c.seed}, mix ${c.mix}, ops ${c.ops}, entries ${entries}, ${diffSummary(diff)}, convergence ${ms} ms, generator ${done}`);
    assert.deepEqual({ missing: diff.missing.slice(0, 20), extra: diff.extra.slice(0, 20), differing: diff.differing.slice(0, 20) }, { missing: [], extra: [], differing: [] }, `seed ${c.seed} (${c.mix}, ${mode.name}) did not converge; daemon said: ${m.sersync!.stdout().slice(-1500)}${m.sersync!.stderr()}`);
    assert.equal(m.sersync!.child.exitCode, null, 'the daemon is still running');
  } finally {
    await tearDownMirror(m);
  }
}

