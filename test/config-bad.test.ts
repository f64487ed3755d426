/**
 * Every config in fixtures/bad-configs must be refused by `sersync2 --check` with exactly the
 * lines of its .expect file ({FILE} stands for the path given to -o), one line per problem,
 * exit code 1, and no stack trace. A fixture without its .xml is the "missing file" case.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, type ConfigProblemCode } from '../lib/config/errors';
import { loadConfigFile, parseConfig } from '../lib/config/load';
import { escapeRegExp } from './helpers/regexp';
import { checkConfigs } from './helpers/sersync';

const ROOT = path.resolve(__dirname, '..', '..');
const DIR = path.join(ROOT, 'fixtures', 'bad-configs');

/** The problem codes each fixture must produce, in order (also checked in-process). */
const CODES: Readonly<Record<string, readonly ConfigProblemCode[]>> = {
  '01-unknown-element-rsycn': ['UNKNOWN_ELEMENT'],
  '02-unknown-element-crontabfliter': ['UNKNOWN_ELEMENT'],
  '03-unknown-element-no-match': ['UNKNOWN_ELEMENT'],
  '04-unknown-attribute-tmie': ['UNKNOWN_ATTRIBUTE'],
  '05-unknown-attribute-strat': ['UNKNOWN_ATTRIBUTE'],
  '06-bool-yes': ['BAD_BOOLEAN'],
  '07-bool-uppercase-TRUE': ['BAD_BOOLEAN'],
  '08-bool-one': ['BAD_BOOLEAN'],
  '09-bool-empty': ['BAD_BOOLEAN'],
  '10-port-zero': ['BAD_PORT'],
  '11-port-65536': ['BAD_PORT'],
  '12-port-negative': ['BAD_PORT'],
  '13-port-abc': ['BAD_PORT'],
  '14-host-port-8o8': ['BAD_PORT'],
  '15-timeout-abc': ['BAD_NUMBER'],
  '16-timeout-zero': ['BAD_NUMBER'],
  '17-timetoexecute-zero': ['BAD_NUMBER'],
  '18-timetoexecute-fraction': ['BAD_NUMBER'],
  '19-schedule-zero': ['BAD_SCHEDULE'],
  '20-schedule-abc': ['BAD_SCHEDULE'],
  '21-schedule-cron-4-fields': ['BAD_SCHEDULE'],
  '22-schedule-cron-6-fields': ['BAD_SCHEDULE'],
  '23-schedule-cron-minute-61': ['BAD_SCHEDULE'],
  '24-watch-relative': ['BAD_PATH'],
  '25-watch-empty': ['BAD_PATH'],
  '26-watch-attribute-missing': ['MISSING_ATTRIBUTE'],
  '27-remote-empty-ip': ['NO_REMOTE'],
  '28-remote-no-name': ['NO_REMOTE'],
  '29-no-remote': ['NO_REMOTE'],
  '30-no-sersync': ['MISSING_ELEMENT'],
  '31-no-localpath': ['MISSING_ELEMENT'],
  '32-regex-unclosed-group': ['BAD_REGEX'],
  '33-regex-unclosed-class': ['BAD_REGEX'],
  '34-regex-possessive': ['BAD_REGEX'],
  '35-regex-atomic-group': ['BAD_REGEX'],
  '36-plugin-socket-block-missing': ['PLUGIN_UNDEFINED'],
  '37-plugin-name-typo': ['BAD_VALUE'],
  '38-xml-unclosed-tag': ['XML_MALFORMED'],
  '39-xml-mismatched-tag': ['XML_MALFORMED'],
  '40-xml-garbage-after-root': ['XML_MALFORMED'],
  '41-xml-external-entity': ['XML_ENTITY'],
  '42-xml-billion-laughs': ['XML_ENTITY'],
  '43-duplicate-rsync': ['DUPLICATE_ELEMENT'],
  '44-wrong-root': ['UNKNOWN_ELEMENT'],
  '45-unsupported-encoding': ['XML_ENCODING'],
  '46-several-problems': ['BAD_BOOLEAN', 'NO_REMOTE', 'BAD_NUMBER'],
  '47-missing-watch-directory': ['MISSING_DIRECTORY'],
  '48-missing-file': ['FILE_UNREADABLE'],
  '49-regex-unbalanced-paren': ['BAD_REGEX'],
  '50-regex-unknown-posix-class': ['BAD_REGEX'],
  '51-duplicate-attribute': ['XML_MALFORMED'],
  '52-unescaped-ampersand': ['XML_MALFORMED'],
  '53-unknown-plugin-block': ['BAD_VALUE'],
  '54-problems-in-file-order': ['BAD_BOOLEAN', 'UNKNOWN_ATTRIBUTE', 'UNKNOWN_ELEMENT'],
  '55-empty-file': ['XML_MALFORMED'],
};

