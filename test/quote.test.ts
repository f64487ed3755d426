/**
 * Escaping file names for /bin/sh: every hostile name must reach the shell as exactly that name,
 * checked by letting the real /bin/sh print what it received.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { doubleQuoted, shellWord } from '../lib/shell/quote';

const HOSTILE: Array<string | Buffer> = [
  'plain.txt', 'sp ace', 'dollar$x', '$(touch /tmp/pwned)', '`id`', 'a"b', "it's", 'back\\slash', 'end\\', 'a\\$b', 'a\\"b', 'a\\`b',
  'new\nline', 'tab\there', '-leading', '中文 名', '*?[glob]', '~tilde', 'a;b&c|d', '!bang', '#hash', 'trailing\n', '\\\\double',
  Buffer.from([0x61, 0xff, 0xfe, 0x62]), Buffer.from([0xc3, 0x28, 0x27, 0x24]),
];

function shellSays(word: string): Buffer {
  // printf %s with the quoted word as its argument: the bytes the shell built from it.
  const run = spawnSync('/bin/sh', ['-c', `printf '%s' ${word}`]);
  assert.equal(run.status, 0, run.stderr.toString());
  return run.stdout;
}

test('doubleQuoted: the shell reads back exactly the name', () => {
  for (const name of HOSTILE) assert.deepEqual(shellSays(doubleQuoted(name)), Buffer.from(name), JSON.stringify(String(name)));
});

test('shellWord: the shell reads back exactly the name, as one word', () => {
  for (const name of HOSTILE) assert.deepEqual(shellSays(shellWord(name)), Buffer.from(name), JSON.stringify(String(name)));
});

test('names sersync2 already quoted correctly keep its exact bytes', () => {
  assert.equal(doubleQuoted('./dir $x/in $y.txt'), '"./dir \\$x/in \\$y.txt"');
  assert.equal(doubleQuoted("./it's.txt"), '"./it\'s.txt"');
  assert.equal(doubleQuoted('./a(1)&b;c.txt'), '"./a(1)&b;c.txt"');
  assert.equal(doubleQuoted('./back\\slash'), '"./back\\slash"');
  assert.equal(shellWord('/srv/www/a.php'), '/srv/www/a.php');
  assert.equal(shellWord('/srv/中文/a.php'), '/srv/中文/a.php');
});

test('what sersync2 got wrong is escaped', () => {
  assert.equal(doubleQuoted('a"b'), '"a\\"b"');
  assert.equal(doubleQuoted('`id`'), '"\\`id\\`"');
  assert.equal(doubleQuoted('end\\'), '"end\\\\"');
  assert.equal(shellWord('a b'), "'a b'");
  assert.equal(doubleQuoted(Buffer.from([0x61, 0xff])), `"a$(printf '\\377')"`);
});
