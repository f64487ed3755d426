/**
 * Configs that real deployments contain must be accepted unchanged: the stock file, every golden
 * case, and a minimal file's defaults (the format variants: config-variants.test.ts).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { loadConfigFile } from '../lib/config/load';
import type { Config } from '../lib/config/types';
import { matchesAny } from '../lib/filter/config';
import { INOTIFY_DEFAULTS } from '../lib/inotify/config';
import { escapeRegExp } from './helpers/regexp';
import { BIN, checkConfigs } from './helpers/sersync';

/** `<rsync>` of the stock confxml.xml, as parsed. */
const STOCK_RSYNC = {
  commonParams: '-artuz',
  auth: { enabled: false, users: 'root', passwordFile: '/etc/rsync.pas' },
  userDefinedPort: { enabled: false, port: 874 },
  timeout: { enabled: false, time: 100 },
  ssh: false,
  batch: { enabled: false, windowMs: 3, maxPaths: 10_000, parallel: 2 },
};

const ROOT = path.resolve(__dirname, '..', '..');
const GOLDEN = path.join(ROOT, 'fixtures', 'golden');
const GOOD = path.join(ROOT, 'fixtures', 'good-configs');
const STOCK = path.join(GOLDEN, 'stock-confxml.xml');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sersync-good-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A golden case's config with its placeholders filled, in its own directory with {ROOT}/w etc. */
interface Golden {
  readonly file: string;
  readonly watch: string;
  readonly failLog: string;
  readonly config: Config;
}

function golden(name: string): Golden {
  const root = path.join(tmp, name);
  const watch = path.join(root, 'w');
  const failLog = path.join(root, 'rsync_fail_log.sh');
  for (const dir of [watch, path.join(root, 'pw'), path.join(root, 'outside')]) fs.mkdirSync(dir, { recursive: true });
  const template = fs.readFileSync(path.join(GOLDEN, 'cases', name, 'confxml.xml'), 'utf8');
  const text = template.replace(/\{(WATCH|FAILLOG|PWATCH|ROOT)\}/g, (_, key: string) => ({ WATCH: watch, FAILLOG: failLog, PWATCH: path.join(root, 'pw'), ROOT: root })[key]!);
  assert.doesNotMatch(text, /\{[A-Z]+\}/, 'every placeholder is filled');
  const file = path.join(root, 'confxml.xml');
  fs.writeFileSync(file, text);
  const standalonePlugin = name === '15-standalone-command' ? 'command' : undefined;
  const loaded = loadConfigFile(file, { checkDirectories: true, standalonePlugin });
  assert.deepEqual(loaded.warnings, []);
  return { file, watch, failLog, config: loaded.config };
}

const CASES = fs.readdirSync(path.join(GOLDEN, 'cases')).sort();

/** What 2.5.4's stock file says, for the parts a golden case leaves alone. */
function assertStockParts(c: Config, g: { watch: string; failLog: string }, except: readonly string[] = []): void {
  const skip = new Set(except);
  assert.deepEqual(c.host, { hostip: 'localhost', port: 8008 });
  if (!skip.has('debug')) assert.equal(c.debug, false);
  assert.deepEqual(c.fileSystem, { xfs: false });
  if (!skip.has('filter')) assert.equal(c.filter.enabled, false);
  assert.deepEqual(c.filter.excludes.map((r) => r.expression), ['(.*)\\.svn', '(.*)\\.gz', '^info/*', '^static/*']);
  if (!skip.has('inotify')) assert.deepEqual(c.inotify, INOTIFY_DEFAULTS);
  assert.equal(c.sersync.localpath.watch, g.watch);
  if (!skip.has('remotes')) assert.deepEqual(c.sersync.localpath.remotes, [{ ip: '127.0.0.1', name: 'tongbu1' }]);
  if (!skip.has('rsync')) {
    assert.deepEqual(c.sersync.rsync, STOCK_RSYNC);
  }
  if (!skip.has('failLog')) assert.deepEqual(c.sersync.failLog, { path: g.failLog, timeToExecute: 60 });
  if (!skip.has('crontab')) {
    assert.deepEqual(c.sersync.crontab, { enabled: false, schedule: { kind: 'minutes', minutes: 600 }, filter: { enabled: false, excludes: ['*.php', 'info/*'] } });
  }
  if (!skip.has('plugin')) assert.deepEqual(c.sersync.plugin, { enabled: false, name: 'command' });
  assert.deepEqual(Object.keys(c.plugins), ['command', 'socket', 'refreshCDN']);
  if (!skip.has('command')) {
    const cmd = c.plugins.command!;
    assert.deepEqual([cmd.prefix, cmd.suffix, cmd.ignoreError, cmd.filter.enabled], ['/bin/sh', '', true, false]);
    assert.deepEqual(cmd.filter.includes.map((r) => r.expression), ['(.*)\\.php', '(.*)\\.sh']);
  }
  assert.deepEqual(c.plugins.socket, { name: 'socket', watch: g.watch, deshost: { ip: '192.168.138.20', port: 8009 } });
  assert.deepEqual(c.plugins.refreshCDN, {
    name: 'refreshCDN',
    watch: '/data0/htdocs/cms.xoyo.com/site',
    cdninfo: { domainname: 'ccms.chinacache.com', port: 80, username: 'xxxx', passwd: 'xxxx' },
    sendurl: 'http://pic.xoyo.com/cms',
    regexurl: { enabled: false, match: 'cms.xoyo.com/site([/a-zA-Z0-9]*).xoyo.com/images' },
  });
}