const fixtures = fs
  .readdirSync(DIR)
  .filter((name) => name.endsWith('.expect'))
  .map((name) => name.slice(0, -'.expect'.length))
  .sort();

const check = (...files: string[]) => checkConfigs(files.flatMap((f) => ['-o', f]));

function codesOf(file: string): ConfigProblemCode[] {
  try {
    loadConfigFile(file, { checkDirectories: true });
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
    return error.problems.map((p) => p.code);
  }
  assert.fail(`${file} was accepted`);
}

/** A stack trace line, or an exception name, as Node prints them. */
const STACK = /^\s+at |\bError\b|internal error/m;

test('there are at least 35 bad-config fixtures, each with a known code list', () => {
  assert.ok(fixtures.length >= 35, `only ${fixtures.length} fixtures`);
  assert.deepEqual(fixtures, Object.keys(CODES).sort(), 'every fixture has its codes listed here, and only those');
  // Only the missing-file case comes without an .xml.
  const withoutXml = fixtures.filter((name) => !fs.existsSync(path.join(DIR, `${name}.xml`)));
  assert.deepEqual(withoutXml, ['48-missing-file']);
});

for (const name of fixtures) {
  test(`--check refuses ${name}`, () => {
    const file = path.join(DIR, `${name}.xml`);
    const expected = fs.readFileSync(path.join(DIR, `${name}.expect`), 'utf8').replaceAll('{FILE}', file);
    assert.ok(expected.endsWith('\n') && expected.trim() !== '', 'the .expect file holds at least one line');
    const run = check(file);
    assert.equal(run.status, 1, `exit code; stderr: ${run.stderr}`);
    assert.equal(run.stderr, expected);
    assert.equal(run.stdout, '', 'nothing on stdout for a single invalid file');
    assert.doesNotMatch(run.stdout + run.stderr, STACK);
    // One line per problem, each naming the file (and a line number once the file was read).
    const lines = run.stderr.trimEnd().split('\n');
    for (const line of lines) assert.ok(line.startsWith(`${file}:`) || line.startsWith(`${file}: `), line);
    assert.equal(lines.length, CODES[name]!.length, 'one stderr line per problem');
    assert.deepEqual(codesOf(file), CODES[name]);
  });
}

test('a file with three problems reports all three, one line each, in file order', () => {
  const file = path.join(DIR, '46-several-problems.xml');
  const run = check(file);
  assert.equal(run.status, 1);
  const lines = run.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 3);
  assert.deepEqual(
    lines.map((l) => Number(l.slice(file.length + 1).split(':')[0])),
    [4, 25, 33],
  );
  assert.match(lines[0]!, /<debug start="yes">: start must be "true" or "false"$/);
  assert.match(lines[1]!, /<sersync><localpath><remote ip="">: /);
  assert.match(lines[2]!, /<sersync><rsync><timeout time="abc">: time must be a positive integer$/);
});

test('problems found by different element modules come out sorted by line', () => {
  const file = path.join(DIR, '54-problems-in-file-order.xml');
  try {
    loadConfigFile(file);
    assert.fail('accepted');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    const lines = error.problems.map((p) => p.line);
    assert.deepEqual(lines, [...lines].sort((a, b) => a - b));
    assert.equal(lines.length, 3);
  }
});

