/** Entry point of bin/sersync2: flags in, exit code out. Expected errors never print a stack trace. */
import { ConfigError, UsageError } from '../config/errors';
import { operatorMessage } from '../daemon/errors';
import { describeName } from '../paths';
import { loadConfigFile } from '../config/load';
import { parseArgs, type CliOptions } from './args';
import { StartError } from '../startError';
import { describeConfig } from './check';
import { configDirFiles, type UnusableConfig } from './configDir';
import { type CheckedFile, overlaps, sharedFailLogs } from './overlaps';
import { showStatus } from './status';
import { USAGE } from './usage';
import { runVerifyAll } from './verify';

export const VERSION: string = (require('../../../package.json') as { version: string }).version;

interface Output {
  out(text: string): void;
  err(text: string): void;
}

const stdio: Output = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** Each file's report; for several, what they would mirror twice (a report, not an error: exit 0). */
function runCheck(options: CliOptions, io: Output, unusable: number): number {
  let failures = unusable;
  const valid: CheckedFile[] = [];
  for (const file of options.configFiles) {
    try {
      const loaded = loadConfigFile(file, { checkDirectories: true, standalonePlugin: options.plugin });
      for (const warning of loaded.warnings) io.err(`${warning}\n`);
      io.out(`${describeName(file)}: OK\n${describeConfig(loaded, options.plugin).join('\n')}\n`);
      valid.push({ file, config: loaded.config });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      failures++;
      io.err(`${error.message}\n`);
    }
  }
  const twice = options.plugin ? [] : overlaps(valid);
  if (twice.length) io.out(`overlaps (the same files mirrored twice):\n${twice.map((line) => `  ${line}\n`).join('')}`);
  const shared = options.plugin ? [] : sharedFailLogs(valid);
  if (shared.length) io.out(`shared fail logs (each one's run would run the others' commands too; give each config its own):\n${shared.map((line) => `  ${line}\n`).join('')}`);
  const total = options.configFiles.length + unusable;
  if (total > 1) io.out(`${total - failures} of ${total} config files are valid\n`);
  return failures === 0 ? 0 : 1;
}

/** Runs the program; resolves to the exit code. The daemon keeps the promise pending while it runs. */
export async function main(argv: readonly string[], io: Output = stdio): Promise<number> {
  let options: CliOptions;
  try {
    options = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`sersync2: ${error.message}\nTry 'sersync2 --help' for more information.\n`);
    return 1;
  }
  if (options.help) {
    io.out(USAGE);
    return 0;
  }
  if (options.version) {
    io.out(`sersync2 ${VERSION} (TypeScript; compatible with sersync2 2.5.4)\n`);
    return 0;
  }
  if (options.showStatus !== undefined) return showStatus(options.showStatus, io);
  let unusable: readonly UnusableConfig[] = [];
  if (options.configDir !== undefined) {
    try {
      const listing = configDirFiles(options.configDir);
      options = { ...options, configFiles: listing.files };
      unusable = listing.unusable;
    } catch (error) {
      if (!(error instanceof StartError)) throw error;
      io.err(`sersync2: ${error.message}\n`);
      return 1;
    }
  }
  if (options.check || options.verify) {
    // The daemon refuses these itself (instances.ts), in its log and its status file.
    for (const u of unusable) io.err(`${describeName(u.file)}: ${u.error}\n`);
    const code = options.check ? runCheck(options, io, unusable.length) : await runVerifyAll(options, io);
    // As a file that does not load: exit 1 (for --verify, failed over differs).
    return unusable.length > 0 ? 1 : code;
  }
  try {
    // Loaded only to run: --check and --help work without the native inotify addon.
    const { runDaemon } = (await import('../daemon/run.js')) as typeof import('../daemon/run.js');
    return await runDaemon(options, argv);
  } catch (error) {
    const message = operatorMessage(error);
    if (message === undefined) throw error;
    io.err(message);
    return 1;
  }
}
