/**
 * A command read back from its rendering (a fail-log entry), so that a rerun is the same command,
 * remote included. The line is taken apart against what each configured remote's commands look
 * like, and a reading counts only when rendering it again gives the line byte for byte; anything
 * else (sersync2's own file, a config changed since, an entry edited by hand) stays a script line,
 * run as written, with the remote whose target it names.
 */
import type { Remote } from '../localpath/config';
import type { PathName } from '../paths';
import { shellWord } from '../shell/quote';
import { readDoubleQuoted, readShellWord } from '../shell/unquote';
import { type Command, optionPieces, render, type RsyncCommand, type RsyncOptions, scriptCommand } from './model';

/** What the daemon's own commands are made of: the candidates a line is read against. */
export interface CommandSource {
  readonly cwd: string;
  readonly options: RsyncOptions;
  readonly remotes: readonly Remote[];
  /** The full sync's crontabfilter patterns. */
  readonly excludes: readonly string[];
}

export function readCommand(text: string, source: CommandSource): Command {
  // Only a remote whose target the line names can be its remote.
  const named = source.remotes.filter((remote) => text.includes(` ${optionPieces(source.cwd, source.options, remote).target}`));
  for (const remote of named) {
    const common = { remote, cwd: source.cwd, options: source.options };
    for (const candidate of candidates(text, common, source.excludes)) if (render(candidate) === text) return candidate;
  }
  return scriptCommand(text, named[0]);
}

type Common = Pick<RsyncCommand, 'remote' | 'cwd' | 'options'>;

/** Every command of this remote the line may be: each is checked by rendering it again. */
function candidates(text: string, common: Common, excludes: readonly string[]): RsyncCommand[] {
  const p = optionPieces(common.cwd, common.options, common.remote);
  const out: RsyncCommand[] = [{ ...common, kind: 'full', excludes }];
  const sync = between(text, p.head + p.transport, ` ${p.target}${p.redirect}`);
  const quoted = sync === undefined ? undefined : readDoubleQuoted(sync, 0);
  if (quoted && quoted.end === sync!.length) {
    const path = withoutDotSlash(quoted.name);
    if (path !== undefined) out.push({ ...common, kind: 'sync', path });
  }
  const includes = between(text, `${p.head}${p.transport}${p.del} ./  `, ` --exclude=*  ${p.target}${p.redirect}`);
  const patterns = includes === undefined ? undefined : includePatterns(includes);
  // A directory's delete ends with its `dir/***` pattern; a name may hold the text of one, so both readings are tried.
  for (const isDir of [false, true]) {
    const self = patterns?.[patterns.length - (isDir ? 2 : 1)];
    if (self !== undefined) for (const path of [self, unescapePattern(self)]) out.push({ ...common, kind: 'delete', path, isDir });
  }
  const words = batchWords(text, shellWord(common.cwd));
  if (words) {
    out.push({ ...common, kind: 'batch-changes', paths: words }, { ...common, kind: 'batch-deletes', patterns: words });
  }
  return out;
}

/** The text between `head` and `tail`, or undefined when the line does not start and end so. */
function between(text: string, head: string, tail: string): string | undefined {
  if (text.length < head.length + tail.length || !text.startsWith(head) || !text.endsWith(tail)) return undefined;
  return text.slice(head.length, text.length - tail.length);
}

/** `./p` to `p`. */
function withoutDotSlash(name: PathName): PathName | undefined {
  if (typeof name === 'string') return name.startsWith('./') ? name.slice(2) : undefined;
  return name[0] === 0x2e && name[1] === 0x2f ? name.subarray(2) : undefined;
}

/** The `--include="..."` patterns of a delete, in order. */
function includePatterns(text: string): PathName[] | undefined {
  const out: PathName[] = [];
  for (let i = 0; i < text.length; ) {
    const at = text.indexOf('--include=', i);
    if (at < 0) break;
    const quoted = readDoubleQuoted(text, at + '--include='.length);
    if (!quoted) return undefined;
    out.push(quoted.name);
    i = quoted.end;
  }
  return out;
}

/** A pattern without literalPattern's escapes of `*?[\` (tried beside the pattern as it is). */
function unescapePattern(pattern: PathName): PathName {
  const text = typeof pattern === 'string' ? pattern : pattern.toString('latin1');
  const plain = text.replace(/\\([*?[\\])/g, '$1');
  return typeof pattern === 'string' ? plain : Buffer.from(plain, 'latin1');
}

/** The list words of a batch line (`cd DIR && printf '%s\0' WORDS | rsync ...`). */
function batchWords(text: string, cwd: string): PathName[] | undefined {
  const head = `cd ${cwd} && printf '%s\\0' `;
  if (!text.startsWith(head)) return undefined;
  const words: PathName[] = [];
  for (let i = head.length; ; ) {
    const word = readShellWord(text, i);
    if (!word) return undefined;
    words.push(word.name);
    if (text.startsWith(' | rsync ', word.end)) return words;
    if (text[word.end] !== ' ') return undefined;
    i = word.end + 1;
  }
}
