/** The `-h` text, written from the option table: the synopsis of sersync2's own flags, then every option with its help. */
import { flagsOf, OPTION_LIST, type OptionSpec, type Section } from './options';

/**
 * The help of a section starts in one column, two spaces after its widest label; a label wider
 * than this one is left out of the measure (it would push every line right) and is followed by
 * two spaces instead.
 */
const WIDEST_ALIGNED = 20;

/** `-h, --help`, `-o FILE`, `--log-level LEVEL`. */
function label(option: OptionSpec): string {
  const names = flagsOf(option).join(', ');
  return option.kind === 'value' ? `${names} ${option.arg}` : names;
}

/** `[-o FILE]`: the short name where there is one, as sersync2's synopsis writes it. */
function synopsis(option: OptionSpec): string {
  const name = flagsOf(option)[0]!;
  return option.kind === 'value' ? `[${name} ${option.arg}]` : `[${name}]`;
}

function section(name: Section): string {
  const options = OPTION_LIST.filter((option) => option.section === name);
  const labels = options.map(label);
  const column = Math.max(...labels.map((text) => text.length).filter((length) => length <= WIDEST_ALIGNED)) + 2;
  return options
    .map((option, i) => {
      const head = labels[i]!.length <= WIDEST_ALIGNED ? labels[i]!.padEnd(column) : `${labels[i]}  `;
      return option.help
        .split('\n')
        .map((line, n) => `  ${n === 0 ? head : ' '.repeat(column)}${line}\n`)
        .join('');
    })
    .join('');
}

export const USAGE = `Usage: sersync2 ${OPTION_LIST.filter((option) => option.section === 'sersync2').map(synopsis).join(' ')}
Real-time mirroring of a directory to rsync daemons, driven by inotify.

${section('sersync2')}
Extensions:
${section('extension')}`;
