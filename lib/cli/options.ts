/**
 * Every command-line option, declared once: its names, its argument, how its words are read and
 * checked, and its help. args.ts derives the getopt table, minimist's lists and CliOptions from
 * this table, usage.ts the `-h` text; nothing else names an option.
 */
import { UsageError } from '../config/errors';
import { levelIsValid } from '../log/logger';
import { BIG_TREE, WATCHER_KINDS, type WatcherKind } from '../fanotify/auto';
import { isPluginName, PLUGIN_NAMES, type PluginName } from '../plugin/config';

export const DEFAULT_THREADS = 10;
export const DEFAULT_CONFIG = 'confxml.xml';
const DEFAULT_STATUS_INTERVAL = 10;
const DEFAULT_VERIFY_LIST = 20;
const DEFAULT_VERIFY_TIMEOUT = 30;

/** `sersync2`: the stock flags, listed under the synopsis; `extension`: ours, under "Extensions:". */
export type Section = 'sersync2' | 'extension';

interface Common {
  /** One letter, as in getopt's option string `hdro:n:m:`. */
  readonly short?: string;
  readonly long?: string;
  readonly section: Section;
  /** The help text; each '\n' starts a line under the first, in the same column. */
  readonly help: string;
}

/** Checks one word given to `flag` (`-n`, `--status-file`, as the messages name it) and gives its value. */
type Check<T> = (text: string, flag: string) => T;
/** Every word given to the option, in order, into its value; throws a UsageError for a bad one. */
export type Reader<T> = (given: readonly string[], flag: string) => T;

/** A flag: true when given, anywhere, any number of times. */
export interface FlagOption extends Common {
  readonly kind: 'flag';
}

/** An option with an argument, written `arg` in the help (`-o FILE`, `--log-level LEVEL`). */
export interface ValueOption<T> extends Common {
  readonly kind: 'value';
  readonly arg: string;
  readonly read: Reader<T>;
}

export type OptionSpec = FlagOption | ValueOption<unknown>;

/** getopt's loop keeps overwriting, so the last word wins and only that one is checked. */
function last<T, F>(check: Check<T>, fallback: F): Reader<T | F> {
  return (given, flag) => {
    const text = given.at(-1);
    return text === undefined ? fallback : check(text, flag);
  };
}

/** A repeatable option (-o with --check and --verify): every word is kept and checked. */
function every<T>(check: Check<T>, fallback: readonly T[]): Reader<readonly T[]> {
  return (given, flag) => (given.length === 0 ? fallback : given.map((text) => check(text, flag)));
}

const anyText: Check<string> = (text) => text;

/** An empty name would become the working directory or a file named after nothing. */
const fileName: Check<string> = (text, flag) => {
  if (text === '') throw new UsageError(`${flag} needs a file name`);
  return text;
};

/** A whole number from `min` to `max`: no sign, no exponent, no hex, no spaces. */
function count(min: number, max: number, unit: string): Check<number> {
  return (text, flag) => {
    if (!/^[0-9]+$/.test(text) || Number(text) < min || Number(text) > max) throw new UsageError(`${flag} takes ${unit} from ${min} to ${max}, got '${text}'`);
    return Number(text);
  };
}

/** Exactly as spelled: sersync2 compares the name with strcmp. */
const pluginName: Check<PluginName> = (text, flag) => {
  if (!isPluginName(text)) throw new UsageError(`${flag} takes a plugin name (${PLUGIN_NAMES.join(', ')}), got '${text}'`);
  return text;
};

const watcherKind: Check<WatcherKind> = (text, flag) => {
  const kind = WATCHER_KINDS.find((k) => k === text);
  if (!kind) throw new UsageError(`${flag} takes ${WATCHER_KINDS.join(', ')}, got '${text}'`);
  return kind;
};

const logLevel: Check<string> = (text, flag) => {
  if (!levelIsValid(text)) throw new UsageError(`${flag} takes trace, debug, info, warn, error or off, got '${text}'`);
  return text;
};

/** `HOST:PORT`, `[v6]:PORT`; the host is required, so binding every interface is a choice made in writing. */
const listen: Check<{ readonly host: string; readonly port: number }> = (text, flag) => {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]+)):([0-9]{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65535) throw new UsageError(`${flag} takes HOST:PORT (e.g. 127.0.0.1:9329), got '${text}'`);
  return { host: m[1] ?? m[2]!, port };
};