test('every golden case parses (with directory checks) and keeps the stock values it does not change', () => {
  assert.equal(CASES.length, 17);
  const changes: Record<string, readonly string[]> = {
    '03-auth-port-timeout-2remotes': ['remotes', 'rsync'],
    '04-ssh': ['remotes', 'rsync'],
    '05-debug': ['debug'],
    '06-all-events': ['inotify'],
    '07-no-delete': ['inotify'],
    '08-filter': ['filter', 'command'],
    '09-crontabfilter-r': ['crontab'],
    '10-filter-crontab-without-crontabfilter': ['filter', 'crontab', 'command'],
    '11-params-trailing-slash': ['rsync'],
    '14-plugin-command': ['plugin', 'command'],
    '15-standalone-command': ['command'],
    '17-faillog-execute': ['failLog'],
  };
  for (const name of CASES) {
    const g = golden(name);
    assertStockParts(g.config, g, changes[name]);
  }
});

test('case 03: two remotes, auth, port and timeout', () => {
  const { config } = golden('03-auth-port-timeout-2remotes');
  assert.deepEqual(config.sersync.localpath.remotes, [
    { ip: '127.0.0.1', name: 'tongbu1' },
    { ip: '192.168.8.39', name: 'tongbu' },
  ]);
  assert.deepEqual(config.sersync.rsync.auth, { enabled: true, users: 'rsync_backup', passwordFile: '/etc/rsync.pas' });
  assert.deepEqual(config.sersync.rsync.userDefinedPort, { enabled: true, port: 874 });
  assert.deepEqual(config.sersync.rsync.timeout, { enabled: true, time: 100 });
  assert.equal(config.sersync.rsync.ssh, false);
});

test('case 04: ssh with a remote path and an empty password file', () => {
  const { config } = golden('04-ssh');
  assert.equal(config.sersync.rsync.ssh, true);
  assert.deepEqual(config.sersync.localpath.remotes, [{ ip: '10.0.0.5', name: '/data/backup' }]);
  assert.deepEqual(config.sersync.rsync.auth, { enabled: true, users: 'root', passwordFile: '' });
});

test('cases 05-07: debug and the inotify switches', () => {
  assert.equal(golden('05-debug').config.debug, true);
  assert.deepEqual(golden('06-all-events').config.inotify, {
    delete: true, createFolder: true, createFile: true, closeWrite: true, moveFrom: true, moveTo: true, attrib: true, modify: true,
  });
  assert.deepEqual(golden('07-no-delete').config.inotify, { ...INOTIFY_DEFAULTS, delete: false });
});

test('case 08: the stock filter regexes match whole relative names', () => {
  const { config } = golden('08-filter');
  assert.equal(config.filter.enabled, true);
  const ex = config.filter.excludes;
  for (const name of ['x.gz', 'info', '/sub/y.gz', 'info/', 'a.svn', '/d/.svn', 'static', 'static/']) assert.equal(matchesAny(ex, name), true, name);
  for (const name of ['/sub/info', 'x.gzip', 'x.gz.bak', 'information', 'static/a', 'svn', '/sub/static']) assert.equal(matchesAny(ex, name), false, name);
  // The command plugin's include filter is switched on too in this case.
  const cmd = config.plugins.command!;
  assert.equal(cmd.filter.enabled, true);
  assert.equal(matchesAny(cmd.filter.includes, '/w/a.php'), true);
  assert.equal(matchesAny(cmd.filter.includes, '/w/a.php5'), false);
});

