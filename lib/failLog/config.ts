/** `<failLog path timeToExecute>`: where failed commands are kept, and how often they are rerun. */
import path from 'node:path';
import type { ElementView } from '../config/element';

export interface FailLogConfig {
  readonly path: string;
  /** Minutes between runs of the fail log. */
  readonly timeToExecute: number;
}

export const FAILLOG_DEFAULTS: FailLogConfig = { path: '/tmp/rsync_fail_log.sh', timeToExecute: 120 };

export function parseFailLog(view: ElementView | undefined): FailLogConfig {
  if (!view) return FAILLOG_DEFAULTS;
  view.expect(['path', 'timeToExecute']);
  let file = view.string('path', FAILLOG_DEFAULTS.path);
  if (file === '') {
    view.problem('BAD_PATH', 'path must not be empty', 'path');
    file = FAILLOG_DEFAULTS.path;
  } else if (!path.isAbsolute(file)) {
    view.warn(`path "${file}" is relative; it is taken from the working directory, ${process.cwd()}`);
    file = path.resolve(file);
  }
  return { path: file, timeToExecute: view.positiveInt('timeToExecute', FAILLOG_DEFAULTS.timeToExecute) };
}
