/**
 * Bad input never crashes or hangs: seeded mutations of the good and golden configs go through
 * the parser in-process (200 cases; 2000+ under SOAK=1) and a sample through the real
 * `bin/sersync2 --check`. Each ends valid, or with a ConfigError whose every line is
 * `FILE:LINE: ...` or `FILE: ...`; never another exception, a stack trace or a hang. External
 * entities are never read: a canary FIFO named by a SYSTEM entity would block whoever opens it,
 * and every fs read in-process is watched for its name. The command line is fuzzed the same way:
 * parseArgs returns options or throws UsageError, nothing else.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parseArgs } from '../lib/cli/args';
import { ConfigError, UsageError } from '../lib/config/errors';
import { parseConfig } from '../lib/config/load';
import { GOLDEN_DIR } from './helpers/golden';
import { BIN } from './helpers/sersync';
import { escapeRegExp } from './helpers/regexp';
import { rng } from '../workload/rng';

const SOAK = process.env.SOAK === '1';
const CONFIG_CASES = SOAK ? 2500 : 250;
const BINARY_CASES = SOAK ? 200 : 16;
const ARG_CASES = SOAK ? 20_000 : 2000;
const SEED = Number(process.env.FUZZ_SEED ?? 6);

let root: string;
let canary: string;
let seeds: Buffer[];

before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-'));
  canary = path.join(root, 'canary-fifo');
  spawnSync('mkfifo', [canary]);
  assert.ok(fs.statSync(canary).isFIFO());
  const fixtures = path.resolve(__dirname, '../../fixtures');
  const dirs = [path.join(fixtures, 'good-configs'), path.join(fixtures, 'bad-configs'), path.join(fixtures, 'wild-configs')];
  seeds = [fs.readFileSync(path.join(GOLDEN_DIR, 'stock-confxml.xml'))];
  for (const dir of dirs) for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.xml')).sort()) seeds.push(fs.readFileSync(path.join(dir, f)));
});

after(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

const WEIRD = ['', ' ', 'true', 'false', 'TRUE', '-1', '0', '65536', '99999999999999999999999', '1e309', 'NaN', '(', '[a-', '\\', '"', '&amp;', '&#0;', '&#x10FFFF;', '\u202e', 'é', '$(touch /tmp/x)', '`id`', '/', '//', '../..', 'x'.repeat(100_000), '9'.repeat(5000), '*/5 * * * *', '61 25 * * *'];
const NAMES = ['head', 'host', 'debug', 'fileSystem', 'filter', 'exclude', 'inotify', 'delete', 'sersync', 'localpath', 'remote', 'rsync', 'commonParams', 'auth', 'userDefinedPort', 'timeout', 'ssh', 'failLog', 'crontab', 'crontabfilter', 'plugin', 'param', 'deshost', 'cdninfo', 'sendurl', 'regexurl', 'include', 'x', 'a:b', 'start', 'watch', 'ip', 'name', 'path', 'port'];

