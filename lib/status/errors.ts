/** Errors of the status file, with stable codes: scripts match on `code`, never on the text. */
export type StatusErrorCode = 'STATUS_UNREADABLE' | 'STATUS_MALFORMED' | 'STATUS_WRITE_FAILED';

export class StatusError extends Error {
  constructor(
    readonly code: StatusErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StatusError';
  }
}