test('cases 09-10: crontab with and without its exclude filter', () => {
  const c9 = golden('09-crontabfilter-r').config.sersync.crontab;
  assert.deepEqual(c9, { enabled: true, schedule: { kind: 'minutes', minutes: 600 }, filter: { enabled: true, excludes: ['*.php', 'info/*'] } });
  const g10 = golden('10-filter-crontab-without-crontabfilter');
  assert.equal(g10.config.filter.enabled, true);
  assert.equal(g10.config.sersync.crontab.enabled, true);
  assert.equal(g10.config.sersync.crontab.filter.enabled, false);
  // sersync2 switches crontab off in that situation; --check says so.
  const run = checkConfigs(['-o', g10.file]);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^ {2}crontab: {4}off, full sync every 600 minutes$/m);
  assert.match(run.stdout, /^ {2}note: .*crontab is switched off/m);
});

test('case 11: the trailing slash of watch is dropped, also in the socket block; params are kept verbatim', () => {
  const g = golden('11-params-trailing-slash');
  assert.ok(!g.watch.endsWith('/'));
  assert.equal(g.config.sersync.localpath.watch, g.watch);
  assert.equal(g.config.plugins.socket!.watch, g.watch);
  assert.equal(g.config.sersync.rsync.commonParams, '-avz --bwlimit=1000 --exclude=.svn');
  const run = checkConfigs(['-o', g.file]);
  assert.equal(run.status, 0, run.stderr);
  assert.ok(run.stdout.includes(`    sync:        cd ${g.watch} && rsync -avz --bwlimit=1000 --exclude=.svn -R "./dir/file.txt" 127.0.0.1::tongbu1 >/dev/null 2>&1 \n`), run.stdout);
});

test('cases 14-15: the command plugin after each sync, and alone with -m command', () => {
  const g14 = golden('14-plugin-command');
  assert.deepEqual(g14.config.sersync.plugin, { enabled: true, name: 'command' });
  const cmd = g14.config.plugins.command!;
  assert.deepEqual([cmd.prefix, cmd.suffix, cmd.ignoreError, cmd.filter.enabled], ['/bin/true', '--done', true, true]);
  const run14 = checkConfigs(['-o', g14.file]);
  assert.equal(run14.status, 0, run14.stderr);
  assert.match(run14.stdout, /^ {2}plugin: {5}command after each sync; configured blocks: command, socket, refreshCDN$/m);
  assert.ok(run14.stdout.includes(`  command:    /bin/true ${g14.watch}/dir/file.txt --done >/dev/null 2>&1  (only for paths matching "(.*)\\.php" "(.*)\\.sh")\n`), run14.stdout);
  assert.match(run14.stdout, /^ {2}commands for 127\.0\.0\.1::tongbu1 /m);

  const g15 = golden('15-standalone-command');
  assert.deepEqual(g15.config.sersync.plugin, { enabled: false, name: 'command' });
  const cmd15 = g15.config.plugins.command!;
  assert.deepEqual([cmd15.prefix, cmd15.suffix, cmd15.ignoreError], ['/bin/true', '', false]);
  const run15 = checkConfigs(['-m', 'command', '-o', g15.file]);
  assert.equal(run15.status, 0, run15.stderr);
  assert.match(run15.stdout, /^ {2}plugin: {5}command alone \(-m\), no rsync;/m);
  assert.ok(run15.stdout.includes(`  command:    /bin/true ${g15.watch}/dir/file.txt \n`), run15.stdout);
  assert.doesNotMatch(run15.stdout, /commands for/, 'no rsync with -m');
});

test('case 17: timeToExecute', () => {
  const g = golden('17-faillog-execute');
  assert.deepEqual(g.config.sersync.failLog, { path: g.failLog, timeToExecute: 1 });
});

test('--check takes every golden case at once (several -o) and accepts them all', () => {
  const files = CASES.filter((name) => name !== '15-standalone-command').map((name) => golden(name).file);
  const run = checkConfigs(files.flatMap((f) => ['-o', f]));
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, '');
  for (const file of files) assert.match(run.stdout, new RegExp(`^${escapeRegExp(file)}: OK$`, 'm'));
  assert.match(run.stdout, new RegExp(`^${files.length} of ${files.length} config files are valid$`, 'm'));
});

