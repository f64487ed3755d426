/**
 * `sersync2 --status FILE` as a monitoring check, in the Nagios plugin form: a first line
 * `SERSYNC2 STATE - summary | perfdata`, and the exit codes of the plugin guidelines (0 OK,
 * 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
 */
import type { StatusSnapshot } from './collector';
import { isHostSnapshot, type StatusFile } from './host';
import { DEFAULT_STATUS_INTERVAL_S } from './writer';

export const NAGIOS = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 } as const;
export type NagiosState = keyof typeof NAGIOS;

/** A remote failing this long, with no success since, is CRITICAL; less, WARNING. */
const FAILING_CRITICAL_MS = 60_000;
/** Not rewritten for this many intervals: the daemon is gone (SIGKILL, a crash) or stuck. */
const STALE_INTERVALS = 3;

export interface CheckResult {
  readonly state: NagiosState;
  /** The first line, without the `SERSYNC2 STATE - ` head. */
  readonly summary: string;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}

/**
 * The worst state of the file; with several configs, each judged on its own, its problems named
 * after it, and a refused file is a WARNING (the others run; its error says what to fix).
 */
export function evaluate(file: StatusFile, now: Date): CheckResult {
  if (!isHostSnapshot(file)) return evaluateOne(file, now);
  const results = file.instances.map((s) => ({ name: s.name, ...evaluateOne({ ...s, writtenAt: file.writtenAt }, now) }));
  const problems = [
    ...file.refused.map((r) => `[${r.name}] refused`),
    ...results.filter((r) => r.state !== 'OK').map((r) => `[${r.name}] ${r.summary.split(' | ')[0]!.split('; ').slice(0, -1).join('; ')}`),
  ];
  const states = results.map((r) => r.state);
  const state: NagiosState = states.includes('CRITICAL') || file.instances.length === 0 ? 'CRITICAL' : states.includes('WARNING') || file.refused.length ? 'WARNING' : 'OK';
  const perfdata = results.map((r) => r.summary.split(' | ')[1]!.split(' ').map((field) => `${r.name}_${field}`).join(' ')).join(' ');
  const counts = `${file.instances.length} configs running, ${file.refused.length} refused`;
  return { state, summary: `${problems.length ? `${problems.join('; ')}; ` : ''}${counts} | ${perfdata}` };
}

function evaluateOne(s: StatusSnapshot, now: Date): CheckResult {
  const critical: string[] = [];
  const warning: string[] = [];
  // A file from before the interval was recorded is judged by the default interval.
  const interval = typeof s.intervalSeconds === 'number' && s.intervalSeconds > 0 ? s.intervalSeconds : DEFAULT_STATUS_INTERVAL_S;
  const age = now.getTime() - Date.parse(s.writtenAt);
  if (!(age <= STALE_INTERVALS * interval * 1000)) critical.push(`status file not rewritten for ${Number.isNaN(age) ? '?' : seconds(age)} (interval ${interval} s): the daemon is gone or stuck`);
  const unwatched = s.unwatched ?? 0;
  if (unwatched > 0) critical.push(`${unwatched} dirs not watched`);
  for (const r of s.remotes) {
    if (!r.failingSince) continue;
    const failing = now.getTime() - Date.parse(r.failingSince);
    (failing >= FAILING_CRITICAL_MS ? critical : warning).push(`${r.remote} failing for ${seconds(failing)}`);
  }
  if (s.retryBacklog > 0) warning.push(`retry backlog ${s.retryBacklog}`);
  const counts = `${s.watches} dirs watched, queue ${s.queued}, backlog ${s.retryBacklog}`;
  const perfdata = `watched=${s.watches} unwatched=${unwatched} queue=${s.queued} backlog=${s.retryBacklog} age=${Number.isNaN(age) ? 0 : Math.max(0, Math.round(age / 1000))}s`;
  const problems = [...critical, ...warning];
  const state: NagiosState = critical.length ? 'CRITICAL' : warning.length ? 'WARNING' : 'OK';
  return { state, summary: `${problems.length ? `${problems.join('; ')}; ` : ''}${counts} | ${perfdata}` };
}

export function firstLine(state: NagiosState, summary: string): string {
  return `SERSYNC2 ${state} - ${summary}\n`;
}
