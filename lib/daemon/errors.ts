/** The errors the operator can fix at start-up, and how each is told. */
import { ConfigError } from '../config/errors';
import { InotifyError } from '../inotify/binding';
import { WatchRootError } from '../inotify/root';
import { StartError } from '../startError';

// The daemon's wiring (run.ts) takes it from here, beside operatorMessage.
export { StartError } from '../startError';

/** A file the daemon must write cannot be (a read-only or missing directory...): one line naming it and why. */
export function fileError(code: 'FAIL_LOG' | 'LOG_FILE', what: string, path: string, error: unknown): StartError {
  const { code: errno, message, syscall, path: failed } = error as NodeJS.ErrnoException;
  // Node's message is `CODE: reason, syscall 'path'`: keep the reason, and the step when it was on another path.
  const reason = /^[A-Z0-9]+: ([^,]+)/.exec(message)?.[1] ?? message;
  const step = syscall && failed && failed !== path ? `${syscall} ${failed}: ` : '';
  return new StartError(code, `cannot write the ${what} ${path}: ${step}${reason}${errno ? ` (${errno})` : ''}`);
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
