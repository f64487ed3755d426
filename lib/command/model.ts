/**
 * A command as data: what it is for (its kind), where it runs, the remote, the paths and the
 * rsync options. sersync2's exact `sh -c` string is one rendering of it (`render`), byte for byte
 * as sersync2 2.5.4 builds it, spacing quirks included (see the golden corpus); the fail-log entry
 * is that string under its `#errno` header (lib/failLog/file.ts), read back by ./read.ts. The
 * runner (lib/runner) runs a command and judges it by its exit policy (`policyOf`).
 */
import type { Remote } from '../localpath/config';
import { ancestorsOf, concatPath, type PathName } from '../paths';
import { doubleQuoted, shellWord } from '../shell/quote';
import { BATCH_POLICY, COMPAT_POLICY, type ExitPolicy, PLUGIN_POLICY, shellExitRule } from './exitCodes';

/** The rsync options one remote's commands share, as confxml.xml sets them. */
export interface RsyncOptions {
  /** `<commonParams params="...">`, as written. */
  readonly commonParams: string;
  /** `<ssh start="true">`: `-e ssh`, and `host:path` instead of `host::module`. */
  readonly ssh: boolean;
  readonly port: number | undefined;
  readonly timeout: number | undefined;
  /** `<auth users="...">`. */
  readonly user: string | undefined;
  readonly passwordFile: string | undefined;
  /** `<inotify><delete start="true">` adds `--delete`. */
  readonly delete: boolean;
  /** Output to /dev/null (sersync2 drops the redirect with `<debug start="true">`). */
  readonly quiet: boolean;
}

interface Common {
  readonly remote: Remote;
  /** The watch directory: each command runs `cd` there first, paths are relative to it. */
  readonly cwd: string;
  readonly options: RsyncOptions;
}

/** `path` is relative to the watch directory, without `./`. */
export type RsyncCommand =
  | (Common & { readonly kind: 'sync'; readonly path: PathName })
  | (Common & { readonly kind: 'delete'; readonly path: PathName; readonly isDir: boolean })
  /** `excludes`: the crontabfilter patterns. */
  | (Common & { readonly kind: 'full'; readonly excludes: readonly string[] })
  /** Batch mode: changed paths, through `--files-from=-`. */
  | (Common & { readonly kind: 'batch-changes'; readonly paths: readonly PathName[] })
  /** Batch mode with deletes: include patterns (ancestors, paths, `dir/***`), through `--include-from=-`. */
  | (Common & { readonly kind: 'batch-deletes'; readonly patterns: readonly PathName[] });

/** The command plugin's command: `PREFIX ABSPATH SUFFIX`, output to /dev/null when its errors are ignored. */
export interface PluginCommand {
  readonly kind: 'plugin';
  readonly prefix: string;
  readonly path: PathName;
  readonly suffix: string;
  readonly quiet: boolean;
}

/**
 * A fail-log line that is not one of our renderings (sersync2's own file, a config changed since,
 * an entry edited by hand): run as written. `remote` is the configured remote it names, if any.
 */
export interface ScriptCommand {
  readonly kind: 'script';
  readonly text: string;
  readonly remote: Remote | undefined;
}

export type Command = RsyncCommand | PluginCommand | ScriptCommand;

/** A shell line as a command of its own. */
export function scriptCommand(text: string, remote?: Remote): ScriptCommand {
  return { kind: 'script', text, remote };
}

export type CommandKind = Command['kind'];

export const REDIRECT = ' >/dev/null 2>&1 ';

/** An rsync daemon remote's socket option in batch mode (see lib/rsync/batch.ts). */
export const NODELAY = '--sockopts=TCP_NODELAY';

/** Appended to every batch command: the batch exit policy as shell (./exitCodes.ts). */
export const BATCH_EXIT_RULE = shellExitRule(BATCH_POLICY);

/**
 * The exit policy a command is judged by: a batch command's own rule, a plugin's, else sersync2's.
 * A script line (a batch line of another config, too) is judged by sersync2's: a batch line's own
 * shell rule has already rewritten its codes to 0 and 123, which that rule judges alike.
 */
