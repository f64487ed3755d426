/** sersync2's command line: getopt `hdro:n:m:` rules, our long options, and usage errors. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { normaliseArgv, parseArgs } from '../lib/cli/args';
import { DEFAULT_CONFIG, DEFAULT_THREADS, flagsOf, OPTION_LIST } from '../lib/cli/options';
import { USAGE } from '../lib/cli/usage';
import { UsageError } from '../lib/config/errors';

const REPO = path.resolve(__dirname, '..', '..');
const BIN = path.join(REPO, 'bin', 'sersync2');

function usageError(argv: readonly string[], message: string | RegExp): void {
  assert.throws(
    () => parseArgs(argv),
    (e: unknown) => {
      assert.ok(e instanceof UsageError, `expected a UsageError for ${JSON.stringify(argv)}, got ${String(e)}`);
      assert.equal(e.code, 'USAGE');
      if (typeof message === 'string') assert.equal(e.message, message);
      else assert.match(e.message, message);
      return true;
    },
  );
}

test('no flags: the defaults', () => {
  const o = parseArgs([]);
  assert.equal(DEFAULT_THREADS, 10);
  assert.equal(DEFAULT_CONFIG, 'confxml.xml');
  assert.deepEqual(
    { ...o },
    { help: false, version: false, check: false, daemon: false, fullSyncAtStart: false, configFiles: ['confxml.xml'], threads: 10, plugin: undefined, dryRun: false, batch: false, logLevel: undefined, logFile: undefined, logConfig: undefined, statusFile: undefined, statusInterval: 10, showStatus: undefined, verify: false, verifyList: 20, verifyTimeout: 30, metricsListen: undefined, metricsFile: undefined, configDir: undefined, watcher: 'inotify' },
  );
});

test('combined flags: -rdo file', () => {
  const o = parseArgs(['-rdo', '/etc/x.xml']);
  assert.equal(o.fullSyncAtStart, true);
  assert.equal(o.daemon, true);
  assert.deepEqual(o.configFiles, ['/etc/x.xml']);
  // The order inside the cluster does not matter, but the argument-taking flag ends it.
  const p = parseArgs(['-dr', '-o', 'a.xml']);
  assert.deepEqual([p.daemon, p.fullSyncAtStart, p.configFiles], [true, true, ['a.xml']]);
  // -o glued inside a cluster takes the rest of the word, even letters that are flags.
  const q = parseArgs(['-rodh']);
  assert.deepEqual([q.fullSyncAtStart, q.daemon, q.help, q.configFiles], [true, false, false, ['dh']]);
});

test('glued arguments: -oFILE, -n3, -mcommand', () => {
  assert.deepEqual(parseArgs(['-oconf.xml']).configFiles, ['conf.xml']);
  assert.equal(parseArgs(['-n3']).threads, 3);
  assert.equal(parseArgs(['-mcommand']).plugin, 'command');
  // A value that starts with '-' or holds '=' stays the value, as with getopt.
  assert.deepEqual(parseArgs(['-o', '-r']).configFiles, ['-r']);
  assert.equal(parseArgs(['-o', '-r']).fullSyncAtStart, false);
  assert.deepEqual(parseArgs(['-o-r']).configFiles, ['-r']);
  assert.deepEqual(parseArgs(['-o', 'a=b.xml']).configFiles, ['a=b.xml']);
  assert.deepEqual(parseArgs(['-o=x']).configFiles, ['=x']);
  assert.deepEqual(parseArgs(['-o', '--']).configFiles, ['--']);
  assert.deepEqual(parseArgs(['-o', '123']).configFiles, ['123'], 'a numeric file name stays a string');
});

test('normaliseArgv splits clusters into one word per option', () => {
  assert.deepEqual(normaliseArgv(['-rdo', 'f']), ['-r', '-d', '--o=f']);
  assert.deepEqual(normaliseArgv(['-n3', '-oX']), ['--n=3', '--o=X']);
  assert.deepEqual(normaliseArgv(['--log-level', 'debug']), ['--log-level=debug']);
  assert.deepEqual(normaliseArgv(['-r', '--', '-d']), ['-r', '--', '-d']);
});

test('-- ends the options: what follows is not parsed as a flag', () => {
  const o = parseArgs(['-r', '--']);
  assert.equal(o.fullSyncAtStart, true);
  assert.equal(o.daemon, false);
  // sersync2 takes no operands, so a word after -- is refused rather than ignored or read as -d.
  usageError(['--', '-d'], "unexpected argument '-d' (the config file goes after -o)");
  usageError(['-o', 'a.xml', '--', 'b.xml'], "unexpected argument 'b.xml' (the config file goes after -o)");
});

test('unknown flags are UsageErrors', () => {
  usageError(['-x'], "invalid option -- 'x'");
  usageError(['-rx'], "invalid option -- 'x'");
  usageError(['--bogus'], "unrecognized option '--bogus'");
  usageError(['--o=x'], "unrecognized option '--o=x'");
  usageError(['--no-check'], "unrecognized option '--no-check'");
  usageError(['config.xml'], "unexpected argument 'config.xml' (the config file goes after -o)");
});

test('long flags that take no value refuse one (minimist would read --check=false as "no --check")', () => {
  usageError(['--check=false'], "option '--check' doesn't allow an argument");
  usageError(['--help=no'], "option '--help' doesn't allow an argument");
  usageError(['--dry-run=1'], "option '--dry-run' doesn't allow an argument");
});

test('a missing argument is a UsageError', () => {
  usageError(['-o'], "option requires an argument -- 'o'");
  usageError(['-rn'], "option requires an argument -- 'n'");
  usageError(['-r', '-m'], "option requires an argument -- 'm'");
  usageError(['--log-level'], "option '--log-level' requires an argument");
  usageError(['--log-file'], "option '--log-file' requires an argument");
  usageError(['-o', ''], '-o needs a file name');
});

test('-m takes a plugin name, exactly as spelled', () => {
  assert.equal(parseArgs(['-m', 'command']).plugin, 'command');
  assert.equal(parseArgs(['-m', 'socket']).plugin, 'socket');
  assert.equal(parseArgs(['-m', 'refreshCDN']).plugin, 'refreshCDN');
  assert.equal(parseArgs(['-m', 'http']).plugin, 'http');
  const bad = /^-m takes a plugin name \(command, socket, refreshCDN, http\), got '/;
  usageError(['-m', 'Socket'], bad);
  usageError(['-m', 'refreshcdn'], bad);
  usageError(['-mcomand'], "-m takes a plugin name (command, socket, refreshCDN, http), got 'comand'");
  usageError(['-m', ''], bad);
});

test('-n takes 1 to 1000 threads; anything else is refused', () => {
  assert.equal(parseArgs(['-n', '1']).threads, 1);
  assert.equal(parseArgs(['-n', '1000']).threads, 1000);
  assert.equal(parseArgs(['-n', '3', '-n', '4']).threads, 4, 'the last one wins');
  for (const value of ['0', '1001', '-1', 'abc', '3.5', '+3', '3 ', '', '0x10', '1e2']) {
    usageError(['-n', value], `-n takes a number of threads from 1 to 1000, got '${value}'`);
  }
});

test('-o may be repeated: the daemon runs each file in one process, --check and --verify take each', () => {
  assert.deepEqual(parseArgs(['-d', '-o', 'a.xml', '-o', 'b.xml']).configFiles, ['a.xml', 'b.xml']);
  assert.deepEqual(parseArgs(['--verify', '-o', 'a.xml', '-o', 'b.xml']).configFiles, ['a.xml', 'b.xml']);
  usageError(['--verify', '-m', 'http'], '--verify checks the rsync remotes; it does not go with -m');
  const o = parseArgs(['--check', '-o', 'a.xml', '-ob.xml', '-o', 'c.xml']);
  assert.equal(o.check, true);
  assert.deepEqual(o.configFiles, ['a.xml', 'b.xml', 'c.xml']);
  assert.deepEqual(parseArgs(['-o', 'a.xml', '--check', '-o', 'b.xml']).configFiles, ['a.xml', 'b.xml']);
});

test('long options', () => {
  const o = parseArgs(['--dry-run', '--log-level', 'debug', '--log-file=/var/log/s.log', '--check', '--version', '--help']);
  assert.deepEqual([o.dryRun, o.logLevel, o.logFile, o.check, o.version, o.help], [true, 'debug', '/var/log/s.log', true, true, true]);
  // getopt_long's required argument takes the next word whatever it looks like.
  const p = parseArgs(['--log-file', '--check']);
  assert.equal(p.logFile, '--check');
  assert.equal(p.check, false);
  assert.equal(parseArgs(['-h']).help, true);
  assert.equal(parseArgs(['-dh']).help, true);
});

test('bin/sersync2 -x: exit 1, the getopt error on stderr, no stack trace', () => {
  const run = spawnSync(process.execPath, [BIN, '-x'], { encoding: 'utf8' });
  assert.equal(run.status, 1);
  assert.equal(run.stdout, '');
  const lines = run.stderr.trimEnd().split('\n');
  assert.equal(lines[0], "sersync2: invalid option -- 'x'");
  // The error itself is one line; main.ts adds GNU's pointer to --help after it.
  assert.deepEqual(lines.slice(1), ["Try 'sersync2 --help' for more information."]);
  assert.doesNotMatch(run.stderr, /^\s+at |Error/m);
});

test('bin/sersync2 -o (missing argument) and --check=false: exit 1 with the usage error', () => {
  for (const [args, first] of [
    [['-o'], "sersync2: option requires an argument -- 'o'"],
    [['--check=false', '-o', 'x.xml'], "sersync2: option '--check' doesn't allow an argument"],
    [['-n', '0'], "sersync2: -n takes a number of threads from 1 to 1000, got '0'"],
  ] as const) {
    const run = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(run.status, 1, args.join(' '));
    assert.equal(run.stderr.split('\n')[0], first);
  }
});

test('bin/sersync2 -h: exit 0 with the usage text', () => {
  for (const flag of ['-h', '--help']) {
    const run = spawnSync(process.execPath, [BIN, flag], { encoding: 'utf8' });
    assert.equal(run.status, 0);
    assert.equal(run.stderr, '');
    assert.equal(run.stdout, USAGE);
    assert.match(run.stdout, /^Usage: sersync2 \[-d\] \[-r\] \[-n NUM\] \[-o FILE\] \[-m PLUGIN\] \[-h\]$/m);
    for (const option of ['-d', '-r', '-o FILE', '-n NUM', '-m PLUGIN', '--check', '--dry-run', '--log-level', '--log-file', '--version']) {
      assert.ok(run.stdout.includes(`  ${option}`), option);
    }
  }
});

test('--log-level takes a log4js level, anything else is a usage error', () => {
  assert.equal(parseArgs(['--log-level', 'debug']).logLevel, 'debug');
  assert.throws(() => parseArgs(['--log-level', 'loud']), (e: Error) => e instanceof UsageError && /--log-level takes/.test(e.message));
});

test('--verify-list, --verify-timeout, --metrics-listen, --metrics-file', () => {
  const o = parseArgs(['--verify', '--verify-list', '0', '--verify-timeout', '5']);
  assert.equal(o.verifyList, 0);
  assert.equal(o.verifyTimeout, 5);
  usageError(['--verify-timeout', '0'], "--verify-timeout takes seconds from 1 to 86400, got '0'");
  assert.deepEqual(parseArgs(['--metrics-listen', '127.0.0.1:9329']).metricsListen, { host: '127.0.0.1', port: 9329 });
  assert.deepEqual(parseArgs(['--metrics-listen=[::1]:9329']).metricsListen, { host: '::1', port: 9329 });
  assert.deepEqual(parseArgs(['--metrics-listen', 'mgmt.example:80']).metricsListen, { host: 'mgmt.example', port: 80 });
  for (const bad of ['9329', ':9329', '127.0.0.1:0', '127.0.0.1:65536', '127.0.0.1:', '::1:9329', 'a b:1']) {
    usageError(['--metrics-listen', bad], `--metrics-listen takes HOST:PORT (e.g. 127.0.0.1:9329), got '${bad}'`);
  }
  assert.equal(parseArgs(['--metrics-file', '/var/lib/node_exporter/sersync2.prom']).metricsFile, '/var/lib/node_exporter/sersync2.prom');
  usageError(['--metrics-file='], '--metrics-file needs a file name');
});

test('the usage text is written from the option table: every option, one help column per section', () => {
  const lines = USAGE.split('\n');
  for (const option of OPTION_LIST) {
    const first = option.help.split('\n')[0]!;
    const line = lines.find((l) => l.endsWith(first));
    assert.ok(line?.startsWith(`  ${flagsOf(option)[0]}`), `${flagsOf(option)[0]}: ${line}`);
  }
  // The layout: sersync2's flags in its own order (-n before -o), the extensions' help in one
  // column, a continuation line in it too, and a label too wide for it followed by two spaces.
  assert.ok(USAGE.includes('  -n NUM      number of sync workers (default: 10)\n  -o FILE     config file (default: ./confxml.xml)\n'));
  assert.ok(USAGE.includes('  --status FILE        check a status file: a Nagios plugin line, the details, and exit 0 OK,\n                       1 WARNING,'));
  assert.ok(USAGE.includes('\n  --metrics-listen HOST:PORT  serve Prometheus metrics at http://HOST:PORT/metrics\n'));
  assert.ok(USAGE.endsWith('  --version            print the version and exit\n'));
});

test("README's command-line table and the man page's OPTIONS name exactly the table's options", () => {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const rows = readme.slice(readme.indexOf('## Command line'), readme.indexOf('\n## What it does')).match(/^\| `.*$/gm) ?? [];
  const inReadme = rows.flatMap((row) => [...row.split(' | ')[0]!.matchAll(/`(-[^` ]+)/g)].map((m) => m[1]!));
  const man = fs.readFileSync(path.join(REPO, 'man', 'sersync2.1'), 'utf8');
  const options = man.slice(man.indexOf('.SH OPTIONS'), man.indexOf('.SH STATUS FILE'));
  const inMan = [...options.matchAll(/^\.TP\n(.*)$/gm)].flatMap((m) => m[1]!.split(/[\s",]+/).filter((word) => word.startsWith('\\-')).map((word) => word.replaceAll('\\-', '-')));
  const names = OPTION_LIST.flatMap(flagsOf).sort();
  assert.deepEqual([...inReadme].sort(), names, 'README.md, ## Command line');
  assert.deepEqual([...inMan].sort(), names, 'man/sersync2.1, OPTIONS');
});

test('one config file given twice (-o a.xml -o ./a.xml) is refused: two instances of it would mirror each change twice; two files are fine', () => {
  assert.throws(() => parseArgs(['-o', 'a.xml', '-o', 'b.xml', '-o', './a.xml']), (e: Error) => e instanceof UsageError && e.message === '-o a.xml and -o ./a.xml name the same file: give each config file once');
  assert.deepEqual(parseArgs(['-o', 'a.xml', '-o', 'b.xml']).configFiles, ['a.xml', 'b.xml']);
});
