/**
 * Logging through log4js. Info lines go to stdout bare, as sersync2 printed them, so the lines
 * operators grep for ("watch path is: ...") stay the same; warnings and errors carry their level.
 * `--log-file` adds a rotated file with timestamps.
 */
import log4js from 'log4js';

export interface LogOptions {
  readonly level?: string | undefined;
  readonly file?: string | undefined;
}

export type Logger = log4js.Logger;

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'off'];

export function levelIsValid(level: string): boolean {
  return LEVELS.includes(level.toLowerCase());
}

export function createLogger(options: LogOptions = {}): Logger {
  const level = (options.level ?? 'info').toLowerCase();
  const appenders: Record<string, log4js.Appender> = {
    stdout: {
      type: 'stdout',
      layout: {
        type: 'pattern',
        pattern: '%x{prefix}%m',
        tokens: { prefix: (event: log4js.LoggingEvent) => (event.level.isGreaterThanOrEqualTo('WARN') ? `${event.level.levelStr}: ` : '') },
      },
    },
  };
  if (options.file) {
    // 10 MiB per file, 5 old files kept, compressed.
    appenders.file = { type: 'file', filename: options.file, maxLogSize: 10 * 1024 * 1024, backups: 5, compress: true, mode: 0o640, layout: { type: 'pattern', pattern: '%d{ISO8601} %p %m' } };
  }
  log4js.configure({ appenders, categories: { default: { appenders: Object.keys(appenders), level } } });
  return log4js.getLogger('sersync2');
}

/** Writes out what is buffered; call before exiting. */
export function flushLogs(): Promise<void> {
  return new Promise((resolve) => log4js.shutdown(() => resolve()));
}
