/**
 * Errors with stable codes. Operators and tests match on `code`, never on message text.
 */
import { describeName } from '../paths';

/** One problem found in a config file, already formatted as `FILE:LINE: <path>: message`. */
export interface ConfigProblem {
  readonly file: string;
  readonly line: number;
  /** Element path as sersync users read it, e.g. `<sersync><rsync><timeout time="abc">`. */
  readonly where: string;
  readonly message: string;
  readonly code: ConfigProblemCode;
}

export type ConfigProblemCode =
  | 'XML_MALFORMED'
  | 'XML_ENTITY'
  | 'XML_ENCODING'
  | 'FILE_UNREADABLE'
  | 'UNKNOWN_ELEMENT'
  | 'UNKNOWN_ATTRIBUTE'
  | 'DUPLICATE_ELEMENT'
  | 'MISSING_ELEMENT'
  | 'MISSING_ATTRIBUTE'
  | 'BAD_BOOLEAN'
  | 'BAD_NUMBER'
  | 'BAD_PORT'
  | 'BAD_PATH'
  | 'BAD_REGEX'
  | 'BAD_SCHEDULE'
  | 'BAD_VALUE'
  | 'NO_REMOTE'
  | 'PLUGIN_UNDEFINED'
  | 'MISSING_DIRECTORY';

export function formatProblem(p: Omit<ConfigProblem, 'code'>): string {
  // A file name with a newline in it (a --config-dir entry) must not split the line either.
  const file = describeName(p.file);
  const location = p.line > 0 ? `${file}:${p.line}` : file;
  const text = p.where ? `${p.where}: ${p.message}` : p.message;
  // A value quoted over several lines is shown as XML writes its line breaks: one problem, one line.
  return `${location}: ${text.replace(/\n/g, '&#10;').replace(/\r/g, '&#13;')}`;
}

/** A config that cannot be used. Carries every problem found, not just the first. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
  }
}

/** A bad command line: unknown flag, missing argument. */
export class UsageError extends Error {
  readonly code = 'USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