/** One mutation of `input`. */
function mutate(input: Buffer, rand: () => number): { kind: string; bytes: Buffer } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const text = input.toString('latin1');
  const tags = [...text.matchAll(/<[A-Za-z][^<>]*>/g)];
  const attrs = [...text.matchAll(/\s([A-Za-z]+)="([^"]*)"/g)];
  const at = (n: number) => Math.floor(rand() * (n + 1));
  const L = (s: string) => Buffer.from(s, 'latin1');
  const splice = (start: number, end: number, by: string) => L(text.slice(0, start) + by + text.slice(end));
  const kinds = ['deleteElement', 'duplicateElement', 'renameElement', 'deleteAttribute', 'duplicateAttribute', 'renameAttribute', 'weirdValue', 'unquote', 'strayText', 'randomBytes', 'truncate', 'deepNesting', 'entityBomb', 'externalEntity', 'parameterEntity', 'doctype', 'cdataAndPI', 'stacked'];
  const kind = pick(kinds);
  switch (kind) {
    case 'deleteElement': {
      const t = tags.length ? pick(tags) : undefined;
      return { kind, bytes: t ? splice(t.index!, t.index! + t[0].length, '') : input };
    }
    case 'duplicateElement': {
      const t = tags.length ? pick(tags) : undefined;
      return { kind, bytes: t ? splice(t.index!, t.index!, t[0]) : input };
    }
    case 'renameElement': {
      const t = tags.length ? pick(tags) : undefined;
      if (!t) return { kind, bytes: input };
      const name = /^<([A-Za-z]+)/.exec(t[0])![1]!;
      return { kind, bytes: splice(t.index! + 1, t.index! + 1 + name.length, pick(NAMES)) };
    }
    case 'deleteAttribute':
    case 'duplicateAttribute':
    case 'renameAttribute':
    case 'weirdValue': {
      const a = attrs.length ? pick(attrs) : undefined;
      if (!a) return { kind, bytes: input };
      const start = a.index!;
      const end = start + a[0].length;
      if (kind === 'deleteAttribute') return { kind, bytes: splice(start, end, '') };
      if (kind === 'duplicateAttribute') return { kind, bytes: splice(end, end, a[0]) };
      if (kind === 'renameAttribute') return { kind, bytes: splice(start, end, ` ${pick(NAMES)}="${a[2]}"`) };
      const value = pick(WEIRD).replace(/&(?![a-z#])/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
      return { kind, bytes: Buffer.concat([L(text.slice(0, start)), Buffer.from(` ${a[1]}="${value}"`), L(text.slice(end))]) };
    }
    // What sersync2's lenient reader takes: a value without its quotes, text anywhere.
    case 'unquote': {
      const a = attrs.length ? pick(attrs) : undefined;
      if (!a) return { kind, bytes: input };
      const value = rand() < 0.5 ? a[2]! : pick(WEIRD).slice(0, 50);
      return { kind, bytes: splice(a.index!, a.index! + a[0].length, ` ${a[1]}=${value}`) };
    }
    case 'strayText': {
      const i = at(text.length);
      return { kind, bytes: splice(i, i, pick(['- ', 'EOF\n', '# note', '-->', '\u00e9', '"', "'", '=', '/>', ' a=b ', '<', '>'])) };
    }
    case 'randomBytes': {
      const out = Buffer.from(input);
      const n = 1 + Math.floor(rand() * 8);
      for (let i = 0; i < n && out.length; i++) out[Math.floor(rand() * out.length)] = Math.floor(rand() * 256);
      return { kind, bytes: out };
    }
    case 'truncate':
      return { kind, bytes: input.subarray(0, at(input.length)) };
    case 'deepNesting': {
      const depth = pick([100, 1000, 20_000]);
      const i = text.indexOf('<head');
      const close = i < 0 ? 0 : text.indexOf('>', i) + 1;
      return { kind, bytes: splice(close, close, '<a>'.repeat(depth) + '</a>'.repeat(depth)) };
    }
    case 'entityBomb': {
      let dtd = '<!ENTITY l0 "lol">';
      for (let i = 1; i < 10; i++) dtd += `<!ENTITY l${i} "${`&l${i - 1};`.repeat(10)}">`;
      return { kind, bytes: withDoctype(text, `[${dtd}]`, '&l9;') };
    }
    case 'externalEntity':
      return { kind, bytes: withDoctype(text, `[<!ENTITY ext SYSTEM "file://${canary}">]`, '&ext;') };
    case 'parameterEntity':
      return { kind, bytes: withDoctype(text, `[<!ENTITY % p SYSTEM "${canary}"> %p;]`, '') };
    case 'doctype':
      return { kind, bytes: withDoctype(text, `SYSTEM "${canary}"`, '') };
    case 'cdataAndPI': {
      const t = tags.length ? pick(tags) : undefined;
      const i = t ? t.index! + t[0].length : 0;
      return { kind, bytes: splice(i, i, pick(['<![CDATA[x]]>', '<?pi x?>', '<!-- -- -->', '<!--', ']]>', '&undefined;', '&#xD800;', '\u0000'])) };
    }
    default: {
      let bytes = input;
      for (let i = 0; i < 3; i++) bytes = mutate(bytes, rand).bytes;
      return { kind, bytes };
    }
  }
}

/** Puts a DOCTYPE after the XML declaration (if any) and `use` as the watch path's value. */
function withDoctype(text: string, body: string, use: string): Buffer {
  const decl = /^(\ufeff|\xef\xbb\xbf)?<\?xml[^>]*\?>/.exec(text);
  const at = decl ? decl[0].length : 0;
  let rest = text.slice(at);
  if (use) rest = rest.replace(/watch="[^"]*"/, `watch="${use}"`);
  return Buffer.from(`${text.slice(0, at)}<!DOCTYPE head ${body}>${rest}`, 'latin1');
}

const LINE = (file: string) => new RegExp(`^${escapeRegExp(file)}(:\\d+)?: [^\\n]*$`);

test(`config fuzzing: ${CONFIG_CASES} mutated configs through the parser, never anything but a result or a ConfigError`, () => {
  const rand = rng(SEED);
  // Every file read in this process is watched for the canary.
  const opened: string[] = [];
  const realOpen = fs.openSync;
  const realRead = fs.readFileSync;
  (fs as { openSync: unknown }).openSync = (...args: Parameters<typeof fs.openSync>) => {
    opened.push(String(args[0]));
    return realOpen(...args);
  };
  (fs as { readFileSync: unknown }).readFileSync = (...args: Parameters<typeof fs.readFileSync>) => {
    opened.push(String(args[0]));
    return realRead(...(args as [fs.PathOrFileDescriptor]));
  };
  const counts = new Map<string, { ok: number; error: number; slowestMs: number }>();
  try {
    for (let i = 0; i < CONFIG_CASES; i++) {
      const { kind, bytes } = mutate(seeds[i % seeds.length]!, rand);
      const t0 = Date.now();
      const c = counts.get(kind) ?? { ok: 0, error: 0, slowestMs: 0 };
      try {
        const { warnings } = parseConfig(bytes, '/fuzz/case.xml', 'case.xml', { checkDirectories: false });
        for (const line of warnings) assert.match(line, LINE('case.xml'), `case ${i} (${kind}): a warning not of the form FILE:LINE: ...`);
        c.ok++;
      } catch (error) {
        if (!(error instanceof ConfigError)) {
          fs.writeFileSync(path.join(root, `crash-${i}.xml`), bytes);
          assert.fail(`case ${i} (${kind}, seed ${SEED}) threw ${(error as Error).stack}`);
        }
        for (const line of error.message.split('\n')) assert.match(line, LINE('case.xml'), `case ${i} (${kind}): an error line not of the form FILE:LINE: ...`);
        c.error++;
      }
      const ms = Date.now() - t0;
      c.slowestMs = Math.max(c.slowestMs, ms);
      counts.set(kind, c);
      assert.ok(ms < 2000, `case ${i} (${kind}) took ${ms} ms`);
    }
  } finally {
    (fs as { openSync: unknown }).openSync = realOpen;
    (fs as { readFileSync: unknown }).readFileSync = realRead;
  }
  assert.deepEqual(opened.filter((f) => f.includes('canary')), [], 'an external entity was read');
  console.log(`fuzz: ${CONFIG_CASES} configs (seed ${SEED}): ${[...counts].map(([k, c]) => `${k} ${c.ok} ok/${c.error} errors/${c.slowestMs} ms max`).join(', ')}`);
});

function runCheck(file: string): Promise<{ code: number | null; out: string; err: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, '--check', '-o', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, 15_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err, timedOut });
    });
  });
}

