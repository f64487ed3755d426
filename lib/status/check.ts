/**
 * `sersync2 --status FILE` as a monitoring check, in the Nagios plugin form: a first line
 * `SERSYNC2 STATE - summary | perfdata`, and the exit codes of the plugin guidelines (0 OK,
 * 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
 */
import type { StatusSnapshot } from './collector';
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

export function evaluate(s: StatusSnapshot, now: Date): CheckResult {
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