test('an external entity (XXE) is refused with XML_ENTITY and the file it names is never read', () => {
  const file = path.join(DIR, '41-xml-external-entity.xml');
  const xml = fs.readFileSync(file, 'utf8');
  assert.match(xml, /<!ENTITY xxe SYSTEM "file:\/\/\/etc\/passwd">/);
  assert.match(xml, /hostip="&xxe;"/);
  try {
    parseConfig(Buffer.from(xml), file);
    assert.fail('accepted');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.deepEqual(error.problems.map((p) => p.code), ['XML_ENTITY']);
  }
  const run = check(file);
  assert.equal(run.status, 1);
  const output = run.stdout + run.stderr;
  // Nothing of /etc/passwd's content, whatever the machine's users are.
  const passwd = fs.existsSync('/etc/passwd') ? fs.readFileSync('/etc/passwd', 'utf8') : 'root:x:0:0:root:/root:/bin/bash\n';
  for (const entry of passwd.split('\n').filter((l) => l.includes(':'))) {
    assert.ok(!output.includes(entry), `output contains a line of /etc/passwd: ${entry}`);
  }
  assert.doesNotMatch(output, /root:[^:]*:0:0:/);
  // A parameter entity and a differently cased declaration are refused the same way.
  for (const doctype of ['<!DOCTYPE head [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>', '<!DOCTYPE head [<!entity x SYSTEM "file:///etc/passwd">]>']) {
    const variant = xml.replace(/<!DOCTYPE head \[[\s\S]*?\]>/, doctype);
    assert.notEqual(variant, xml);
    assert.throws(() => parseConfig(Buffer.from(variant), file), (e: unknown) => e instanceof ConfigError && e.problems[0]!.code === 'XML_ENTITY');
  }
});

test('an entity bomb (billion laughs) is refused at once, never expanded', () => {
  const file = path.join(DIR, '42-xml-billion-laughs.xml');
  const bytes = fs.readFileSync(file);
  assert.match(bytes.toString(), /<!ENTITY lol9 "(&lol8;){10}">/);
  const started = process.hrtime.bigint();
  assert.throws(() => parseConfig(bytes, file), (e: unknown) => e instanceof ConfigError && e.problems.length === 1 && e.problems[0]!.code === 'XML_ENTITY');
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  assert.ok(ms < 500, `took ${ms} ms`);
  const run = check(file);
  assert.equal(run.status, 1);
  assert.ok(run.stderr.length < 300, 'the message is one short line');
});

test('a missing watch directory is only an error for --check (checkDirectories)', () => {
  const file = path.join(DIR, '47-missing-watch-directory.xml');
  assert.equal(fs.existsSync('/nonexistent/dir'), false, 'this test needs /nonexistent/dir not to exist');
  const { config } = loadConfigFile(file);
  assert.equal(config.sersync.localpath.watch, '/nonexistent/dir');
  assert.deepEqual(codesOf(file), ['MISSING_DIRECTORY']);
});

test('several -o files: each bad one is reported, exit 1, and the valid one still gets its summary', () => {
  const good = path.join(ROOT, 'fixtures', 'good-configs', '01-stock-watch-tmp.xml');
  const bad1 = path.join(DIR, '06-bool-yes.xml');
  const bad2 = path.join(DIR, '15-timeout-abc.xml');
  const run = check(bad1, good, bad2);
  assert.equal(run.status, 1);
  const expected = [bad1, bad2].map((f) => fs.readFileSync(f.replace(/\.xml$/, '.expect'), 'utf8').replaceAll('{FILE}', f)).join('');
  assert.equal(run.stderr, expected);
  assert.match(run.stdout, new RegExp(`^${escapeRegExp(good)}: OK$`, 'm'));
  assert.match(run.stdout, /^1 of 3 config files are valid$/m);
});