/** Defaults asserted for a config that only has <sersync><localpath><remote>. */
test('defaults when elements are missing', () => {
  const { config, warnings } = loadConfigFile(path.join(GOOD, '11-minimal.xml'), { checkDirectories: true });
  assert.deepEqual(warnings, []);
  assert.deepEqual(config.host, { hostip: 'localhost', port: 8008 });
  assert.equal(config.debug, false);
  assert.deepEqual(config.fileSystem, { xfs: false });
  assert.deepEqual(config.filter, { enabled: false, excludes: [] });
  assert.deepEqual(config.inotify, { delete: true, createFolder: true, createFile: false, closeWrite: true, moveFrom: true, moveTo: true, attrib: false, modify: false });
  assert.deepEqual(config.sersync.localpath, { watch: '/tmp', remotes: [{ ip: '10.1.2.3', name: 'backup' }] });
  assert.deepEqual(config.sersync.rsync, STOCK_RSYNC);
  assert.deepEqual(config.sersync.failLog, { path: '/tmp/rsync_fail_log.sh', timeToExecute: 120 });
  assert.deepEqual(config.sersync.crontab, { enabled: false, schedule: { kind: 'minutes', minutes: 600 }, filter: { enabled: false, excludes: [] } });
  assert.equal(config.sersync.plugin.enabled, false);
  assert.equal(config.sersync.plugin.name, undefined);
  assert.deepEqual(config.plugins, {});
});

// --check requires the watch directory; the stock file's is /opt/tongbu. As root the test makes
// it when missing (and removes it afterwards); otherwise the test is skipped where it is missing.
const isRoot = process.getuid?.() === 0;
const stockWatchExists = fs.existsSync('/opt/tongbu');
test(
  'bin/sersync2 --check -o fixtures/golden/stock-confxml.xml prints the summary and exits 0',
  { skip: stockWatchExists || isRoot ? false : '/opt/tongbu does not exist here and we are not root to make it' },
  (t) => {
    if (!stockWatchExists) {
      fs.mkdirSync('/opt/tongbu', { recursive: true });
      t.after(() => fs.rmdirSync('/opt/tongbu'));
    }
    const run = spawnSync(process.execPath, [BIN, '--check', '-o', 'fixtures/golden/stock-confxml.xml'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(run.stderr, '');
    assert.equal(run.status, 0);
    const expected = [
      'fixtures/golden/stock-confxml.xml: OK',
      '  watch:      /opt/tongbu',
      '  remotes:    127.0.0.1::tongbu1',
      '  events:     delete createFolder closeWrite moveFrom moveTo (off: createFile attrib modify)',
      '  filter:     off, exclude "(.*)\\.svn" "(.*)\\.gz" "^info/*" "^static/*"',
      '  fileSystem: xfs off',
      '  debug:      off',
      '  failLog:    /tmp/rsync_fail_log.sh, run every 60 minutes',
      '  crontab:    off, full sync every 600 minutes',
      '  plugin:     none; configured blocks: command, socket, refreshCDN',
      '  commands for 127.0.0.1::tongbu1 (for dir/file.txt and directory dir/sub):',
      '    sync:        cd /opt/tongbu && rsync -artuz -R "./dir/file.txt" 127.0.0.1::tongbu1 >/dev/null 2>&1 ',
      '    delete:      cd /opt/tongbu && rsync -artuz -R --delete ./   --include="dir/" --include="dir/file.txt" --exclude=*  127.0.0.1::tongbu1 >/dev/null 2>&1 ',
      '    delete dir:  cd /opt/tongbu && rsync -artuz -R --delete ./   --include="dir/" --include="dir/sub"  --include="dir/sub/***" --exclude=*  127.0.0.1::tongbu1 >/dev/null 2>&1 ',
      '    full sync:   cd /opt/tongbu && rsync -artuz -R --delete ./ 127.0.0.1::tongbu1 >/dev/null 2>&1 ',
      '',
    ].join('\n');
    assert.equal(run.stdout, expected);
  },
);

test('the stock file parses unchanged when directories are not checked', () => {
  const { config, warnings } = loadConfigFile(STOCK);
  assert.deepEqual(warnings, []);
  assertStockParts(config, { watch: '/opt/tongbu', failLog: '/tmp/rsync_fail_log.sh' });
});
