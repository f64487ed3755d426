/**
 * The fail log, rsync_fail_log.sh: a shell script of commands that failed, in sersync2's format
 * (`#errno STATUS`, the command, an empty line). Unlike sersync2 it is created 0600, never opened
 * through a symlink, and taken aside before it runs, so nothing written meanwhile is lost.
 *
 * A command spans several lines when a file name holds a newline (inside the name's quotes, where
 * the shell keeps it). Such an entry gets one more comment line after its header, `#lines N`, the
 * number of lines of its command, so reading it back gives exactly the command that was written,
 * whatever the name's bytes; `/bin/sh FILE` reads `#lines` as a comment and the quoted newline as
 * part of the name, so the file still runs by hand, each entry once. An entry without `#lines`
 * (sersync2's file, or one edited by hand) ends where the shell ends it (lib/shell/scan.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeUtf8 } from '../paths';
import { scanLine } from '../shell/scan';

const { O_WRONLY, O_APPEND, O_CREAT, O_NOFOLLOW, O_RDONLY } = fs.constants;

const LINES = /^#lines ([1-9][0-9]*)$/;

export function failLogEntry(header: string, command: string): string {
  const lines = command.split('\n').length;
  return `#${header}\n${lines > 1 ? `#lines ${lines}\n` : ''}${command}\n\n`;
}

export interface FailLogEntry {
  readonly header: string;
  readonly command: string;
}

/** Reads entries back: a `#` header line, our optional `#lines N`, then the command. */
export function parseFailLogEntries(text: string): FailLogEntry[] {
  const entries: FailLogEntry[] = [];
  const lines = text.split('\n');
  let header = '';
  let count: number | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    let end = i + (count ?? 1);
    if (count === undefined) {
      if (line.startsWith('#')) {
        const m = LINES.exec(line);
        if (m) count = Number(m[1]);
        else header = line.slice(1);
        continue;
      }
      if (line.trim() === '') continue;
      for (let scan = scanLine(line); scan.continues && end < lines.length; end++) scan = scanLine(lines[end]!, scan.state);
    }
    entries.push({ header, command: lines.slice(i, end).join('\n') });
    i = end - 1;
    header = '';
    count = undefined;
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

/**
 * Which file a fail log path names, for telling two configs' apart: absolute, its directory's
 * symlinks resolved (the file itself is never followed: see open()).
 */
export function failLogKey(file: string): string {
  const abs = path.resolve(file);
  try {
    return path.join(fs.realpathSync(path.dirname(abs)), path.basename(abs));
  } catch {
    return abs;
  }
}

/** The fail-log run in progress in this process, by failLogKey: the tail of each file's turns. */
const turns = new Map<string, Promise<void>>();

export class FailLogFile {
  constructor(readonly path: string) {}

  /**
   * Runs `run` once no other run of the same file in this process is under way. Two configs given
   * one `<failLog path>` (the stock /tmp/rsync_fail_log.sh) would otherwise each move the file to
   * the same aside path, the second over the first's, and one's finish would delete the other's.
   */
  oneRunAtATime(run: () => Promise<void>): Promise<void> {
    const key = failLogKey(this.path);
    const mine = (turns.get(key) ?? Promise.resolve()).then(run);
    const tail = mine.catch(() => {});
    turns.set(key, tail);
    void tail.then(() => {
      if (turns.get(key) === tail) turns.delete(key);
    });
    return mine;
  }

  /** Creates the file if missing (0600, not following symlinks), as sersync2 does at start. */
  ensure(): void {
    fs.closeSync(this.open());
  }

  /** Appends entries in one write, so concurrent writers never interleave an entry. */
  append(entries: readonly string[]): void {
    this.write(Buffer.from(entries.join('')));
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
    // Checked before the file moves, so a file we refuse stays where it is, whole (no await here:
    // nothing of ours appends in between).
    const text = decodeUtf8(readNoFollow(this.path));
    if (text === undefined) {
      throw Object.assign(new Error(`refusing to run the fail log ${this.path}: it holds bytes that are not UTF-8 (sersync2 wrote such names raw); run it by hand with /bin/sh, then empty it`), { code: 'FAILLOG_NOT_UTF8' });
    }
    fs.renameSync(this.path, this.asidePath);
    this.ensure();
    const entries = parseFailLogEntries(text);
    return { entries, finish: () => fs.rmSync(this.asidePath, { force: true }) };
  }

  /** At start: entries of a run that a crash interrupted go back into the fail log, byte for byte. */
  recoverAside(): number {
    let bytes: Buffer;
    try {
      bytes = readNoFollow(this.asidePath);
    } catch {
      return 0;
    }
    this.write(bytes);
    fs.rmSync(this.asidePath, { force: true });
    return parseFailLogEntries(bytes.toString('utf8')).length;
  }

  private write(data: Buffer): void {
    if (data.length === 0) return;
    const fd = this.open();
    try {
      fs.writeSync(fd, data);
    } finally {
      fs.closeSync(fd);
    }
  }

  private open(): number {
    return fs.openSync(this.path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW, 0o600);
  }
}

function readNoFollow(file: string): Buffer {
  const fd = fs.openSync(file, O_RDONLY | O_NOFOLLOW);
  try {
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
