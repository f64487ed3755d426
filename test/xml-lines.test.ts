/**
 * The line of each element (lib/config/xml.ts) comes from the lenient pass; a file the strict
 * reader refuses is read by sax, which words why. Held against sax itself: for every config in
 * fixtures/ and for markup that hides start tags (comments, CDATA, processing instructions, a
 * DOCTYPE, tags over several lines, CRLF), each element's line is the line sax gives its start
 * tag; and what the strict reader refuses is still refused, on its own line, in its own words.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import sax from 'sax';
import { decodeConfig, parseXml, type XmlElement } from '../lib/config/xml';
import { readLeniently } from '../lib/config/lenient';

const FIXTURES = path.resolve(__dirname, '../../fixtures');

function xmlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? xmlFiles(path.join(dir, e.name)) : e.name.endsWith('.xml') ? [path.join(dir, e.name)] : []));
}

/** The line of every start tag as sax reads `text` in strict mode, in document order. */
function saxLines(text: string): number[] {
  const reader = sax.parser(true, { position: true });
  const lines: number[] = [];
  reader.onopentag = () => {
    // startTagPosition is 1-based, just past '<'.
    lines.push(text.slice(0, reader.startTagPosition - 1).split('\n').length);
  };
  reader.write(text).close();
  return lines;
}

function treeLines(root: XmlElement): number[] {
  return [root.line, ...root.children.flatMap(treeLines)];
}

function assertLinesAsSax(text: string, label: string): void {
  const result = parseXml(text);
  assert.ok(result.ok, `${label}: ${result.ok ? '' : result.message}`);
  const lenient = readLeniently(text);
  assert.ok(lenient.ok);
  assert.deepEqual(treeLines(result.root), saxLines(lenient.text), label);
}

test('every config in fixtures/ that parses has each element on the line sax gives its start tag', () => {
  let parsed = 0;
  for (const file of xmlFiles(FIXTURES)) {
    const decoded = decodeConfig(fs.readFileSync(file));
    if (!('text' in decoded) || !parseXml(decoded.text).ok) continue;
    assertLinesAsSax(decoded.text, path.relative(FIXTURES, file));
    parsed++;
  }
  assert.ok(parsed >= 60, `only ${parsed} fixtures parsed`);
});

test('start tags hidden in comments, CDATA, instructions and a DOCTYPE are not elements; tags over several lines keep their first line', () => {
  const cases: Record<string, string> = {
    comment: '<head>\n<!-- <host x="1"/>\n<debug/> -->\n<a/>\n</head>\n',
    dashes: '<head>\n<!-- ---- <b/> -->\n<a/></head>',
    cdata: '<head><![CDATA[ <x>\n<y/> ]]>\n<a>\n<b/></a></head>',
    instruction: '<?xml version="1.0"?>\n<?pi <c/> ?>\n<head>\n<a/></head>',
    doctype: '<!DOCTYPE head>\n<head>\n<a/>\n</head>',
    multiline: '<head\n  version="2.5">\n<a\n b="1"\n c="2"\n/>\n<d e="x>y"/>\n</head>',
    crlf: '<head>\r\n<a/>\r\n\r\n<b>\r\n<c/></b>\r\n</head>\r\n',
    unquoted: '<head>\n<a b=1 c=two/>\n<d e=/data/ />\n</head>',
    strayText: 'pasted\n<head>\n<a/>\n</head>\ntrailing\n',
  };
  for (const [label, text] of Object.entries(cases)) assertLinesAsSax(text, label);
});

test('what the strict reader refuses is refused on its line, in words that say what is wrong', () => {
  const refused = (text: string): { line: number; message: string } => {
    const result = parseXml(text);
    assert.ok(!result.ok, `parsed: ${text}`);
    return { line: result.line, message: result.message };
  };
  assert.deepEqual(refused('<head>\n<a x="1"\n x="2"/>\n</head>'), { line: 2, message: 'XML is not well formed: <a> has the attribute x twice' });
  assert.deepEqual(refused('<head>\n<a x=1 x=2/>\n</head>'), { line: 2, message: 'XML is not well formed: <a> has the attribute x twice' });
  assert.deepEqual(refused('<head>\n</head>\n\n<head/>\n'), {
    line: 4,
    message: 'XML is not well formed: <head> after the end of the root element; a config has exactly one <head>...</head>',
  });
  const deep = `<head>\n${'<a>'.repeat(63)}\n<b/>${'</a>'.repeat(63)}</head>`;
  assert.deepEqual(refused(deep), { line: 3, message: 'XML is not well formed: <b> is nested more than 64 elements deep' });
  assert.ok(parseXml(`<head>${'<a>'.repeat(62)}<b/>${'</a>'.repeat(62)}</head>`).ok, '64 deep is taken');
  assert.match(refused('<head>\n<a>\n</b>\n</head>').message, /<\/b> does not match the open <a> of line 2/);
  assert.equal(refused('<head>\n<a>\n</b>\n</head>').line, 3);
  assert.match(refused('<head>\n<a/>\n').message, /the file ends before <head> of line 1 is closed/);
  // Fuzz seed 6, case 197: an element opened twice, text after the root. xml2js throws for that
  // text (rather than calling back); sax's words still name the element left open.
  assert.deepEqual(refused('<head>\n<filter start="false"><filter start="false">\n</filter>\n</head>\nEOF\n'), {
    line: 4,
    message: 'XML is not well formed: </head> does not match the open <filter> of line 2',
  });
});
