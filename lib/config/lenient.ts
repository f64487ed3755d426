/**
 * sersync2 reads its file with Frank Vanden Berghen's xmlParser, which takes things XML does not:
 * attribute values without quotes (an Ansible `start={{ x }}`, an installer's `sed` that drops
 * the quotes) and text outside the root element (a config pasted from a browser's XML view).
 * This pass reads those the way xmlParser does and writes them as XML, each change on the line it
 * was on (only columns move), so that the strict reader after it reports true line numbers.
 * Where the file could mean two things, it is an error here rather than a guess.
 * Why not sax's own loose mode: it changes the case of every name (`fileSystem`, `refreshCDN` are
 * camelCase) and reads `name=nfsbackup/>` as `nfsbackup/`, where sersync2 reads `nfsbackup`.
 */
import { lineAt, lineStarts } from './lines';

/** Something read leniently: where, what was read, how to write it. */
export interface Tolerance {
  readonly line: number;
  /** Element path as in other messages, e.g. `<sersync><localpath>`; empty outside the root. */
  readonly where: string;
  readonly message: string;
}

/** An element that `/>` ended right after an unquoted value: maybe not what was meant (`watch=/data/>`). */
export interface SlashClosed {
  readonly line: number;
  readonly name: string;
  readonly attribute: string;
  readonly value: string;
}

export type LenientResult =
  | {
      readonly ok: true;
      readonly text: string;
      readonly tolerances: readonly Tolerance[];
      readonly slashClosed: readonly SlashClosed[];
      /** The line of every start tag, in document order: the elements' lines when the strict reader takes the text. */
      readonly tagLines: readonly number[];
      /**
       * A start tag the strict reader refuses though sax takes it (an attribute twice, an element
       * after the root's end, nesting past MAX_DEPTH): xml.ts then has sax read it, to say which.
       */
      readonly refused: boolean;
    }
  | { readonly ok: false; readonly line: number; readonly where: string; readonly message: string };

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';

/** Where xmlParser's text token ends: at whitespace, `<`, `>`, `=`, or a `/` that starts `/>`. */
function tokenEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text[i];
    if (isSpace(c) || c === '<' || c === '>' || c === '=' || (c === '/' && text[i + 1] === '>')) break;
    i++;
  }
  return i;
}

function skipSpace(text: string, from: number): number {
  let i = from;
  while (isSpace(text[i])) i++;
  return i;
}

class Failure {
  constructor(readonly name: string, readonly offset: number, readonly message: string) {}
}

/** One start tag, read from `<` on: the text to emit and the unquoted values it quoted. */
interface StartTag {
  readonly name: string;
  readonly text: string;
  readonly end: number;
  readonly selfClosing: boolean;
  readonly quoted: readonly string[];
  /** `watch=/data/>`: the last value, unquoted, that `/>` ended, and the element with it. */
  readonly slashAfter: readonly [string, string] | undefined;
  /** An attribute is given twice. */
  readonly twice: boolean;
}

/**
 * Reads a start tag the way xmlParser does. Returns undefined for what only the strict reader
 * should describe (a tag that never ends, a stray `<`): the raw text then goes on unchanged.
 */
