/**
 * `--check` on several files: where two of them would mirror the same files twice, the thing to
 * look at before moving many init scripts' configs into one place. Two kinds:
 *   - one watch root inside (or equal to) another's: a file under the inner one is sent by both;
 *   - the same remote target (`ip::module`, or `ip:path` over ssh) in two files: two trees land in
 *     one place, and each one's deletes can remove what the other sent.
 * Either may be meant (nested trees to different remotes, say), so they are reported, not refused.
 * Beside them, the files that share one fail log (sharedFailLogs).
 */
import fs from 'node:fs';
import path from 'node:path';
import { remoteTarget } from '../command/model';
import type { Config } from '../config/types';
import { failLogKey } from '../failLog/file';
import { describeName } from '../paths';

export interface CheckedFile {
  readonly file: string;
  readonly config: Config;
}

/** The real directory, so a symlinked root is compared as what it points at. */
function realRoot(watch: string): string {
  try {
    return fs.realpathSync(watch);
  } catch {
    return path.resolve(watch);
  }
}

/** `inner` is `outer` or below it, by whole path components. */
function within(inner: string, outer: string): boolean {
  if (inner === outer) return true;
  return inner.startsWith(outer.endsWith('/') ? outer : `${outer}/`);
}

function targets(config: Config): string[] {
  const { localpath, rsync } = config.sersync;
  return [...new Set(localpath.remotes.map((r) => remoteTarget(r, rsync.ssh)))];
}

/**
 * One line per fail log that several files are given (the stock /tmp/rsync_fail_log.sh, copied
 * into every config), naming them all: each one's fail-log run would run the others' commands too.
 */
export function sharedFailLogs(files: readonly CheckedFile[]): string[] {
  const byKey = new Map<string, CheckedFile[]>();
  for (const f of files) {
    const key = failLogKey(f.config.sersync.failLog.path);
    byKey.set(key, [...(byKey.get(key) ?? []), f]);
  }
  return [...byKey.values()].filter((group) => group.length > 1).map((group) => `${describeName(group[0]!.config.sersync.failLog.path)}: ${group.map((f) => describeName(f.file)).join(', ')}`);
}

/** One line per overlap, between each pair of files in the order given. */
export function overlaps(files: readonly CheckedFile[]): string[] {
  const out: string[] = [];
  const roots = files.map((f) => ({ ...f, file: describeName(f.file), watch: describeName(f.config.sersync.localpath.watch), real: realRoot(f.config.sersync.localpath.watch), targets: targets(f.config) }));
  roots.forEach((a, i) => {
    for (const b of roots.slice(i + 1)) {
      if (a.real === b.real) out.push(`${a.file} and ${b.file} both watch ${a.watch}: its files are mirrored by both`);
      else if (within(b.real, a.real)) out.push(`${b.watch} (${b.file}) is inside ${a.watch} (${a.file}): its files are mirrored by both`);
      else if (within(a.real, b.real)) out.push(`${a.watch} (${a.file}) is inside ${b.watch} (${b.file}): its files are mirrored by both`);
      for (const target of a.targets.filter((t) => b.targets.includes(t))) {
        out.push(`${a.file} and ${b.file} both send to ${target}${a.real === b.real ? '' : ` (from ${a.watch} and ${b.watch}: each one's deletes can remove what the other sent)`}`);
      }
    }
  });
  return out;
}