/** Keyed by CliOptions' field; the order is the help's (and, for `sersync2`, the synopsis', as in sersync2's own -h). */
export const OPTIONS = {
  daemon: { kind: 'flag', short: 'd', section: 'sersync2', help: 'run as a daemon (detached; the parent returns once watching has started)' },
  fullSyncAtStart: { kind: 'flag', short: 'r', section: 'sersync2', help: 'before watching, sync the whole watch directory to every remote once' },
  threads: { kind: 'value', short: 'n', arg: 'NUM', section: 'sersync2', help: `number of sync workers (default: ${DEFAULT_THREADS})`, read: last(count(1, 1000, 'a number of threads'), DEFAULT_THREADS) },
  configFiles: { kind: 'value', short: 'o', arg: 'FILE', section: 'sersync2', help: `config file (default: ./${DEFAULT_CONFIG})`, read: every(fileName, [DEFAULT_CONFIG]) },
  plugin: { kind: 'value', short: 'm', arg: 'PLUGIN', section: 'sersync2', help: `run one plugin alone, without rsync: ${PLUGIN_NAMES.join(', ')}`, read: last(pluginName, undefined) },
  help: { kind: 'flag', short: 'h', long: 'help', section: 'sersync2', help: 'show this help and exit' },

  configDir: { kind: 'value', long: 'config-dir', arg: 'DIR', section: 'extension', help: 'every *.xml file in DIR, in name order, as if each were given with -o\n(the daemon runs them all in one process; SIGHUP reads DIR again)', read: last(fileName, undefined) },
  check: { kind: 'flag', long: 'check', section: 'extension', help: 'validate every -o FILE and print what each would do; exit 0 only if all are valid' },
  dryRun: { kind: 'flag', long: 'dry-run', section: 'extension', help: 'do everything but run the commands, and print each one (shadow mode)' },
  batch: { kind: 'flag', long: 'batch', section: 'extension', help: 'batch mode: a few rsyncs per remote for many events (see <rsync><batch>)' },
  watcher: { kind: 'value', long: 'watcher', arg: 'KIND', section: 'extension', help: `inotify (default): a watch per directory; fanotify: one filesystem mark,\nready at once on any tree (root, Linux 5.17+); auto: fanotify for ${BIG_TREE.toLocaleString('en')}\ndirectories or more where it can be had`, read: last(watcherKind, 'inotify' as WatcherKind) },
  logLevel: { kind: 'value', long: 'log-level', arg: 'LEVEL', section: 'extension', help: 'trace, debug, info, warn or error (default: info)', read: last(logLevel, undefined) },
  logFile: { kind: 'value', long: 'log-file', arg: 'FILE', section: 'extension', help: 'also log to FILE, rotated', read: last(anyText, undefined) },
  logConfig: { kind: 'value', long: 'log-config', arg: 'FILE', section: 'extension', help: 'a log4js JSON configuration, used instead of --log-level and --log-file', read: last(anyText, undefined) },
  statusFile: { kind: 'value', long: 'status-file', arg: 'FILE', section: 'extension', help: "keep FILE (JSON) up to date with the daemon's state; rewritten on SIGUSR1", read: last(fileName, undefined) },
  statusInterval: { kind: 'value', long: 'status-interval', arg: 'S', section: 'extension', help: `rewrite the status file every S seconds (default: ${DEFAULT_STATUS_INTERVAL})`, read: last(count(1, 86400, 'seconds'), DEFAULT_STATUS_INTERVAL) },
  showStatus: { kind: 'value', long: 'status', arg: 'FILE', section: 'extension', help: 'check a status file: a Nagios plugin line, the details, and exit 0 OK,\n1 WARNING, 2 CRITICAL (stale: the daemon is gone or stuck), 3 UNKNOWN', read: last(anyText, undefined) },
  metricsListen: { kind: 'value', long: 'metrics-listen', arg: 'HOST:PORT', section: 'extension', help: 'serve Prometheus metrics at http://HOST:PORT/metrics', read: last(listen, undefined) },
  metricsFile: { kind: 'value', long: 'metrics-file', arg: 'FILE', section: 'extension', help: 'the same metrics written to FILE every status interval (textfile collector)', read: last(fileName, undefined) },
  verify: { kind: 'flag', long: 'verify', section: 'extension', help: 'with -o FILE [-o FILE...]: what a full sync would change on each remote\n(an rsync dry run); exit 0 all in sync, 2 some differ, 1 could not verify' },
  verifyList: { kind: 'value', long: 'verify-list', arg: 'N', section: 'extension', help: `show up to N changed paths per remote (default: ${DEFAULT_VERIFY_LIST})`, read: last(count(0, 1_000_000, 'a number of paths'), DEFAULT_VERIFY_LIST) },
  verifyTimeout: { kind: 'value', long: 'verify-timeout', arg: 'S', section: 'extension', help: `give up on a remote silent for S seconds (default: ${DEFAULT_VERIFY_TIMEOUT})`, read: last(count(1, 86400, 'seconds'), DEFAULT_VERIFY_TIMEOUT) },
  version: { kind: 'flag', long: 'version', section: 'extension', help: 'print the version and exit' },
} as const satisfies Readonly<Record<string, OptionSpec>>;

/** The table as a list, for what treats every option alike. */
export const OPTION_LIST: readonly OptionSpec[] = Object.values(OPTIONS);

/** What parseArgs gives: each option's reader's value, or whether a flag was given. */
export type CliOptions = { readonly [K in keyof typeof OPTIONS]: (typeof OPTIONS)[K] extends ValueOption<infer T> ? T : boolean };

/** The option as written on the command line: `-h`, `--help`, or both. */
export function flagsOf(option: OptionSpec): string[] {
  return [...(option.short === undefined ? [] : [`-${option.short}`]), ...(option.long === undefined ? [] : [`--${option.long}`])];
}

/** The option's name in the messages: the long one when there is one. */
export function nameOf(option: OptionSpec): string {
  return flagsOf(option).at(-1)!;
}
