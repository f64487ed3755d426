/**
 * sersync2 2.5.4's commands for one event and remote, as data (lib/command/model.ts, whose
 * `render` gives the exact strings sersync2 hands to `/bin/sh -c`), built by pure functions.
 */
import type { Config } from '../config/types';
import type { Remote } from '../localpath/config';
import type { PathName } from '../paths';
import { excludeOptions, optionPieces, type RsyncCommand, type RsyncOptions } from '../command/model';
import type { CommandSource } from '../command/read';
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

/** The rsync options the settings give every command. */
export function rsyncOptions(s: CommandSettings): RsyncOptions {
  const r = s.rsync;
  return {
    commonParams: r.commonParams,
    ssh: r.ssh,
    port: r.userDefinedPort.enabled ? r.userDefinedPort.port : undefined,
    timeout: r.timeout.enabled ? r.timeout.time : undefined,
    user: r.auth.enabled && r.auth.users !== '' ? r.auth.users : undefined,
    passwordFile: r.auth.enabled && r.auth.passwordFile !== '' ? r.auth.passwordFile : undefined,
    delete: s.deleteEnabled,
    quiet: !s.debug,
  };
}

/** The option pieces of the settings' commands, each empty when its element is off (--verify's line uses them). */
export function commandPieces(s: CommandSettings, remote: Remote) {
  return optionPieces(s.watch, rsyncOptions(s), remote);
}

/** The crontabfilter patterns as rsync options, each with its leading space. */
export function fullSyncExcludeOptions(s: CommandSettings): string {
  return excludeOptions(s.fullSyncExcludes);
}

/** One rsync command for one remote. */
export function rsyncCommand(s: CommandSettings, remote: Remote, event: CommandEvent): RsyncCommand {
  const common = { remote, cwd: s.watch, options: rsyncOptions(s) };
  switch (event.kind) {
    case 'sync':
      return { ...common, kind: 'sync', path: event.path };
    case 'delete':
      return { ...common, kind: 'delete', path: event.path, isDir: event.isDir };
    case 'full':
      return { ...common, kind: 'full', excludes: s.fullSyncExcludes };
  }
}

/** Every remote's command for one event, in config order. */
export function rsyncCommands(s: CommandSettings, remotes: readonly Remote[], event: CommandEvent): RsyncCommand[] {
  return remotes.map((remote) => rsyncCommand(s, remote, event));
}

/** What reading a fail-log line back is checked against: the commands these settings give (lib/command/read.ts). */
export function commandSource(s: CommandSettings, remotes: readonly Remote[]): CommandSource {
  return { cwd: s.watch, options: rsyncOptions(s), remotes, excludes: s.fullSyncExcludes };
}
