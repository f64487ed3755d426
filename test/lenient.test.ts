/**
 * The lenient pass (lib/config/lenient.ts) reads what sersync2's xmlParser reads: taking the quotes
 * off every plain value of the known-good configs changes neither the tree nor a single line
 * number, only adds one warning per tag; and the token rules hold one by one.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { readLeniently } from '../lib/config/lenient';
import { decodeConfig, parseXml, type XmlElement } from '../lib/config/xml';
import { GOLDEN_DIR } from './helpers/golden';

const GOOD = path.resolve(__dirname, '../../fixtures/good-configs');
const files = [path.join(GOLDEN_DIR, 'stock-confxml.xml'), ...fs.readdirSync(GOOD).filter((f) => f.endsWith('.xml')).map((f) => path.join(GOOD, f))];

function tree(text: string): XmlElement {
  const result = parseXml(text);
  assert.ok(result.ok, result.ok ? '' : `${result.line}: ${result.message}`);
  return result.root;
}

/** Every value that xmlParser reads the same without its quotes, unquoted; the declaration is left alone. */
function unquote(text: string): { text: string; count: number } {
  const declEnd = text.startsWith('<?') ? text.indexOf('?>') + 2 : 0;
  let count = 0;
  const body = text.slice(declEnd).replace(/(<[^!?/][^<>]*?)?\s([A-Za-z]+)="([^"\s'<>=&]*[^"\s'<>=&/])"/g, (all: string, _tag: string | undefined, name: string, value: string) => {
    count++;
    return all.replace(`"${value}"`, value).replace(`${name}=${value}`, `${name}=${value}`);
  });
  return { text: text.slice(0, declEnd) + body, count };
}

for (const file of files) {
  test(`without quotes, ${path.basename(file)} gives the same tree, on the same lines`, () => {
    const decoded = decodeConfig(fs.readFileSync(file));
    assert.ok('text' in decoded);
    const { text, count } = unquote(decoded.text);
    assert.ok(count > 0, 'some values were unquoted');
    assert.notEqual(text, decoded.text);
    assert.deepEqual(tree(text), tree(decoded.text));
    const lenient = readLeniently(text);
    assert.ok(lenient.ok);
    assert.ok(lenient.tolerances.length > 0 && lenient.tolerances.length <= count, 'one warning per tag, not per value');
    assert.equal(lenient.text.split('\n').length, text.split('\n').length, 'no line added or removed');
  });
}

const attrs = (xml: string) => tree(xml).children[0]!.attributes;

test('an unquoted value ends at whitespace, "/>" or ">", as in xmlParser', () => {
  assert.deepEqual(attrs('<head><remote ip=172.16.3.41 name=nfsbackup/></head>'), { ip: '172.16.3.41', name: 'nfsbackup' });
  assert.deepEqual(attrs('<head><localpath watch=/data/www></localpath></head>'), { watch: '/data/www' });
  assert.deepEqual(attrs('<head><x a = b\tc=d\n/></head>'), { a: 'b', c: 'd' }, 'space around "=", tabs and newlines between');
  assert.deepEqual(attrs('<head><x a=x&amp;y b=/p/q.sh/></head>'), { a: 'x&y', b: '/p/q.sh' }, 'entities decoded, inner slashes kept');
  assert.deepEqual(attrs(`<head><x a='1' b="2" c=3/></head>`), { a: '1', b: '2', c: '3' });
});

test('line numbers stay exact after a tag spread over lines is quoted', () => {
  const root = tree('<head>\n<x\n a=1\n b=2/>\n\n<y c=3/>\n</head>');
  assert.deepEqual(root.children.map((c) => c.line), [2, 6]);
});

test('text outside the root is blanked, not removed; inside it is kept', () => {
  const r = readLeniently('- <head>\n  - <x/>\n</head>\nEOF\n');
  assert.ok(r.ok);
  assert.equal(r.text, '  <head>\n  - <x/>\n</head>\n   \n');
  assert.deepEqual(r.tolerances.map((t) => t.line), [1], 'said once per file');
});

test('watch=/data/> ends the element, as in xmlParser: fine when it has no children, an error with a hint when they follow', () => {
  assert.deepEqual(attrs('<head><filter start=false/></head>'), { start: 'false' });
  const r = parseXml('<head>\n<sersync>\n<localpath watch=/data/>\n<remote ip=a name=b/>\n</localpath>\n</sersync>\n</head>');
  assert.ok(!r.ok);
  assert.equal(r.line, 5);
  assert.match(r.message, /<\/localpath> does not match the open <sersync> of line 2; <localpath> of line 3 ended at the "\/>" after watch=\/data, as sersync2 reads it: if the "\/" is part of the value, quote it: watch="\/data\/"$/);
});

test('what could mean two things is refused, with the line of the value', () => {
  const failure = (xml: string) => {
    const r = readLeniently(xml);
    assert.ok(!r.ok, xml);
    return `${r.line} ${r.where} ${r.message}`;
  };
  assert.match(failure('<head>\n<localpath watch=/a b>'), /^2 <localpath> the value of watch is not quoted and "b" follows it/);
  assert.match(failure('<head>\n<sersync>\n<localpath watch="/a>\n<remote/>'), /^3 <sersync><localpath> a quote opened for watch is never closed/);
  assert.match(failure('<head><remote ip="1" name/>'), /^1 <remote> attribute name has no value/);
  assert.match(failure('<head><remote ip=a=b/>'), /has "=" in it/);
  assert.match(failure(`<head><remote ip=1.2.3.4"/>`), /has a quote inside but not around it/);
  assert.match(failure('<head><remote ip=/>'), /ip= has no value/);
  assert.match(failure('<head>\n<!-- <a/>\n<!-- b -->\n</head>'), /^2  the comment opened here has no end of its own: it runs to line 3/);
});
