/**
 * `sersync2 --verify -o FILE...`: is every remote whole? For each config and remote, a dry run of
 * the full sync lists what it would change. Exit 0 all in sync, 2 some remote differs, 1 some
 * remote (or config) could not be verified; as diff(1), trouble wins over a difference.
 */
import { loadConfigFile } from '../config/load';
import { ConfigError } from '../config/errors';
import { runVerify, stopVerifies, type Verdict } from '../verify/remote';
import { remoteLabel, verifyCommand, verifySettings } from '../verify/command';
import type { Remote } from '../localpath/config';
import type { CommandSettings } from '../rsync/command';
import { describeName } from '../paths';
import type { CliOptions } from './args';

const VERIFY_IN_SYNC = 0;
const VERIFY_FAILED = 1;
const VERIFY_DIFFERS = 2;

interface Output {
  out(text: string): void;
  err(text: string): void;
}

function formatVerdict(label: string, v: Verdict): string {
  switch (v.kind) {
    case 'in-sync':
      return `${label}: in sync\n`;
    case 'failed':
      return `${label}: could not verify: ${v.reason}\n`;
    case 'differs': {
      const lines = [`${label}: ${v.send} to send, ${v.delete} to delete`, ...v.shown.map((line) => `  ${line}`)];
      const more = v.send + v.delete - v.shown.length;
      if (more > 0) lines.push(`  ... and ${more} more (--verify-list N shows up to N)`);
      return `${lines.join('\n')}\n`;
    }
  }
}

/** The config's verify settings and remotes, or undefined after printing why it cannot be read. */
function load(file: string, io: Output): { settings: CommandSettings; remotes: readonly Remote[] } | undefined {
  try {
    const { config } = loadConfigFile(file, { checkDirectories: true });
    return { settings: verifySettings(config), remotes: config.sersync.localpath.remotes };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`${error.message}\n`);
    return undefined;
  }
}

export async function runVerifyAll(options: CliOptions, io: Output): Promise<number> {
  const onSignal = (signal: NodeJS.Signals) => {
    stopVerifies();
    process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    return await verifyAll(options, io);
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
}

async function verifyAll(options: CliOptions, io: Output): Promise<number> {
  let failed = false;
  let differs = false;
  for (const file of options.configFiles) {
    if (options.configFiles.length > 1) io.out(`${describeName(file)}:\n`);
    const loaded = load(file, io);
    if (!loaded) {
      failed = true;
      continue;
    }
    const { settings, remotes } = loaded;
    // The remotes of one config at once, as the full sync runs them; printed in config order.
    const verdicts = await Promise.all(remotes.map((remote) => runVerify(verifyCommand(settings, remote, options.verifyTimeout), options.verifyList)));
    verdicts.forEach((verdict, i) => {
      io.out(formatVerdict(remoteLabel(settings, remotes[i]!), verdict));
      if (verdict.kind === 'failed') failed = true;
      if (verdict.kind === 'differs') differs = true;
    });
  }
  return failed ? VERIFY_FAILED : differs ? VERIFY_DIFFERS : VERIFY_IN_SYNC;
}
