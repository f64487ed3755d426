/**
 * The fail log, rsync_fail_log.sh: a shell script of commands that failed, in sersync2's format
 * (`#errno STATUS`, the command, an empty line). Unlike sersync2 it is created 0600, never opened
 * through a symlink, and taken aside before it runs, so nothing written meanwhile is lost.
 */
import fs from 'node:fs';

const { O_WRONLY, O_APPEND, O_CREAT, O_NOFOLLOW, O_RDONLY } = fs.constants;

export function failLogEntry(header: string, command: string): string {
  return `#${header}\n${command}\n\n`;
}

export interface FailLogEntry {
  readonly header: string;
  readonly command: string;
}

/** Reads entries back: each is a `#` header line followed by one command line. */
export function parseFailLog(text: string): FailLogEntry[] {
  const entries: FailLogEntry[] = [];
  let header = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) header = line.slice(1);
    else if (line.trim() !== '') {
      entries.push({ header, command: line });
      header = '';
    }
  }
  return entries;
}

/** Why a fail log must not be run, or undefined when it is safe: ours, a regular file, writable only by us. */
export function unsafeReason(stat: fs.Stats, uid = process.getuid?.() ?? 0): string | undefined {
  if (stat.isSymbolicLink()) return 'it is a symbolic link';
  if (!stat.isFile()) return 'it is not a regular file';
  if (stat.uid !== uid) return `it belongs to uid ${stat.uid}, not to us (uid ${uid})`;
  if (stat.mode & 0o022) return `it is writable by ${stat.mode & 0o002 ? 'everyone' : 'its group'} (mode ${(stat.mode & 0o777).toString(8)})`;
  return undefined;
}

export class FailLogFile {
  constructor(readonly path: string) {}

  /** Creates the file if missing (0600, not following symlinks), as sersync2 does at start. */
  ensure(): void {
    fs.closeSync(this.open());
  }

  /** Appends entries in one write, so concurrent writers never interleave an entry. */
  append(entries: readonly string[]): void {
    if (entries.length === 0) return;
    const fd = this.open();
    try {
      fs.writeSync(fd, entries.join(''));
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Where a run in progress keeps the file; left behind by a crash, it is merged back at start. */
  get asidePath(): string {
    return `${this.path}.running`;
  }

  /**
   * Moves the current file aside and returns its entries; failures written meanwhile start a
   * fresh file. Throws FAILLOG_UNSAFE when the file is not safe to run. Call `finish` once the
   * entries have been run (or re-recorded).
   */
  takeAside(): { entries: FailLogEntry[]; finish: () => void } {
    const none = { entries: [], finish: () => {} };
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(this.path);
    } catch {
      return none;
    }
    const unsafe = unsafeReason(stat);
    if (unsafe) throw Object.assign(new Error(`refusing to run the fail log ${this.path}: ${unsafe}`), { code: 'FAILLOG_UNSAFE' });
    if (stat.size === 0) return none;
    fs.renameSync(this.path, this.asidePath);
    this.ensure();
    const entries = parseFailLog(this.readAside());
    return { entries, finish: () => fs.rmSync(this.asidePath, { force: true }) };
  }

  /** At start: entries of a run that a crash interrupted go back into the fail log. */
  recoverAside(): number {
    let text: string;
    try {
      text = this.readAside();
    } catch {
      return 0;
    }
    const entries = parseFailLog(text);
    this.append(entries.map((e) => failLogEntry(e.header, e.command)));
    fs.rmSync(this.asidePath, { force: true });
    return entries.length;
  }

  private readAside(): string {
    const fd = fs.openSync(this.asidePath, O_RDONLY | O_NOFOLLOW);
    try {
      return fs.readFileSync(fd, 'utf8');
    } finally {
      fs.closeSync(fd);
    }
  }

  private open(): number {
    return fs.openSync(this.path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW, 0o600);
  }
}
