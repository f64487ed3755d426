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
const LONG_FLAGS = ['help', 'version', 'check', 'dry-run', 'batch'] as const;
const LONG_WITH_VALUE = ['log-level', 'log-file', 'log-config', 'status-file', 'status-interval', 'status'] as const;

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
  /** `--status FILE`: pretty-print a status file and exit. */
  readonly showStatus: string | undefined;
}

export const DEFAULT_THREADS = 10;
export const DEFAULT_CONFIG = 'confxml.xml';
export const DEFAULT_STATUS_INTERVAL = 10;

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
  if (!check && configFiles.length > 1) throw new UsageError('-o may be given once (several only with --check)');
  if (configFiles.some((file) => file === '')) throw new UsageError('-o needs a file name');

  const logLevel = last(parsed['log-level']);
  if (logLevel !== undefined && !levelIsValid(logLevel)) throw new UsageError(`--log-level takes trace, debug, info, warn, error or off, got '${logLevel}'`);

  const statusIntervalText = last(parsed['status-interval']);
  if (statusIntervalText !== undefined && (!/^[0-9]+$/.test(statusIntervalText) || Number(statusIntervalText) < 1 || Number(statusIntervalText) > 86400)) {
    throw new UsageError(`--status-interval takes seconds from 1 to 86400, got '${statusIntervalText}'`);
  }
  const statusFile = last(parsed['status-file']);
  if (statusFile === '') throw new UsageError('--status-file needs a file name');

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
  --status FILE     pretty-print a status file and exit (1 if it is missing or unreadable)
  --version         print the version and exit
`;