/** True when someone has the canary FIFO open for reading (opening for writing would not fail). */
function canaryHasReader(): boolean {
  try {
    const fd = fs.openSync(canary, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    fs.closeSync(fd);
    return true;
  } catch {
    return false;
  }
}

test(`config fuzzing through bin/sersync2 --check: ${BINARY_CASES} cases, exit 0 or 1 with FILE:LINE lines, no hang, no external entity`, { timeout: 600_000 }, async () => {
  const rand = rng(SEED + 1);
  const cases: Array<{ file: string; kind: string }> = [];
  for (let i = 0; i < BINARY_CASES; i++) {
    // Every fourth case is an external-entity case, so the canary is always offered.
    const m = i % 4 === 0 ? { kind: 'externalEntity', bytes: withDoctype(seeds[0]!.toString('latin1'), `[<!ENTITY ext SYSTEM "${canary}">]`, '&ext;') } : mutate(seeds[i % seeds.length]!, rand);
    const file = path.join(root, `case-${i}.xml`);
    fs.writeFileSync(file, m.bytes);
    cases.push({ file, kind: m.kind });
  }
  let next = 0;
  const results: string[] = [];
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++]!;
      const r = await runCheck(c.file);
      const label = `${path.basename(c.file)} (${c.kind})`;
      assert.ok(!r.timedOut, `${label}: hung`);
      assert.ok(r.code === 0 || r.code === 1, `${label}: exit ${r.code}\n${r.err}`);
      assert.doesNotMatch(r.out + r.err, /\n\s+at /, `${label}: a stack trace`);
      // Errors (exit 1) and warnings (exit 0) alike are FILE:LINE: lines.
      if (r.err !== '') for (const line of r.err.trimEnd().split('\n')) assert.match(line, LINE(c.file), `${label}: ${r.err}`);
      results.push(String(r.code));
    }
  };
  await Promise.all([worker(), worker()]);
  assert.equal(canaryHasReader(), false, 'a process has the canary open');
  console.log(`fuzz: ${BINARY_CASES} configs through bin/sersync2 --check: ${results.filter((r) => r === '0').length} valid, ${results.filter((r) => r === '1').length} refused`);
});