export function policyOf(cmd: Command): ExitPolicy {
  if (cmd.kind === 'batch-changes' || cmd.kind === 'batch-deletes') return BATCH_POLICY;
  return cmd.kind === 'plugin' ? PLUGIN_POLICY : COMPAT_POLICY;
}

/** A remote as the status, the metrics and the retry lanes name it: `ip::module`. */
export function remoteLabel(remote: Remote): string {
  return `${remote.ip}::${remote.name}`;
}

/** Where a remote's commands send, as an operator reads it: `ip::module`, or `ip:path` over ssh. */
export function remoteTarget(remote: Remote, ssh: boolean): string {
  return `${remote.ip}${ssh ? ':' : '::'}${remote.name}`;
}

/** The command's remote, or undefined (a plugin's command, a script line naming none). */
export function remoteOf(cmd: Command): Remote | undefined {
  return cmd.kind === 'plugin' ? undefined : cmd.remote;
}

/** The option pieces, each empty when its element is off. */
export function optionPieces(cwd: string, o: RsyncOptions, remote: Remote) {
  return {
    head: `cd ${shellWord(cwd)} && rsync ${o.commonParams} -R `,
    transport: (o.ssh ? ' -e ssh ' : '') + (o.port !== undefined ? ` --port=${o.port} ` : '') + (o.timeout !== undefined ? ` --timeout=${o.timeout} ` : ''),
    del: o.delete ? '--delete' : '',
    target: (o.user ? `${o.user}@` : '') + remote.ip + (o.ssh ? ':' : '::') + remote.name + (o.passwordFile ? ` --password-file=${o.passwordFile}` : ''),
    redirect: o.quiet ? REDIRECT : '',
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
export function excludeOptions(excludes: readonly string[]): string {
  return excludes.map((pattern) => ` --exclude=${doubleQuoted(pattern)}`).join('');
}

/** The command's `sh -c` string. */
export function render(cmd: Command): string {
  if (cmd.kind === 'script') return cmd.text;
  if (cmd.kind === 'plugin') return `${cmd.prefix} ${shellWord(cmd.path)} ${cmd.suffix}${cmd.quiet ? REDIRECT : ''}`;
  const p = optionPieces(cmd.cwd, cmd.options, cmd.remote);
  switch (cmd.kind) {
    case 'sync':
      return `${p.head}${p.transport}${doubleQuoted(concatPath('./', cmd.path))} ${p.target}${p.redirect}`;
    case 'delete': {
      const includes = ancestorsOf(cmd.path).map((dir) => ` --include=${doubleQuoted(concatPath(literalPattern(dir, false), '/'))}`).join('');
      const self = ` --include=${doubleQuoted(literalPattern(cmd.path, false))}`;
      const tree = cmd.isDir ? `  --include=${doubleQuoted(concatPath(literalPattern(cmd.path, true), '/***'))}` : '';
      return `${p.head}${p.transport}${p.del} ./  ${includes}${self}${tree} --exclude=*  ${p.target}${p.redirect}`;
    }
    case 'full':
      return `${p.head}${p.del} ./ ${p.transport}${p.target}${excludeOptions(cmd.excludes)}${p.redirect}`;
    case 'batch-changes':
      return `${batchHead(cmd, cmd.paths, p.transport)}--from0 --files-from=- --ignore-missing-args ./ ${p.target}${p.redirect}${BATCH_EXIT_RULE}`;
    case 'batch-deletes':
      return `${batchHead(cmd, cmd.patterns, p.transport)}${p.del ? `${p.del} ` : ''}--from0 --include-from=- --exclude='*' ./ ${p.target}${p.redirect}${BATCH_EXIT_RULE}`;
  }
}

/** `cd DIR && printf '%s\0' WORDS | rsync OPTIONS `: the list travels inside its command. */
function batchHead(cmd: Common, words: readonly PathName[], transport: string): string {
  const o = cmd.options;
  return `cd ${shellWord(cmd.cwd)} && printf '%s\\0' ${words.map(shellWord).join(' ')} | rsync ${o.commonParams} -R ${transport}${o.ssh ? '' : `${NODELAY} `}`;
}