function readStartTag(text: string, lt: number): StartTag | Failure | undefined {
  const nameEnd = tokenEnd(text, lt + 1);
  const name = text.slice(lt + 1, nameEnd);
  if (name === '' || /["']/.test(name)) return undefined;
  // The tag as written, up to `start` of the attribute under way; a copy is made from the first value quoted here on.
  let out: string | undefined;
  const quoted: string[] = [];
  // A tag has a few attributes: a list is cheaper than a Set.
  const names: string[] = [];
  let twice = false;
  let lastUnquoted: [string, string] | undefined;
  let i = nameEnd;
  for (;;) {
    const start = i;
    i = skipSpace(text, i);
    if (i >= text.length) return undefined;
    const ends = text[i] === '>' ? 1 : text.startsWith('/>', i) ? 2 : 0;
    if (ends > 0) {
      const end = i + ends;
      const written = out === undefined ? text.slice(lt, end) : `${out}${text.slice(start, end)}`;
      return { name, text: written, end, selfClosing: ends === 2, quoted, slashAfter: ends === 2 && i === start ? lastUnquoted : undefined, twice };
    }
    const attrEnd = tokenEnd(text, i);
    const attr = text.slice(i, attrEnd);
    if (attr === '' || /["']/.test(attr)) return undefined;
    twice ||= names.includes(attr);
    names.push(attr);
    const eq = skipSpace(text, attrEnd);
    if (text[eq] !== '=') return new Failure(name, i, `attribute ${attr} has no value; write ${attr}="..."`);
    const valueStart = skipSpace(text, eq + 1);
    const quote = text[valueStart];
    if (quote === '"' || quote === "'") {
      // As xmlParser: a quote not closed before the next `<` is no quote.
      const close = text.indexOf(quote, valueStart + 1);
      const nextTag = text.indexOf('<', valueStart + 1);
      if (close === -1 || (nextTag !== -1 && nextTag < close)) return new Failure(name, valueStart, `a quote opened for ${attr} is never closed; close it: ${attr}="..."`);
      if (out !== undefined) out += text.slice(start, close + 1);
      lastUnquoted = undefined;
      i = close + 1;
      continue;
    }
    const valueEnd = tokenEnd(text, valueStart);
    const value = text.slice(valueStart, valueEnd);
    if (value === '') return new Failure(name, i, `${attr}= has no value after it; write ${attr}="..."`);
    if (/["']/.test(value)) return new Failure(name, valueStart, `the value of ${attr}, ${value}, has a quote inside but not around it; put the quotes around the whole value: ${attr}="..."`);
    if (text[valueEnd] === '=') return new Failure(name, valueStart, `the value of ${attr} is not quoted and has "=" in it, where sersync2 stops reading it; quote the whole value: ${attr}="..."`);
    const next = skipSpace(text, valueEnd);
    if (next > valueEnd && text[next] !== '>' && !text.startsWith('/>', next)) {
      const wordEnd = tokenEnd(text, next);
      if (wordEnd > next && text[skipSpace(text, wordEnd)] !== '=') {
        const word = text.slice(next, wordEnd);
        return new Failure(name, valueStart, `the value of ${attr} is not quoted and "${word}" follows it: sersync2 reads ${attr}="${value}"; if the value has a space, quote all of it: ${attr}="${value} ${word}"`);
      }
    }
    out = `${out ?? text.slice(lt, start)}${text.slice(start, valueStart)}"${value}"`;
    quoted.push(`${attr}="${value}"`);
    lastUnquoted = [attr, value];
    i = valueEnd;
  }
}

/** Deeper element nesting is refused (a confxml.xml is 4 levels deep): xml.ts says so. */
export const MAX_DEPTH = 64;

/** Blanks out text, keeping its line breaks. */
const blank = (s: string): string => s.replace(/[^\r\n]/g, ' ');

/** The markup that is copied unchanged, with the text that ends it. */
const VERBATIM: readonly (readonly [string, string])[] = [['<!--', '-->'], ['<![CDATA[', ']]>'], ['<?', '?>'], ['<!', '>'], ['</', '>']];

export function readLeniently(text: string): LenientResult {
  const starts = lineStarts(text);
  const out: string[] = [];
  const tolerances: Tolerance[] = [];
  const open: string[] = [];
  let root: string | undefined;
  let strayText = false;
  let dashes = false;
  const slashClosed: SlashClosed[] = [];
  const tagLines: number[] = [];
  let refused = false;
  const path = (name: string): string => `${open.slice(1).map((n) => `<${n}>`).join('')}<${name}>`;

  const emitText = (from: number, to: number): void => {
    const chunk = text.slice(from, to);
    if (open.length > 0 || !/\S/.test(chunk)) return void out.push(chunk);
    // Outside the root sersync2 drops text; XML does not allow it. Said once per file.
    if (!strayText) {
      const at = from + chunk.search(/\S/);
      const sample = chunk.trim().split(/\s*\n/)[0]!.slice(0, 40);
      const side = root === undefined ? 'before the root element' : 'after the end of the root element';
      tolerances.push({ line: lineAt(starts, at), where: '', message: `text ${side} ("${sample}") is ignored, as sersync2 does; delete it` });
      strayText = true;
    }
    out.push(blank(chunk));
  };

  let i = 0;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    if (lt === -1) {
      emitText(i, text.length);
      break;
    }
    emitText(i, lt);
    // Indexed, not destructured: destructuring an array in a callback costs an iterator per call, and this runs at every `<`.
    const verbatim = VERBATIM.find((v) => text.startsWith(v[0], lt));
    if (verbatim) {
      // `<!DOCTYPE x [ ... ]>` ends at `]>`; the entity guard has already looked inside it.
      const closing = verbatim[0] === '<!' && /^<!DOCTYPE[^>[]*\[/i.test(text.slice(lt, lt + 200)) ? ']>' : verbatim[1];
      const end = text.indexOf(closing, lt + verbatim[0].length);
      const stop = end === -1 ? text.length : end + closing.length;
      // A comment holding `<!--` lost its own end (a sed line ate it): everything up to the next
      // `-->` is commented out, for sersync2 too.
      const inner = verbatim[0] === '<!--' ? text.indexOf('<!--', lt + 4) : -1;
      if (inner !== -1 && inner < stop) {
        return { ok: false, line: lineAt(starts, lt), where: '', message: `the comment opened here has no end of its own: it runs to line ${lineAt(starts, stop - 1)}, so sersync2 skips every element in between; end it with -->` };
      }
      let copy = text.slice(lt, stop);
      // `<!-- ---- -->`, `<!--<commonParams params="-artuz --delete"/>-->`: XML forbids "--" in a
      // comment, xmlParser ends it at the first "-->". The text is dropped either way.
      if (verbatim[0] === '<!--' && end !== -1 && /--|-$/.test(text.slice(lt + 4, end))) {
        copy = `<!--${text.slice(lt + 4, end).replaceAll('-', ' ')}-->`;
        if (!dashes) tolerances.push({ line: lineAt(starts, lt), where: '', message: 'a comment holds "--", which XML does not allow; read as a comment, as sersync2 does; write it without "--"' });
        dashes = true;
      }
      out.push(copy);
      if (verbatim[0] === '</' && end !== -1) open.pop();
      i = stop;
      continue;
    }
    const tag = readStartTag(text, lt);
    if (tag instanceof Failure) return { ok: false, line: lineAt(starts, tag.offset), where: path(tag.name), message: tag.message };
    if (!tag) {
      out.push('<');
      i = lt + 1;
      continue;
    }
    if (tag.slashAfter) slashClosed.push({ line: lineAt(starts, lt), name: tag.name, attribute: tag.slashAfter[0], value: tag.slashAfter[1] });
    if (tag.quoted.length > 0) {
      tolerances.push({ line: lineAt(starts, lt), where: path(tag.name), message: `attribute ${tag.quoted.length === 1 ? 'value' : 'values'} without quotes, read as ${tag.quoted.join(' ')}, as sersync2 reads ${tag.quoted.length === 1 ? 'it' : 'them'}; write the quotes` });
    }
    out.push(tag.text);
    tagLines.push(lineAt(starts, lt));
    refused ||= tag.twice || open.length >= MAX_DEPTH || (root !== undefined && open.length === 0);
    root ??= tag.name;
    if (!tag.selfClosing) open.push(tag.name);
    i = tag.end;
  }
  return { ok: true, text: out.join(''), tolerances, slashClosed, tagLines, refused };
}
