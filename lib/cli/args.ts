/**
 * sersync2's command line: POSIX getopt with the option string `hdro:n:m:`, plus our long options.
 * A thin getopt layer splits clusters (`-rdo file`, `-oFILE`) and stops at `--`; minimist then
 * turns the normalised words into an object.
 */
import minimist from 'minimist';
import { UsageError } from '../config/errors';
import { levelIsValid } from '../log/logger';
import { isPluginName, PLUGIN_NAMES, type PluginName } from '../plugin/config';

/** Short flags: `true` when the flag takes an argument, as `o:` in getopt's option string. */
const SHORT: Readonly<Record<string, boolean>> = { h: false, d: false, r: false, o: true, n: true, m: true };
const LONG_FLAGS = ['help', 'version', 'check', 'dry-run', 'batch', 'verify'] as const;
const LONG_WITH_VALUE = ['log-level', 'log-file', 'log-config', 'status-file', 'status-interval', 'status', 'verify-list', 'verify-timeout', 'metrics-listen', 'metrics-file'] as const;

export interface CliOptions {
  readonly help: boolean;
  readonly version: boolean;
  /** `--check`: validate the configs and print what each would do. */
  readonly check: boolean;
  /** `-d`: detach and run in the background. */
  readonly daemon: boolean;
  /** `-r`: one full sync to every remote before watching. */
  readonly fullSyncAtStart: boolean;
  /** `-o`, repeatable for --check; `confxml.xml` in the working directory by default. */
  readonly configFiles: readonly string[];
  /** `-n`: worker count, 10 by default. */
  readonly threads: number;
  /** `-m`: run one plugin alone, without rsync. */
  readonly plugin: PluginName | undefined;
  /** `--dry-run`: run everything but the commands, and print each one. */
  readonly dryRun: boolean;
  /** `--batch`: one rsync per remote for many events (as `<rsync><batch start="true">`). */
  readonly batch: boolean;
  readonly logLevel: string | undefined;
  readonly logFile: string | undefined;
  /** `--log-config FILE`: a log4js JSON configuration, instead of --log-level and --log-file. */
  readonly logConfig: string | undefined;
  /** `--status-file FILE`: rewrite FILE with the daemon's state every `statusInterval` s and on SIGUSR1. */
  readonly statusFile: string | undefined;
  readonly statusInterval: number;
  /** `--status FILE`: a monitoring check on a status file (Nagios plugin output and exit codes). */
  readonly showStatus: string | undefined;
  /** `--verify`: a dry run of the full sync to every remote of every -o FILE; report, change nothing. */
  readonly verify: boolean;
  /** `--verify-list N`: how many changed paths to show per remote (20). */
  readonly verifyList: number;
  /** `--verify-timeout S`: how long a remote may stay silent during --verify (30). */
  readonly verifyTimeout: number;
  /** `--metrics-listen HOST:PORT`: serve Prometheus metrics at GET /metrics. */
  readonly metricsListen: { readonly host: string; readonly port: number } | undefined;
  /** `--metrics-file FILE`: write the metrics text to FILE every status interval (textfile collector). */
  readonly metricsFile: string | undefined;
}

export const DEFAULT_THREADS = 10;
export const DEFAULT_CONFIG = 'confxml.xml';
const DEFAULT_STATUS_INTERVAL = 10;
const DEFAULT_VERIFY_LIST = 20;
const DEFAULT_VERIFY_TIMEOUT = 30;

/** Splits getopt clusters into one word per option, so that minimist sees unambiguous input. */
export function normaliseArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (word.startsWith('--')) {
      const [name] = word.slice(2).split('=', 1);
      const takesValue = (LONG_WITH_VALUE as readonly string[]).includes(name!);
      if (!(LONG_FLAGS as readonly string[]).includes(name!) && !takesValue) throw new UsageError(`unrecognized option '${word}'`);
      // As getopt_long: minimist would read `--check=false` as "no --check" and start the daemon.
      if (!takesValue && word.includes('=')) throw new UsageError(`option '--${name}' doesn't allow an argument`);
      if (takesValue && !word.includes('=')) {
        if (i + 1 >= argv.length) throw new UsageError(`option '${word}' requires an argument`);
        out.push(`${word}=${argv[++i]}`);
      } else out.push(word);
      continue;
    }
    if (word.length < 2 || !word.startsWith('-')) {
      out.push(word);
      continue;
    }
    for (let j = 1; j < word.length; j++) {
      const flag = word[j]!;
      if (!(flag in SHORT)) throw new UsageError(`invalid option -- '${flag}'`);
      if (!SHORT[flag]) {
        out.push(`-${flag}`);
        continue;
      }
      const glued = word.slice(j + 1);
      // `--o=VALUE` keeps a value that starts with '-' a value, as getopt does.
      if (glued !== '') out.push(`--${flag}=${glued}`);
      else if (i + 1 < argv.length) out.push(`--${flag}=${argv[++i]!}`);
      else throw new UsageError(`option requires an argument -- '${flag}'`);
      break;
    }
  }
  return out;
}

/** A whole number from `min` to `max` given to `flag`, or `fallback` when the flag is absent. */
function count(flag: string, text: string | undefined, min: number, max: number, fallback: number, unit: string): number {
  if (text === undefined) return fallback;
  if (!/^[0-9]+$/.test(text) || Number(text) < min || Number(text) > max) throw new UsageError(`${flag} takes ${unit} from ${min} to ${max}, got '${text}'`);
  return Number(text);
}

/** `HOST:PORT`, `[v6]:PORT`; the host is required, so binding every interface is a choice made in writing. */
function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]+)):([0-9]{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65535) throw new UsageError(`--metrics-listen takes HOST:PORT (e.g. 127.0.0.1:9329), got '${text}'`);
  return { host: m[1] ?? m[2]!, port };
}

