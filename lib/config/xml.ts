/**
 * Turns the bytes of a confxml.xml into a tree of elements that remember their line.
 * First the lenient pass reads what sersync2's own reader takes and XML does not (lenient.ts),
 * and notes the line of each start tag; then xml2js builds the tree. A file either of them
 * refuses is read once more by sax, xml2js's tokenizer, in strict mode, which words the error
 * and names its line. Both through their public APIs. A valid file is tokenized once: at start,
 * with many configs, the second pass was a third of each one's parse.
 */
import sax from 'sax';
// The package entry, not lib/parser: it also loads xmlbuilder, about 0.5 MB once start-up is over.
import { Parser } from 'xml2js';
import { MAX_DEPTH, readLeniently, type SlashClosed, type Tolerance } from './lenient';
import { lineAt, lineStarts, type LineStarts } from './lines';

/** One XML element with its attributes, element children, and the line its start tag is on. */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  readonly line: number;
}

export type XmlResult =
  | { readonly ok: true; readonly root: XmlElement; readonly encoding: string; readonly tolerances: readonly Tolerance[] }
  | { readonly ok: false; readonly line: number; readonly where?: string; readonly message: string; readonly code: 'XML_MALFORMED' | 'XML_ENTITY' | 'XML_ENCODING' };

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes config bytes. Valid UTF-8 wins even when the declaration says ISO-8859-1, because the
 * stock file declares ISO-8859-1 and operators write Chinese paths and comments in UTF-8 anyway.
 */
export function decodeConfig(bytes: Uint8Array): { text: string; encoding: string } | { error: string } {
  let body = bytes;
  if (body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) body = body.subarray(3);
  try {
    return { text: UTF8.decode(body), encoding: 'utf-8' };
  } catch {
    const head = Buffer.from(body.subarray(0, 200)).toString('latin1');
    const declared = /^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1] ?? 'utf-8';
    try {
      return { text: new TextDecoder(declared.toLowerCase()).decode(body), encoding: declared.toLowerCase() };
    } catch {
      return { error: `the file is not valid UTF-8 and its declared encoding "${declared}" is not supported` };
    }
  }
}

/** Shape of a node as xml2js builds it with explicitChildren + preserveChildrenOrder. */
interface Xml2jsNode {
  '#name': string;
  $?: Record<string, string>;
  $$?: Xml2jsNode[];
}

/** Thrown from sax's handlers to stop at the first problem. */
class Stop {}

/** The line of every start tag in document order, or the first problem, in our words. */
function tagLines(text: string, starts: LineStarts, slashClosed: readonly SlashClosed[]): number[] | { line: number; message: string } {
  const reader = sax.parser(true, { position: true });
  const lines: number[] = [];
  // Open elements with their lines, to say which one a stray close tag fails to close.
  const open: { name: string; line: number }[] = [];
  let rootClosed = false;
  let failure: { line: number; message: string } | undefined;
  const fail = (line: number, message: string): never => {
    failure = { line, message };
    throw new Stop();
  };
  reader.onopentag = (node) => {
    // startTagPosition is 1-based and points just past '<', so the '<' is at startTagPosition - 1.
    const line = lineAt(starts, Math.max(0, reader.startTagPosition - 1));
    if (rootClosed) fail(line, `XML is not well formed: <${node.name}> after the end of the root element; a config has exactly one <head>...</head>`);
    // sax silently keeps the first of two same-named attributes; XML says the tag is not well formed.
    const twice = duplicateAttribute(text.slice(reader.startTagPosition - 1, reader.position));
    if (twice) fail(line, `XML is not well formed: <${node.name}> has the attribute ${twice} twice`);
    // A config is 4 levels deep; a file nested thousands deep would overflow the stack below.
    if (open.length >= MAX_DEPTH) fail(line, `XML is not well formed: <${node.name}> is nested more than ${MAX_DEPTH} elements deep`);
    open.push({ name: node.name, line });
    lines.push(line);
  };
  reader.onclosetag = () => {
    open.pop();
    if (open.length === 0) rootClosed = true;
  };
  reader.onerror = (error) => {
    const reason = error.message.split('\n')[0] ?? 'not well-formed';
    const top = open[open.length - 1];
    const line = reader.line + 1;
    if (/^(Unexpected close tag|Unmatched closing tag)/.test(reason) && top) {
      // sax's error does not name the close tag; it ends just before the current position.
      const closing = /^<\/([^\s>]*)/.exec(text.slice(text.lastIndexOf('</', reader.position)))?.[1] ?? '';
      // `<localpath watch=/data/>`: xmlParser too ends the value and the element at "/>".
      const slash = slashClosed.findLast((s) => s.name === closing && s.line <= line);
      const hint = slash ? `; <${closing}> of line ${slash.line} ended at the "/>" after ${slash.attribute}=${slash.value}, as sersync2 reads it: if the "/" is part of the value, quote it: ${slash.attribute}="${slash.value}/"` : '';
      fail(line, `XML is not well formed: </${closing}> does not match the open <${top.name}> of line ${top.line}${hint}`);
    } else if (reason === 'Unclosed root tag' && top) {
      fail(line, `XML is not well formed: the file ends before <${top.name}> of line ${top.line} is closed`);
    } else if (/^Invalid character (in )?entity/.test(reason)) {
      fail(line, 'XML is not well formed: a bare "&" must be written &amp; (or an entity name is misspelled)');
    }
    fail(line, `XML is not well formed: ${reason.replace(/\.$/, '')}`);
  };
  try {
    reader.write(text).close();
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
  }
  return failure ?? lines;
}

