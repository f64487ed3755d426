/**
 * sersync2's command line: POSIX getopt with the option string `hdro:n:m:`, plus our long options,
 * all from the table in options.ts. A thin getopt layer splits clusters (`-rdo file`, `-oFILE`)
 * and stops at `--`; minimist then turns the normalised words into an object.
 */
import path from 'node:path';
import minimist from 'minimist';
import { UsageError } from '../config/errors';
import { describeName } from '../paths';
import { type CliOptions, nameOf, OPTION_LIST, OPTIONS, type OptionSpec } from './options';

export type { CliOptions } from './options';

type Field = keyof typeof OPTIONS;
const FIELDS = Object.keys(OPTIONS) as Field[];
const BY_SHORT = new Map(OPTION_LIST.flatMap((option) => (option.short === undefined ? [] : [[option.short, option] as const])));
const BY_LONG = new Map(OPTION_LIST.flatMap((option) => (option.long === undefined ? [] : [[option.long, option] as const])));

/** Both names of an option, as minimist's lists want them. */
function namesOf(option: OptionSpec): string[] {
  return [option.short, option.long].filter((name) => name !== undefined);
}

/** minimist's lists: values stay strings (`-o 123` is a file name), flags are booleans, `-h` is `--help`. */
const MINIMIST: minimist.Opts = {
  string: OPTION_LIST.filter((option) => option.kind === 'value').flatMap(namesOf),
  boolean: OPTION_LIST.filter((option) => option.kind === 'flag').flatMap(namesOf),
  alias: Object.fromEntries(OPTION_LIST.flatMap((option) => (option.short !== undefined && option.long !== undefined ? [[option.short, option.long]] : []))),
  '--': true,
};

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
      const option = BY_LONG.get(name!);
      if (option === undefined) throw new UsageError(`unrecognized option '${word}'`);
      // As getopt_long: minimist would read `--check=false` as "no --check" and start the daemon.
      if (option.kind === 'flag' && word.includes('=')) throw new UsageError(`option '--${name}' doesn't allow an argument`);
      if (option.kind === 'value' && !word.includes('=')) {
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
      const option = BY_SHORT.get(flag);
      if (option === undefined) throw new UsageError(`invalid option -- '${flag}'`);
      if (option.kind === 'flag') {
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

/** Every word given to an option, in order: minimist gives one value as itself and several as an array. */
function given(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

export function parseArgs(argv: readonly string[]): CliOptions {
  const parsed = minimist(normaliseArgv(argv), MINIMIST);
  const stray = [...parsed._, ...(parsed['--'] ?? [])];
  if (stray.length > 0) throw new UsageError(`unexpected argument '${stray[0]}' (the config file goes after -o)`);

  // Each option on its own, in the table's order; then the rules between options.
  const values = new Map<Field, unknown>();
  for (const field of FIELDS) {
    const option: OptionSpec = OPTIONS[field];
    const key = option.long ?? option.short!;
    values.set(field, option.kind === 'flag' ? parsed[key] === true : option.read(given(parsed[key]), nameOf(option)));
  }
  // Every field is set above by its own option's reader, whose type CliOptions is made of.
  const options = Object.fromEntries(values) as CliOptions;

  if (options.configDir !== undefined && given(parsed.o).length > 0) throw new UsageError('-o and --config-dir do not go together: put the file in the directory, or name every file with -o');
  const twice = sameFileTwice(options.configFiles);
  // Two instances of one file would mirror every change twice, under one name.
  if (twice) throw new UsageError(`-o ${describeName(twice[0])} and -o ${describeName(twice[1])} name the same file: give each config file once`);
  if (options.verify && (options.check || options.plugin !== undefined)) throw new UsageError(`--verify checks the rsync remotes; it does not go with ${options.check ? '--check' : '-m'}`);
  return options;
}

/** The first two of `files` that are one path once resolved (`a.xml` and `./a.xml`), if any. */
function sameFileTwice(files: readonly string[]): [string, string] | undefined {
  const seen = new Map<string, string>();
  for (const file of files) {
    const first = seen.get(path.resolve(file));
    if (first !== undefined) return [first, file];
    seen.set(path.resolve(file), file);
  }
  return undefined;
}