function list(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

function last(value: unknown): string | undefined {
  const all = list(value);
  return all[all.length - 1];
}

export function parseArgs(argv: readonly string[]): CliOptions {
  const parsed = minimist(normaliseArgv(argv), {
    string: ['o', 'n', 'm', ...LONG_WITH_VALUE],
    boolean: ['h', 'd', 'r', ...LONG_FLAGS],
    '--': true,
  });
  const stray = [...parsed._, ...(parsed['--'] ?? [])];
  if (stray.length > 0) throw new UsageError(`unexpected argument '${stray[0]}' (the config file goes after -o)`);

  let threads = DEFAULT_THREADS;
  const n = last(parsed.n);
  if (n !== undefined) {
    if (!/^[0-9]+$/.test(n) || Number(n) < 1 || Number(n) > 1000) throw new UsageError(`-n takes a number of threads from 1 to 1000, got '${n}'`);
    threads = Number(n);
  }

  const m = last(parsed.m);
  if (m !== undefined && !isPluginName(m)) throw new UsageError(`-m takes a plugin name (${PLUGIN_NAMES.join(', ')}), got '${m}'`);

  const configFiles = list(parsed.o);
  const check = parsed.check === true;
  const verify = parsed.verify === true;
  if (!check && !verify && configFiles.length > 1) throw new UsageError('-o may be given once (several only with --check and --verify)');
  if (verify && (check || m !== undefined)) throw new UsageError(`--verify checks the rsync remotes; it does not go with ${check ? '--check' : '-m'}`);
  if (configFiles.some((file) => file === '')) throw new UsageError('-o needs a file name');

  const logLevel = last(parsed['log-level']);
  if (logLevel !== undefined && !levelIsValid(logLevel)) throw new UsageError(`--log-level takes trace, debug, info, warn, error or off, got '${logLevel}'`);

  const statusIntervalText = last(parsed['status-interval']);
  if (statusIntervalText !== undefined && (!/^[0-9]+$/.test(statusIntervalText) || Number(statusIntervalText) < 1 || Number(statusIntervalText) > 86400)) {
    throw new UsageError(`--status-interval takes seconds from 1 to 86400, got '${statusIntervalText}'`);
  }
  const statusFile = last(parsed['status-file']);
  if (statusFile === '') throw new UsageError('--status-file needs a file name');
  const metricsListenText = last(parsed['metrics-listen']);
  const metricsFile = last(parsed['metrics-file']);
  if (metricsFile === '') throw new UsageError('--metrics-file needs a file name');

  return {
    help: parsed.h === true || parsed.help === true,
    version: parsed.version === true,
    check,
    daemon: parsed.d === true,
    fullSyncAtStart: parsed.r === true,
    configFiles: configFiles.length > 0 ? configFiles : [DEFAULT_CONFIG],
    threads,
    plugin: m as PluginName | undefined,
    dryRun: parsed['dry-run'] === true,
    batch: parsed.batch === true,
    logLevel,
    logFile: last(parsed['log-file']),
    logConfig: last(parsed['log-config']),
    statusFile,
    statusInterval: statusIntervalText === undefined ? DEFAULT_STATUS_INTERVAL : Number(statusIntervalText),
    showStatus: last(parsed.status),
    verify,
    verifyList: count('--verify-list', last(parsed['verify-list']), 0, 1_000_000, DEFAULT_VERIFY_LIST, 'a number of paths'),
    verifyTimeout: count('--verify-timeout', last(parsed['verify-timeout']), 1, 86400, DEFAULT_VERIFY_TIMEOUT, 'seconds'),
    metricsListen: metricsListenText === undefined ? undefined : parseListen(metricsListenText),
    metricsFile,
  };
}

export const USAGE = `Usage: sersync2 [-d] [-r] [-n NUM] [-o FILE] [-m PLUGIN] [-h]
Real-time mirroring of a directory to rsync daemons, driven by inotify.

  -d          run as a daemon (detached; the parent returns once watching has started)
  -r          before watching, sync the whole watch directory to every remote once
  -o FILE     config file (default: ./confxml.xml)
  -n NUM      number of sync workers (default: 10)
  -m PLUGIN   run one plugin alone, without rsync: command, socket, refreshCDN, http
  -h, --help  show this help and exit

Extensions:
  --check           validate every -o FILE and print what each would do; exit 0 only if all are valid
  --dry-run         do everything but run the commands, and print each one (shadow mode)
  --batch           batch mode: a few rsyncs per remote for many events (see <rsync><batch>)
  --log-level LEVEL trace, debug, info, warn or error (default: info)
  --log-file FILE   also log to FILE, rotated
  --log-config FILE a log4js JSON configuration, used instead of --log-level and --log-file
  --status-file FILE  keep FILE (JSON) up to date with the daemon's state; rewritten on SIGUSR1
  --status-interval S rewrite the status file every S seconds (default: 10)
  --status FILE     check a status file: a Nagios plugin line, the details, and exit 0 OK,
                    1 WARNING, 2 CRITICAL (stale: the daemon is gone or stuck), 3 UNKNOWN
  --metrics-listen HOST:PORT  serve Prometheus metrics at http://HOST:PORT/metrics
  --metrics-file FILE the same metrics written to FILE every status interval (textfile collector)
  --verify          with -o FILE [-o FILE...]: what a full sync would change on each remote
                    (an rsync dry run); exit 0 all in sync, 2 some differ, 1 could not verify
  --verify-list N   show up to N changed paths per remote (default: 20)
  --verify-timeout S  give up on a remote silent for S seconds (default: 30)
  --version         print the version and exit
`;
