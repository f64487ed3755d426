/**
 * Turns the bytes of a confxml.xml into a tree of elements that remember their line.
 * xml2js does the parsing; we only add line numbers, the encoding rule and the entity guard.
 */
import type { Parser as ParserType } from 'xml2js';

// xml2js's parser alone: its package entry also loads xmlbuilder, for a Builder we never use, which
// costs the daemon about 5 MB of memory for as long as it runs.
const { Parser } = require('xml2js/lib/parser') as { Parser: typeof ParserType };

/** One XML element with its attributes, element children, and the line its start tag is on. */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  readonly line: number;
}

export type XmlResult =
  | { readonly ok: true; readonly root: XmlElement; readonly encoding: string }
  | { readonly ok: false; readonly line: number; readonly message: string; readonly code: 'XML_MALFORMED' | 'XML_ENTITY' | 'XML_ENCODING' };

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

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function lineAt(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** Shape of a node as xml2js builds it with explicitChildren + preserveChildrenOrder. */
interface Xml2jsNode {
  '#name': string;
  $?: Record<string, string>;
  $$?: Xml2jsNode[];
}

/**
 * The subset of sax's parser that we hook. xml2js keeps it at `saxParser`; its types do not
 * declare it, hence this narrow interface instead of `any`.
 */
interface SaxHooks {
  startTagPosition: number;
  /** 0-based line of the current position. */
  line: number;
  /** Name of the tag being closed, while a close tag is handled. */
  tagName: string;
  ondoctype?: (doctype: string) => void;
  onopentag: (node: { name: string }) => void;
  onclosetag: (name: string) => void;
  ontext: (text: string) => void;
  onerror: (error: Error) => void;
  /** 0-based offset just past the current character. */
  position: number;
  resume(): void;
}

/** Deeper element nesting is refused (a confxml.xml is 4 levels deep). */
const MAX_DEPTH = 64;

export function parseXml(text: string): XmlResult {
  const starts = lineStarts(text);
  const openLines: number[] = [];
  let entityDeclared = false;
  const parser = new Parser({ explicitChildren: true, preserveChildrenOrder: true, charsAsChildren: false, explicitArray: true, async: false, strict: true });
  const sax = (parser as unknown as { saxParser: SaxHooks }).saxParser;
  // Open elements with their lines, to say which one a stray close tag fails to close.
  const open: { name: string; line: number }[] = [];
  let rootClosed = false;
  // sax's own error, reworded; also errors after the root closes, which xml2js drops silently.
  let saxFailure: { line: number; message: string } | undefined;
  const fail = (line: number, message: string): void => {
    saxFailure ??= { line, message };
  };
  const openTag = sax.onopentag;
  sax.onopentag = (node) => {
    // startTagPosition is 1-based and points just past '<', so the '<' is at startTagPosition - 1.
    const line = lineAt(starts, Math.max(0, sax.startTagPosition - 1));
    // After the root, xml2js has already delivered its result: only report, never build.
    if (rootClosed) return fail(line, `XML is not well formed: <${node.name}> after the end of the root element; a config has exactly one <head>...</head>`);
    // sax silently keeps the first of two same-named attributes; XML says the tag is not well formed.
    const twice = duplicateAttribute(text.slice(sax.startTagPosition - 1, sax.position));
    if (twice) fail(line, `XML is not well formed: <${node.name}> has the attribute ${twice} twice`);
    // A config is 4 levels deep; a file nested thousands deep would overflow the stack below.
    if (open.length >= MAX_DEPTH) fail(line, `XML is not well formed: <${node.name}> is nested more than ${MAX_DEPTH} elements deep`);
    open.push({ name: node.name, line });
    openLines.push(line);
    openTag(node);
  };
  const closeTag = sax.onclosetag;
  sax.onclosetag = (name) => {
    if (rootClosed) return;
    open.pop();
    if (open.length === 0) rootClosed = true;
    closeTag(name);
  };
  const onText = sax.ontext;
  sax.ontext = (chars) => {
    if (rootClosed) {
      if (chars.trim() !== '') fail(sax.line + 1, 'XML is not well formed: text after the end of the root element');
      return;
    }
    onText(chars);
  };
  const onError = sax.onerror;
  sax.onerror = (error) => {
    const reason = error.message.split('\n')[0] ?? 'not well-formed';
    const top = open[open.length - 1];
    if (/^(Unexpected close tag|Unmatched closing tag)/.test(reason) && top) {
      fail(sax.line + 1, `XML is not well formed: </${sax.tagName}> does not match the open <${top.name}> of line ${top.line}`);
    } else if (reason === 'Unclosed root tag' && top) {
      fail(sax.line + 1, `XML is not well formed: the file ends before <${top.name}> of line ${top.line} is closed`);
    } else if (/^Invalid character (in )?entity/.test(reason)) {
      fail(sax.line + 1, 'XML is not well formed: a bare "&" must be written &amp; (or an entity name is misspelled)');
    } else if (reason === 'Text data outside of root node.') {
      fail(sax.line + 1, rootClosed ? 'XML is not well formed: text after the end of the root element' : 'XML is not well formed: text before the root element');
    } else {
      fail(sax.line + 1, `XML is not well formed: ${reason.replace(/\.$/, '')}`);
    }
    if (rootClosed) sax.resume();
    else onError(error);
  };
  sax.ondoctype = (doctype) => {
    if (/<!ENTITY/i.test(doctype)) entityDeclared = true;
  };

  // External entities are never expanded: we refuse any entity declaration before looking at
  // the tree, and sax in strict mode rejects references to undeclared entities.
  const entity = /<!ENTITY\s+(%\s+)?([^\s>]*)/i.exec(text);
  if (entity) {
    return { ok: false, code: 'XML_ENTITY', line: lineAt(starts, entity.index), message: `XML entity declarations are not allowed (found <!ENTITY ${entity[1] ?? ''}${entity[2]}>): entities are never expanded; write the value itself` };
  }

  let result: Xml2jsNode | undefined;
  let failure: Error | undefined;
  parser.parseString(text, (err: Error | null, value: Record<string, Xml2jsNode> | null) => {
    if (err) failure = err;
    else if (value) result = Object.values(value)[0];
  });
  if (entityDeclared) return { ok: false, code: 'XML_ENTITY', line: 1, message: 'XML entity declarations are not allowed: entities are never expanded; write the value itself' };
  if (saxFailure) return { ok: false, code: 'XML_MALFORMED', line: saxFailure.line, message: saxFailure.message };
  if (failure) {
    const m = /Line:\s*(\d+)/.exec(failure.message);
    const reason = failure.message.split('\n')[0] ?? 'not well-formed';
    return { ok: false, code: 'XML_MALFORMED', line: m ? Number(m[1]) + 1 : 1, message: `XML is not well formed: ${reason}` };
  }
  if (!result) return { ok: false, code: 'XML_MALFORMED', line: 1, message: 'XML is not well formed: the file has no root element' };

  let next = 0;
  const build = (node: Xml2jsNode): XmlElement => {
    const line = openLines[next++] ?? 0;
    const children = (node.$$ ?? []).map(build);
    return { name: node['#name'], attributes: { ...(node.$ ?? {}) }, children, line };
  };
  return { ok: true, root: build(result), encoding: 'utf-8' };
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
