/** sersync filter expressions: Perl-style regexes, whole-string match, translated to JavaScript. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileSersyncRegex, translateSersyncRegex } from '../lib/filter/regex';

function compile(expression: string): RegExp {
  const r = compileSersyncRegex(expression);
  if (!r.ok) assert.fail(`${expression} was refused: ${r.reason}`);
  return r.regex;
}

function matches(expression: string, yes: readonly string[], no: readonly string[]): void {
  const regex = compile(expression);
  for (const s of yes) assert.equal(regex.test(s), true, `${expression} should match ${JSON.stringify(s)}`);
  for (const s of no) assert.equal(regex.test(s), false, `${expression} should not match ${JSON.stringify(s)}`);
}

function refused(expression: string, reason: string | RegExp): void {
  const r = compileSersyncRegex(expression);
  assert.equal(r.ok, false, `${expression} should be refused`);
  if (r.ok) return;
  if (typeof reason === 'string') assert.equal(r.reason, reason, expression);
  else assert.match(r.reason, reason, expression);
}

test('whole-string semantics', () => {
  matches('(.*)\\.gz', ['a.gz', '.gz', '/sub/y.gz', 'a.gz.gz'], ['a.gzip', 'a.gz.bak', 'a.g', 'agz']);
  matches('\\.gz', ['.gz'], ['a.gz', '.gzz']);
  matches('a|b', ['a', 'b'], ['ab', 'ba', 'xa', '']);
  matches('abc', ['abc'], ['abcd', 'xabc', 'ABC']);
  // The stock expressions: ^ is allowed and harmless; info/* is "info" then any number of slashes.
  matches('^info/*', ['info', 'info/', 'info//'], ['info/a', '/sub/info', 'information']);
  matches('(.*)\\.svn', ['.svn', 'x/.svn'], ['.svn/entries']);
  // Backreferences and named groups work as in Perl.
  matches('(.)\\1', ['aa', '__'], ['ab', 'aaa']);
  matches('(?<c>[a-z])\\k<c>x', ['bbx'], ['bcx']);
});

test('an unbalanced ) cannot escape the anchors', () => {
  // Wrapped blindly this would be /^(?:a)|(b)$/, matching anything that starts with a.
  refused('a)|(b', "Unmatched ')'");
  refused('.*)|(.*', "Unmatched ')'");
});

test('POSIX classes inside brackets', () => {
  matches('[[:digit:]]+', ['0', '123'], ['12a', '', 'a']);
  matches('[^[:digit:]]+', ['abc'], ['a1']);
  matches('[[:alpha:][:digit:]_]+\\.log', ['Ab_9.log'], ['a-b.log']);
  matches('[[:space:]]', [' ', '\t', '\n'], ['a', '_']);
  matches('[[:upper:]][[:lower:]]+', ['Abc'], ['abc', 'ABC']);
  matches('[[:punct:]]', ['!', '/', '[', '`', '~', '.', '\\'], ['a', '0', ' ']);
  matches('[[:xdigit:]]+', ['deadBEEF09'], ['g']);
  refused('[[:digits:]]+', /^\[:digits:\] is not a POSIX class \(known: alpha digit /);
  refused('[[:^digit:]]', 'negated POSIX classes are not supported; write [^[:digit:]]');
});

test('\\A, \\z and \\Z anchors', () => {
  matches('\\Aabc\\z', ['abc'], ['xabc', 'abcx', 'abc\n']);
  matches('\\A(.*)\\.gz\\z', ['x.gz'], ['x.gzip']);
  matches('abc\\Z', ['abc'], ['abcd']);
  // An escaped backslash followed by A is a backslash and an A, not an anchor.
  matches('\\\\A', ['\\A'], ['A', '']);
  // (?m) must not turn \A into "start of any line".
  const multi = compile('(?m)(.*)\\n\\Ab');
  assert.equal(multi.test('a\nb'), false);
});

test('(?i), (?s) and (?m) as a prefix set flags', () => {
  matches('(?i)(.*)\\.GZ', ['a.gz', 'A.Gz', 'x.GZ'], ['a.gzip']);
  matches('(.*)\\.GZ', ['x.GZ'], ['a.gz']);
  matches('(?s)a.b', ['a\nb', 'axb'], ['ab']);
  matches('a.b', ['axb'], ['a\nb']);
  matches('(?is)A.B', ['a\nb'], []);
  assert.equal(compile('(?i)x').flags, 'i');
  refused('(?x)a b', 'the (?x) extended mode is not supported');
  refused('a(?i)b', 'inline flags such as (?i) are only supported at the very start of the expression');
  refused('(?i:a)b', 'flag groups (?i:...) are not supported; only a (?i), (?s) or (?m) prefix is');
  refused('(?-i)a', 'turning flags off with (?-i) is not supported; only a (?i), (?s) or (?m) prefix is');
});

test('Perl constructs JavaScript cannot express are refused, with the reason', () => {
  refused('a++', 'possessive quantifiers (*+, ++, ?+) are not supported');
  refused('(.*+)\\.gz', 'possessive quantifiers (*+, ++, ?+) are not supported');
  refused('a?+b', 'possessive quantifiers (*+, ++, ?+) are not supported');
  refused('a{2}+', 'possessive quantifiers (*+, ++, ?+) are not supported');
  refused('(?>a)', 'atomic groups (?>...) are not supported');
  refused('(a(?R)?b)', 'recursion (?R) and subroutine calls are not supported');
  refused('(a)(?1)', 'recursion (?R) and subroutine calls are not supported');
  refused('(?(1)a|b)', 'conditionals (?(...)...) are not supported');
  refused('\\Q.gz\\E', '\\Q...\\E quoting is not supported; escape the characters instead');
  refused('a\\Kb', '\\G, \\K and \\X are not supported');
  refused('(?#comment)a', 'comments (?#...) are not supported');
  refused('(?|(a)|(b))', 'branch reset groups (?|...) are not supported');
  refused('(?P<n>a)', /^Python-style \(\?P\.\.\.\) groups are not supported/);
  // Without the u flag, JavaScript would read these as plain letters.
  refused('\\p{Han}+', 'Unicode properties \\p{...} are not supported');
  refused('\\x{4e2d}', '\\x{...} code points are not supported; write the character itself');
  refused('a\\hb', '\\h, \\v, \\R and \\N mean something else in JavaScript; use a character class');
});

test('escaped look-alikes of refused constructs are accepted', () => {
  matches('\\++', ['+', '+++'], ['a']);
  matches('[+]+', ['++'], ['a']);
  matches('\\\\Q', ['\\Q'], ['Q']);
  matches('\\\\p', ['\\p'], ['p']);
  matches('\\x41', ['A'], ['x41']);
  // A } that closes no quantifier, then +, is one or more }.
  matches('a}+', ['a}', 'a}}'], ['a']);
});

test('expressions that do not compile say why, in terms of the expression as written', () => {
  refused('(.*\\.svn', 'Unterminated group');
  refused('[a-', 'Unterminated character class');
  refused('*.php', 'Nothing to repeat');
  refused('a{2,1}', 'numbers out of order in {} quantifier');
  for (const expression of ['(.*\\.svn', '[a-', '*.php']) {
    const r = compileSersyncRegex(expression);
    assert.ok(!r.ok && !r.reason.includes('/^(?:'), 'the anchored wrapper never shows in a reason');
  }
});

test('translateSersyncRegex without anchors searches (refreshCDN regexurl)', () => {
  const r = translateSersyncRegex('cms.xoyo.com/site([/a-zA-Z0-9]*).xoyo.com/images', false);
  assert.ok(r.ok);
  const m = r.regex.exec('http://cms.xoyo.com/site/a/b.xoyo.com/images/x.jpg');
  assert.equal(m?.[1], '/a/b');
  assert.equal(compile('cms.xoyo.com/site([/a-zA-Z0-9]*).xoyo.com/images').test('http://cms.xoyo.com/site/a.xoyo.com/images/x.jpg'), false);
  const bad = translateSersyncRegex('a)|(b', false);
  assert.equal(bad.ok, false);
});
