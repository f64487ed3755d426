/**
 * Why the daemon cannot start, beyond a bad config: one line for the operator, a stable code. A
 * leaf, so that the parts that find such a reason (the metrics server) need not import the daemon.
 */
export type StartErrorCode = 'RSYNC_TOO_OLD' | 'METRICS_LISTEN' | 'FAIL_LOG' | 'LOG_FILE' | 'CONFIG_DIR' | 'NO_CONFIG' | 'WATCHER';

export class StartError extends Error {
  constructor(
    readonly code: StartErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StartError';
  }
}
