/**
 * Reads rsync's --itemize-changes output (man rsync, --itemize-changes): `YXcstpoguax name`, with
 * Y the update type (`<` `>` sent, `c` created, `h` hard link, `.` attributes only) and X the file
 * type, or `*deleting   name`. Other lines (a `-v` in the params adds headers and totals) are
 * not changes and are skipped.
 */
export type Change = { readonly kind: 'send' | 'delete'; readonly line: string };

const ITEM = /^([<>ch.])([fdLDS])(.{9}) (.+)$/;
const DELETING = /^\*deleting +(.+)$/;

/**
 * What one output line means. A directory whose only difference is its time is not counted: a
 * file deleted or added on the remote side changes its directory's time too, and counting it
 * would list every parent of a real change as a change of its own.
 */
export function classifyLine(line: string): Change | undefined {
  if (DELETING.test(line)) return { kind: 'delete', line };
  const m = ITEM.exec(line);
  if (!m) return undefined;
  const [, update, type, attributes] = m;
  if (update === '.' && type === 'd' && /^[.t ]+$/.test(attributes!)) return undefined;
  return { kind: 'send', line };
}

/** Counts changes as lines arrive, keeping the first `keep` of them to show. */
export class ChangeTally {
  send = 0;
  delete = 0;
  readonly shown: string[] = [];
  private pending = '';

  constructor(private readonly keep: number) {}

  /** Takes output in any chunks; a line split between chunks is joined first. */
  write(chunk: string): void {
    const lines = (this.pending + chunk).split('\n');
    this.pending = lines.pop()!;
    for (const line of lines) this.line(line);
  }

  end(): void {
    if (this.pending !== '') this.line(this.pending);
    this.pending = '';
  }

  get total(): number {
    return this.send + this.delete;
  }

  private line(line: string): void {
    const change = classifyLine(line);
    if (!change) return;
    this[change.kind]++;
    if (this.shown.length < this.keep) this.shown.push(change.line);
  }
}
