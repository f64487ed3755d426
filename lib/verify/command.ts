/**
 * `--verify`'s command: the full sync's own line (same options, `--delete` when the config's delete
 * is on, the crontabfilter excludes) as a dry run that itemizes each change, so it never changes
 * the remote. Built from the same pieces as the full sync, so the two cannot drift apart.
 */
import { remoteTarget } from '../command/model';
import type { Config } from '../config/types';
import type { Remote } from '../localpath/config';
import { commandPieces, commandSettings, fullSyncExcludeOptions, type CommandSettings } from '../rsync/command';

/**
 * The settings of the full sync, except that the crontabfilter excludes count whenever
 * crontabfilter is on: they name what the operator does not mirror, with or without crontab.
 */
export function verifySettings(config: Config): CommandSettings {
  const base = commandSettings(config);
  const filter = config.sersync.crontab.filter;
  return { ...base, fullSyncExcludes: filter.enabled ? filter.excludes : [] };
}

/**
 * `timeoutS` bounds a remote that does not answer: rsync's --contimeout (daemon mode only) and,
 * when the config sets no <timeout>, --timeout (a full sync has none, but a check must end).
 */
export function verifyCommand(s: CommandSettings, remote: Remote, timeoutS: number): string {
  const p = commandPieces(s, remote);
  const r = s.rsync;
  const bounds = [r.ssh ? '' : `--contimeout=${timeoutS} `, r.timeout.enabled ? '' : `--timeout=${timeoutS} `].join('');
  return `${p.head}--dry-run --itemize-changes ${p.del} ./ ${p.transport}${bounds}${p.target}${fullSyncExcludeOptions(s)}`;
}

/** How the remote is named in --verify's output: `ip::module`, or `ip:path` over ssh. */
export function remoteLabel(s: CommandSettings, remote: Remote): string {
  return remoteTarget(remote, s.rsync.ssh);
}
