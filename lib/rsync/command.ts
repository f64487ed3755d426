/**
 * The exact strings sersync2 2.5.4 hands to `/bin/sh -c`, built by pure functions.
 * Spacing quirks are sersync2's own and are kept byte for byte; see the golden corpus.
 */
import type { Config } from '../config/types';
import type { Remote } from '../localpath/config';
import { ancestorsOf, concatPath, type PathName } from '../paths';
import { doubleQuoted, shellWord } from '../shell/quote';
import type { RsyncConfig } from './config';

/** What a command is for. `path` is relative to the watch directory, without `./`. */
export type CommandEvent =
  | { readonly kind: 'sync'; readonly path: PathName }
  | { readonly kind: 'delete'; readonly path: PathName; readonly isDir: boolean }
  | { readonly kind: 'full' };

/** The parts of the config that shape rsync command lines. */
export interface CommandSettings {
  readonly watch: string;
  readonly rsync: RsyncConfig;
  /** `<inotify><delete start="true">` adds `--delete`. */
  readonly deleteEnabled: boolean;
  /** `<debug start="true">` drops the redirect to /dev/null. */
  readonly debug: boolean;
  /** crontabfilter patterns, added to full syncs. */
  readonly fullSyncExcludes: readonly string[];
}

export const REDIRECT = ' >/dev/null 2>&1 ';

export function commandSettings(config: Config): CommandSettings {
  const { crontab } = config.sersync;
  return {
    watch: config.sersync.localpath.watch,
    rsync: config.sersync.rsync,
    deleteEnabled: config.inotify.delete,
    debug: config.debug,
    fullSyncExcludes: crontab.enabled && crontab.filter.enabled ? crontab.filter.excludes : [],
  };
}

/** The option pieces, each empty when its element is off. */
export function commandPieces(s: CommandSettings, remote: Remote) {
  const r = s.rsync;
  return {
    head: `cd ${shellWord(s.watch)} && rsync ${r.commonParams} -R `,
    transport: (r.ssh ? ' -e ssh ' : '') + (r.userDefinedPort.enabled ? ` --port=${r.userDefinedPort.port} ` : '') + (r.timeout.enabled ? ` --timeout=${r.timeout.time} ` : ''),
    del: s.deleteEnabled ? '--delete' : '',
    target:
      (r.auth.enabled && r.auth.users !== '' ? `${r.auth.users}@` : '') +
      remote.ip +
      (r.ssh ? ':' : '::') +
      remote.name +
      (r.auth.enabled && r.auth.passwordFile !== '' ? ` --password-file=${r.auth.passwordFile}` : ''),
    redirect: s.debug ? '' : REDIRECT,
  };
}

/**
 * A name as an rsync filter pattern that matches exactly that name. rsync reads `*`, `?` and `[`
 * as wildcards, and `\` as an escape only when the pattern holds a wildcard (man rsync, PATTERN
 * MATCHING RULES). A name without wildcard characters is left as it is (sersync2's bytes), unless
 * the pattern gets a wildcard suffix (`/***`): then its `\` must be escaped too. sersync2 wrote
 * names raw, so `rm 'a*'` deleted every `a...` on the remote.
 */
export function literalPattern(name: PathName, wildcardSuffix: boolean): PathName {
  const text = typeof name === 'string' ? name : name.toString('latin1');
  if (!wildcardSuffix && !/[*?[]/.test(text)) return name;
  if (!/[*?[\\]/.test(text)) return name;
  const escaped = text.replace(/[*?[\\]/g, '\\$&');
  return typeof name === 'string' ? escaped : Buffer.from(escaped, 'latin1');
}

/** The crontabfilter patterns as rsync options, each with its leading space. */
export function fullSyncExcludeOptions(s: CommandSettings): string {
  return s.fullSyncExcludes.map((pattern) => ` --exclude=${doubleQuoted(pattern)}`).join('');
}

/** One rsync command line for one remote. */
export function rsyncCommand(s: CommandSettings, remote: Remote, event: CommandEvent): string {
  const p = commandPieces(s, remote);
  switch (event.kind) {
    case 'sync':
      return `${p.head}${p.transport}${doubleQuoted(concatPath('./', event.path))} ${p.target}${p.redirect}`;
    case 'delete': {
      const includes = ancestorsOf(event.path).map((dir) => ` --include=${doubleQuoted(concatPath(literalPattern(dir, false), '/'))}`).join('');
      const self = ` --include=${doubleQuoted(literalPattern(event.path, false))}`;
      const tree = event.isDir ? `  --include=${doubleQuoted(concatPath(literalPattern(event.path, true), '/***'))}` : '';
      return `${p.head}${p.transport}${p.del} ./  ${includes}${self}${tree} --exclude=*  ${p.target}${p.redirect}`;
    }
    case 'full':
      return `${p.head}${p.del} ./ ${p.transport}${p.target}${fullSyncExcludeOptions(s)}${p.redirect}`;
  }
}

/** Every remote's command for one event, in config order. */
export function rsyncCommands(s: CommandSettings, remotes: readonly Remote[], event: CommandEvent): string[] {
  return remotes.map((remote) => rsyncCommand(s, remote, event));
}
