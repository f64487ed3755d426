/**
 * Writes the status file atomically: a temporary file in the same directory, then rename(2), so a
 * reader (a monitoring agent, `sersync2 --status`) never sees a half-written file.
 * Mode 0644: the file holds counts, paths and remote names, never commands or passwords, and
 * monitoring agents usually run as another user.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { StatusFile } from './host';
import { StatusError } from './errors';

const STATUS_FILE_MODE = 0o644;
export const DEFAULT_STATUS_INTERVAL_S = 10;

/** Writes `text` to a temporary file beside `file`, then renames it over `file`; throws what fs throws. */
export function writeFileAtomic(file: string, text: string, mode: number): void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    // 'w' with O_EXCL semantics is not needed: the name carries our pid and is ours alone.
    fs.writeFileSync(temp, text, { mode });
    fs.chmodSync(temp, mode); // the umask may have narrowed it
    fs.renameSync(temp, file);
  } catch (error) {
    try {
      fs.rmSync(temp, { force: true });
    } catch {
      // nothing more to clean up
    }
    throw error;
  }
}

function writeStatusFile(file: string, snapshot: StatusFile): void {
  try {
    writeFileAtomic(file, `${JSON.stringify(snapshot, null, 2)}\n`, STATUS_FILE_MODE);
  } catch (error) {
    throw new StatusError('STATUS_WRITE_FAILED', `cannot write the status file ${file}: ${(error as Error).message}`);
  }
}

/** Rewrites the file every `intervalMs` and on demand; a failed write is reported, never fatal. */
export class StatusFileWriter {
  private timer: NodeJS.Timeout | undefined;
  private lastError: string | undefined;

  constructor(
    private readonly file: string,
    private readonly intervalMs: number,
    /** Undefined: nothing to report yet (no config started), so nothing is written. */
    private readonly snapshot: () => StatusFile | undefined,
    private readonly warn: (message: string) => void,
  ) {}

  start(): void {
    this.write();
    this.timer = setInterval(() => this.write(), this.intervalMs);
    // The status timer alone must not keep a stopping daemon alive.
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  write(): boolean {
    const snapshot = this.snapshot();
    if (snapshot === undefined) return false;
    try {
      writeStatusFile(this.file, snapshot);
      this.lastError = undefined;
      return true;
    } catch (error) {
      // Warn once per distinct problem, not every interval.
      const message = (error as Error).message;
      if (message !== this.lastError) this.warn(message);
      this.lastError = message;
      return false;
    }
  }
}