export function parseXml(text: string): XmlResult {
  // External entities are never expanded: we refuse any entity declaration before looking at
  // the tree, and sax in strict mode rejects references to undeclared entities.
  const entity = /<!ENTITY\s+(%\s+)?([^\s>]*)/i.exec(text);
  if (entity) {
    return { ok: false, code: 'XML_ENTITY', line: lineAt(lineStarts(text), entity.index), message: `XML entity declarations are not allowed (found <!ENTITY ${entity[1] ?? ''}${entity[2]}>): entities are never expanded; write the value itself` };
  }
  const lenient = readLeniently(text);
  if (!lenient.ok) return { ok: false, code: 'XML_MALFORMED', line: lenient.line, where: lenient.where, message: `XML is not well formed: ${lenient.message}` };
  // Offsets move where quotes were added, lines do not: sax reads the text xml2js reads.
  let strict: ReturnType<typeof tagLines> | undefined;
  const strictly = () => (strict ??= tagLines(lenient.text, lineStarts(lenient.text), lenient.slashClosed));
  if (lenient.refused) {
    const problem = strictly();
    if (!Array.isArray(problem)) return { ok: false, code: 'XML_MALFORMED', line: problem.line, message: problem.message };
  }

  let result: Xml2jsNode | undefined;
  let failure: Error | undefined;
  // With async: false, parseString calls back before it returns; a problem sax finds after the
  // root's end (text there) it throws instead.
  try {
    new Parser({ explicitChildren: true, preserveChildrenOrder: true, charsAsChildren: false, explicitArray: true, async: false, strict: true }).parseString(lenient.text, (err: Error | null, value: Record<string, Xml2jsNode> | null) => {
      if (err) failure = err;
      else if (value) result = Object.values(value)[0];
    });
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
  }
  if (failure || !result) {
    // sax words the problem and finds its line; what only xml2js refuses keeps xml2js's words.
    const problem = strictly();
    if (!Array.isArray(problem)) return { ok: false, code: 'XML_MALFORMED', line: problem.line, message: problem.message };
    if (failure) return { ok: false, code: 'XML_MALFORMED', line: 1, message: `XML is not well formed: ${failure.message.split('\n')[0]}` };
    return { ok: false, code: 'XML_MALFORMED', line: 1, message: 'XML is not well formed: the file has no root element' };
  }
  const root = result;
  const build = (lines: readonly number[]): { root: XmlElement; elements: number } => {
    let next = 0;
    const element = (node: Xml2jsNode): XmlElement => {
      const line = lines[next++] ?? 0;
      const children = (node.$$ ?? []).map(element);
      return { name: node['#name'], attributes: { ...(node.$ ?? {}) }, children, line };
    };
    return { root: element(root), elements: next };
  };
  let tree = build(lenient.tagLines);
  // Every element is one start tag of the lenient pass, in order; should the two ever count
  // differently, sax's lines are the ones to trust.
  if (tree.elements !== lenient.tagLines.length) {
    const lines = strictly();
    if (Array.isArray(lines)) tree = build(lines);
  }
  return { ok: true, root: tree.root, encoding: 'utf-8', tolerances: lenient.tolerances };
}

/** The first attribute name that occurs twice in the raw text of one start tag. */
function duplicateAttribute(tag: string): string | undefined {
  const seen = new Set<string>();
  for (const m of tag.matchAll(/\s([^\s=/>]+)\s*=\s*(?:"[^"]*"|'[^']*')/g)) {
    if (seen.has(m[1]!)) return m[1];
    seen.add(m[1]!);
  }
  return undefined;
}