test(`command-line fuzzing: ${ARG_CASES} argument vectors, only options or a UsageError`, () => {
  const rand = rng(SEED + 2);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const words = ['-d', '-r', '-n', '-o', '-m', '-h', '-rdo', '-oconf.xml', '-n0', '-nabc', '-n99999999999999', '--', '-', '--help', '--check', '--dry-run', '--log-level', '--log-level=trace', '--log-file', '--log-config', '--status-file', '--status-interval', '--status-interval=0', '--status', '--version', '--bogus', '--=', '-x', '-dr', 'command', 'socket', 'refreshCDN', 'http', 'nope', '', ' ', '\n', 'conf.xml', '-\u00e9', '--log-level=', '1e3', '-1', '--n', '---'];
  let ok = 0;
  let usage = 0;
  for (let i = 0; i < ARG_CASES; i++) {
    const argv = Array.from({ length: Math.floor(rand() * 7) }, () => (rand() < 0.1 ? String.fromCharCode(...Array.from({ length: 1 + Math.floor(rand() * 6) }, () => Math.floor(rand() * 0x3000))) : pick(words)));
    try {
      parseArgs(argv);
      ok++;
    } catch (error) {
      if (!(error instanceof UsageError)) assert.fail(`${JSON.stringify(argv)} threw ${(error as Error).stack}`);
      // One line, apart from what the argument itself carries (an argument may hold a newline).
      assert.doesNotMatch(argv.reduce((m, a) => (a ? m.split(a).join('ARG') : m), error.message), /\n/, `${JSON.stringify(argv)}: a one-line message`);
      usage++;
    }
  }
  console.log(`fuzz: ${ARG_CASES} argument vectors: ${ok} accepted, ${usage} usage errors`);
});
