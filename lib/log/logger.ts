/**
 * Logging through log4js. Info lines go to stdout bare, as sersync2 printed them, so the lines
 * operators grep for ("watch path is: ...") stay the same; warnings and errors carry their level.
 * `--log-file` adds a rotated file with timestamps.
 */
import fs from 'node:fs';
import util from 'node:util';
import log4js from 'log4js';
import { ConfigError } from '../config/errors';

export interface LogOptions {
  readonly level?: string | undefined;
  readonly file?: string | undefined;
  /** `--log-config FILE`: a log4js JSON configuration used instead of the two options above. */
  readonly configFile?: string | undefined;
  /** Where the stdout lines go instead (the -d child hands its start-up lines to the waiting parent). */
  readonly console?: ((text: string) => void) | undefined;
}

export type Logger = log4js.Logger;

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'off'];

export function levelIsValid(level: string): boolean {
  return LEVELS.includes(level.toLowerCase());
}

export function createLogger(options: LogOptions = {}): Logger {
  if (options.configFile) return configureFromFile(options.configFile);
  const level = (options.level ?? 'info').toLowerCase();
  const prefix = (event: log4js.LoggingEvent) => `${event.level.isGreaterThanOrEqualTo('WARN') ? `${event.level.levelStr}: ` : ''}${instanceOf(event)}`;
  const sink = options.console;
  const appenders: Record<string, log4js.Appender> = {
    stdout: sink
      ? { type: { configure: () => (event: log4js.LoggingEvent) => sink(`${prefix(event)}${util.format(...event.data)}\n`) } }
      : { type: 'stdout', layout: { type: 'pattern', pattern: '%x{prefix}%m', tokens: { prefix } } },
  };
  if (options.file) {
    // 10 MiB per file, 5 old files kept, compressed.
    appenders.file = { type: 'file', filename: options.file, maxLogSize: 10 * 1024 * 1024, backups: 5, compress: true, mode: 0o640, layout: { type: 'pattern', pattern: '%d{ISO8601} %p %x{instance}%m', tokens: { instance: instanceOf } } };
  }
  log4js.configure({ appenders, categories: { default: { appenders: Object.keys(appenders), level } } });
  return log4js.getLogger('sersync2');
}

/**
 * The logger of one config in a process that runs several: its lines carry `[NAME] ` after the
 * level (so `grep ^ERROR` still finds them). In an operator's own layout (--log-config) the name
 * is the context value `instance`: `%X{instance}`.
 */
export function instanceLogger(name: string): Logger {
  const logger = log4js.getLogger('sersync2');
  logger.addContext('instance', name);
  return logger;
}

function instanceOf(event: log4js.LoggingEvent): string {
  const name = event.context.instance;
  return typeof name === 'string' ? `[${name}] ` : '';
}

/**
 * An operator's own log4js setup (appenders, layouts, levels). A bad file is a config error
 * (exit 1 with the reason), not an internal error.
 */
function configureFromFile(file: string): Logger {
  const fail = (message: string) =>
    new ConfigError([{ file, line: 0, where: '', message: `--log-config: ${message}`, code: 'BAD_VALUE' }]);
  let config: unknown;
  try {
    config = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw fail((error as Error).message);
  }
  try {
    log4js.configure(config as log4js.Configuration);
  } catch (error) {
    throw fail(`not a log4js configuration: ${(error as Error).message}`);
  }
  return log4js.getLogger('sersync2');
}

/** Writes out what is buffered; call before exiting. */
export function flushLogs(): Promise<void> {
  return new Promise((resolve) => log4js.shutdown(() => resolve()));
}
