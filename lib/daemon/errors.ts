/** Why the daemon cannot start, beyond a bad config: one line for the operator, a stable code. */
import { ConfigError } from '../config/errors';
import { InotifyError } from '../inotify/binding';
import { WatchRootError } from '../inotify/root';

export type StartErrorCode = 'RSYNC_TOO_OLD' | 'METRICS_LISTEN' | 'FAIL_LOG';

export class StartError extends Error {
  constructor(
    readonly code: StartErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StartError';
  }
}

/** The fail log cannot be created or written at start (a read-only or missing directory...): one line naming it and why. */
export function failLogError(path: string, error: unknown): StartError {
  const { code, message } = error as NodeJS.ErrnoException;
  // Node's message is `CODE: reason, syscall 'path'`: keep the reason, the path is named already.
  const reason = /^[A-Z0-9]+: ([^,]+)/.exec(message)?.[1] ?? message;
  return new StartError('FAIL_LOG', `cannot write the fail log ${path}: ${reason}${code ? ` (${code})` : ''}`);
}

/** What to print for an error the operator can fix (one line, no stack trace); undefined for a bug. */
export function operatorMessage(error: unknown): string | undefined {
  if (error instanceof ConfigError) return `${error.message}\n`;
  if (error instanceof StartError || error instanceof WatchRootError) return `sersync2: ${error.message}\n`;
  if (error instanceof InotifyError && error.syscall.startsWith('inotify_init')) {
    const hint = error.code === 'EMFILE' ? ' (too many inotify instances: raise fs.inotify.max_user_instances)' : '';
    return `sersync2: cannot start inotify: ${error.message}${hint}\n`;
  }
  return undefined;
}
