/** lib/paths.ts: the one UTF-8 rule, key and ancestry, on names that are not UTF-8; how a name is shown in a log line. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ancestorsOf, decodeUtf8, describeName, escapeControls, isUnderKey, pathKey, toPathName } from '../lib/paths';

const bytes = (...b: number[]) => Buffer.from(b);

test('decodeUtf8: well-formed UTF-8 only, a leading U+FEFF kept', () => {
  assert.equal(decodeUtf8(Buffer.from('café/日本')), 'café/日本');
  assert.equal(decodeUtf8(bytes(0xef, 0xbb, 0xbf, 0x61)), '\ufeffa');
  assert.equal(decodeUtf8(bytes(0xf4, 0x8f, 0xbf, 0xbf)), '\u{10ffff}');
  assert.equal(decodeUtf8(bytes(0xed, 0x9f, 0xbf)), '\ud7ff');
  for (const bad of [[0xc0, 0x80], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x61, 0xe2, 0x82], [0x80], [0xff]]) {
    assert.equal(decodeUtf8(Buffer.from(bad)), undefined, Buffer.from(bad).toString('hex'));
  }
});

test('toPathName: text for UTF-8, the same bytes otherwise', () => {
  assert.equal(toPathName(Buffer.from('a b')), 'a b');
  const raw = bytes(0x61, 0xff);
  assert.equal(toPathName(raw), raw);
});

test('pathKey compares by bytes: a text path and its bytes have one key, a UTF-8 directory is a prefix of raw names in it', () => {
  assert.equal(pathKey('café'), pathKey(Buffer.from('café')));
  assert.equal(pathKey('plain'), 'plain');
  const inside = Buffer.concat([Buffer.from('café/'), bytes(0xff)]);
  assert.ok(isUnderKey(pathKey(inside), pathKey('café')));
  assert.ok(!isUnderKey(pathKey('cafés/x'), pathKey('café')));
  assert.ok(!isUnderKey(pathKey('café'), pathKey('café')));
});

test('ancestorsOf: outermost first, for text, raw bytes and keys alike', () => {
  assert.deepEqual(ancestorsOf('a/b/c'), ['a', 'a/b']);
  assert.deepEqual(ancestorsOf('a'), []);
  const raw = Buffer.concat([bytes(0xfe), Buffer.from('/é/'), bytes(0xff)]);
  assert.deepEqual(ancestorsOf(raw), [bytes(0xfe), Buffer.concat([bytes(0xfe), Buffer.from('/é')])]);
  assert.deepEqual(ancestorsOf(pathKey(raw)), ancestorsOf(raw).map(pathKey));
});

test('describeName: plain text as it is; control characters escaped and quoted; raw bytes as \\xNN, quoted', () => {
  assert.equal(describeName('dir/café b'), 'dir/café b');
  assert.equal(describeName('a\nWARN: forged'), '"a\\nWARN: forged"');
  assert.equal(describeName('t\ta"b\\\x01\x7f\u0085'), '"t\\ta\\"b\\\\\\x01\\x7f\\x85"');
  assert.equal(describeName(Buffer.concat([Buffer.from('d/"x'), bytes(0xff, 0x0a)])), '"d/\\"x\\xff\\x0a"');
  assert.ok(!describeName(bytes(0x0a, 0x0d)).includes('\n'));
});

test('escapeControls: a command line stays one line, quotes and backslashes untouched', () => {
  assert.equal(escapeControls("rsync -a 'x'"), "rsync -a 'x'");
  assert.equal(escapeControls("rsync 'a\nb\r\x1b[2J'"), "rsync 'a\\nb\\r\\x1b[2J'");
});
