/** `sersync2 --status FILE`: the status file, for people. */
import fs from 'node:fs';
import type { StatusSnapshot } from './collector';
import { describeName, escapeControls } from '../paths';
import { StatusError } from './errors';
import { isHostSnapshot, type StatusFile } from './host';

export function readStatusFile(file: string): StatusFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === 'ENOENT' ? ' (is sersync2 running with --status-file?)' : '';
    throw new StatusError('STATUS_UNREADABLE', `cannot read the status file ${file}: ${code ?? (error as Error).message}${hint}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new StatusError('STATUS_MALFORMED', `${file} is not a sersync2 status file (not JSON)`);
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as { program?: unknown }).program !== 'sersync2') {
    throw new StatusError('STATUS_MALFORMED', `${file} is not a sersync2 status file`);
  }
  return parsed as StatusFile;
}

/** A short age like `3 s ago`, `2 min ago`, so a stale file stands out. */
function age(iso: string | null, now: Date): string {
  if (!iso) return 'never';
  const seconds = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  const ago = seconds < 120 ? `${seconds} s ago` : seconds < 7200 ? `${Math.round(seconds / 60)} min ago` : `${Math.round(seconds / 3600)} h ago`;
  return `${iso} (${ago})`;
}

/** One config's status; with several in the process, each under its name, then the refused files. */
export function formatStatus(file: StatusFile, now: Date = new Date()): string {
  if (!isHostSnapshot(file)) return formatSnapshot(file, now);
  const head = [`sersync2 ${file.version}, pid ${file.pid}, started ${age(file.startedAt, now)}, ${file.instances.length} configs running`, `status written   ${age(file.writtenAt, now)}`];
  // Names and paths as messages show them: a newline in a file's name must not split a line.
  const refused = file.refused.map((r) => `refused [${describeName(r.name)}] ${describeName(r.config)}: ${escapeControls(r.error)}`);
  const each = file.instances.map((s) => `\n[${describeName(s.name)}]\n${formatSnapshot(s, now).split('\n').slice(2).join('\n')}`);
  return `${[...head, ...refused].join('\n')}\n${each.join('')}`;
}

function formatSnapshot(s: StatusSnapshot, now: Date): string {
  const lines = [
    `sersync2 ${s.version}, pid ${s.pid}, started ${age(s.startedAt, now)}`,
    `status written   ${age(s.writtenAt, now)}`,
    `config           ${describeName(s.config)}`,
    `watch            ${s.watch} (${s.watches} directories watched${s.unwatched ? `, ${s.unwatched} not watched` : ''})`,
    `queued events    ${s.queued}`,
    `in flight        ${s.inFlight}`,
    // Only in a process of several configs (lib/workers/share.ts); absent from older status files.
    ...(s.heldSeconds > 0 ? [`held             ${s.heldSeconds} s in all, so that other configs' shorter backlogs went first`] : []),
    `retry backlog    ${s.retryBacklog}`,
    `fail log         ${s.failLog ? `${s.failLog.path} (${s.failLog.bytes} bytes)` : 'none (-m plugin mode)'}`,
    `last full sync   ${s.lastFullSync ? `${age(s.lastFullSync.at, now)}, ${s.lastFullSync.reason}` : 'never'}`,
    `event to spawn   ${s.eventToSpawnMs ? `p50 ${s.eventToSpawnMs.p50} ms, p95 ${s.eventToSpawnMs.p95} ms, max ${s.eventToSpawnMs.max} ms (${s.eventToSpawnMs.count} commands)` : 'no commands yet'}`,
    'remotes:',
  ];
  for (const r of s.remotes) {
    lines.push(`  ${r.remote}: ${r.successes} ok, ${r.failures} failed; last success ${age(r.lastSuccess, now)}; last failure ${age(r.lastFailure, now)}${r.failingSince ? `; failing since ${age(r.failingSince, now)}` : ''}`);
  }
  if (s.remotes.length === 0) lines.push('  none');
  return `${lines.join('\n')}\n`;
}
