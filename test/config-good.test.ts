/**
 * Configs that real deployments contain must be accepted unchanged: the stock file, every golden
 * case, and the format variants in fixtures/good-configs (comments, CRLF, BOM, GBK, tabs...).
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
const BIN = path.join(ROOT, 'bin', 'sersync2');
const GOLDEN = path.join(ROOT, 'fixtures', 'golden');
const GOOD = path.join(ROOT, 'fixtures', 'good-configs');
const STOCK = path.join(GOLDEN, 'stock-confxml.xml');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sersync-good-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function check(args: readonly string[]) {
  const run = spawnSync(process.execPath, [BIN, '--check', ...args], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(run.error, undefined, `spawn failed: ${run.error}`);
  return run;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

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
  const run = check(['-o', g10.file]);
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
  const run = check(['-o', g.file]);
  assert.equal(run.status, 0, run.stderr);
  assert.ok(run.stdout.includes(`    sync:        cd ${g.watch} && rsync -avz --bwlimit=1000 --exclude=.svn -R "./dir/file.txt" 127.0.0.1::tongbu1 >/dev/null 2>&1 \n`), run.stdout);
});

test('cases 14-15: the command plugin after each sync, and alone with -m command', () => {
  const g14 = golden('14-plugin-command');
  assert.deepEqual(g14.config.sersync.plugin, { enabled: true, name: 'command' });
  const cmd = g14.config.plugins.command!;
  assert.deepEqual([cmd.prefix, cmd.suffix, cmd.ignoreError, cmd.filter.enabled], ['/bin/true', '--done', true, true]);
  const run14 = check(['-o', g14.file]);
  assert.equal(run14.status, 0, run14.stderr);
  assert.match(run14.stdout, /^ {2}plugin: {5}command after each sync; configured blocks: command, socket, refreshCDN$/m);
  assert.ok(run14.stdout.includes(`  command:    /bin/true ${g14.watch}/dir/file.txt --done >/dev/null 2>&1  (only for paths matching "(.*)\\.php" "(.*)\\.sh")\n`), run14.stdout);
  assert.match(run14.stdout, /^ {2}commands for 127\.0\.0\.1::tongbu1 /m);

  const g15 = golden('15-standalone-command');
  assert.deepEqual(g15.config.sersync.plugin, { enabled: false, name: 'command' });
  const cmd15 = g15.config.plugins.command!;
  assert.deepEqual([cmd15.prefix, cmd15.suffix, cmd15.ignoreError], ['/bin/true', '', false]);
  const run15 = check(['-m', 'command', '-o', g15.file]);
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
  const run = check(files.flatMap((f) => ['-o', f]));
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

/** The config without the parts that only say where it came from. */
function content(config: Config): unknown {
  const { file: _file, ...rest } = config;
  return JSON.parse(JSON.stringify(rest, (_k, v: unknown) => (v instanceof RegExp ? v.toString() : v)));
}

test('format variants (tabs, CRLF, BOM, no declaration, GBK comment, open/close tags) mean the same as the stock file', () => {
  const stock = content(loadConfigFile(path.join(GOOD, '01-stock-watch-tmp.xml')).config);
  for (const name of ['04-tabs.xml', '05-crlf.xml', '06-utf8-bom.xml', '07-no-xml-declaration.xml', '08-gbk-chinese-comment.xml', '03-open-close-and-self-closing.xml']) {
    const { config } = loadConfigFile(path.join(GOOD, name), { checkDirectories: true });
    if (name.startsWith('03-')) {
      assert.deepEqual(config.sersync.localpath.remotes, [{ ip: '127.0.0.1', name: 'tongbu1' }, { ip: '127.0.0.2', name: 'tongbu2' }]);
      const same = { ...config, sersync: { ...config.sersync, localpath: { ...config.sersync.localpath, remotes: [config.sersync.localpath.remotes[0]] } } };
      assert.deepEqual(content(same as Config), stock, name);
    } else assert.deepEqual(content(config), stock, name);
  }
  // The fixtures really are what they claim.
  const bytes = (name: string) => fs.readFileSync(path.join(GOOD, name));
  assert.ok(bytes('05-crlf.xml').includes('\r\n'));
  assert.ok(!/[^\r]\n/.test(bytes('05-crlf.xml').toString('latin1')));
  assert.deepEqual([...bytes('06-utf8-bom.xml').subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  assert.ok(!bytes('07-no-xml-declaration.xml').toString().includes('<?xml'));
  assert.match(bytes('04-tabs.xml').toString(), /^\t<sersync>$/m);
  const gbk = bytes('08-gbk-chinese-comment.xml');
  assert.ok(gbk.includes(Buffer.from([0xd6, 0xd0, 0xce, 0xc4])), 'holds 中文 in GBK');
  assert.throws(() => new TextDecoder('utf-8', { fatal: true }).decode(gbk), 'is not valid UTF-8');
  assert.match(gbk.subarray(0, 60).toString('latin1'), /encoding="GBK"/);
});

test('comments anywhere, multi-line tags and entities in values', () => {
  const { config } = loadConfigFile(path.join(GOOD, '02-comments-everywhere.xml'), { checkDirectories: true });
  assert.deepEqual(config.sersync.localpath, { watch: '/tmp', remotes: [{ ip: '192.168.8.39', name: 'www' }] });
  assert.deepEqual(config.filter.excludes.map((r) => r.expression), ['(.*)\\.gz'], 'the commented-out exclude is not read');
  assert.equal(config.sersync.rsync.commonParams, '-artuz --exclude="*.tmp"');
  assert.deepEqual(config.sersync.rsync.timeout, { enabled: true, time: 30 });
  assert.deepEqual(config.sersync.failLog, { path: '/tmp/www_fail_log.sh', timeToExecute: 60 });
  assert.deepEqual(config.plugins, {});
});

test('ISO-8859-1 declared, but a UTF-8 Chinese watch path is read as UTF-8', () => {
  const { config } = loadConfigFile(path.join(GOOD, '09-latin1-declared-utf8-chinese-watch.xml'));
  assert.equal(config.sersync.localpath.watch, '/tmp/同步');
  assert.deepEqual([...Buffer.from(config.sersync.localpath.watch)], [...Buffer.from('/tmp/'), 0xe5, 0x90, 0x8c, 0xe6, 0xad, 0xa5]);
});

test('plugin blocks of plugins that are off are parsed but their directories are not required', () => {
  assert.equal(fs.existsSync('/data0/htdocs'), false, 'this test needs /data0/htdocs not to exist');
  const { config } = loadConfigFile(path.join(GOOD, '10-plugins-switched-off.xml'), { checkDirectories: true });
  assert.deepEqual(Object.keys(config.plugins), ['command', 'socket', 'http', 'refreshCDN']);
  assert.equal(config.plugins.http!.watch, '/data0/htdocs/bbs');
  assert.equal(config.plugins.http!.url.href, 'http://www.example.com/inotify/notify.php?site=bbs&v=2');
  assert.equal(config.sersync.plugin.enabled, false);
});

test('a 5-field cron expression as crontab schedule', () => {
  const { config } = loadConfigFile(path.join(GOOD, '12-cron-schedule.xml'));
  assert.deepEqual(config.sersync.crontab.schedule, { kind: 'cron', expression: '30 2 * * *' });
  assert.equal(config.sersync.crontab.enabled, true);
});

test('--check accepts every good-configs fixture at once', () => {
  const files = fs.readdirSync(GOOD).filter((f) => f.endsWith('.xml')).sort().map((f) => path.join(GOOD, f));
  assert.ok(files.length >= 12);
  // 09's watch is /tmp/同步: made for this run if missing, and removed again.
  const chinese = '/tmp/同步';
  const made = !fs.existsSync(chinese);
  if (made) fs.mkdirSync(chinese);
  try {
    const run = check(files.flatMap((f) => ['-o', f]));
    assert.equal(run.stderr, '');
    assert.equal(run.status, 0);
    for (const file of files) assert.match(run.stdout, new RegExp(`^${escapeRegExp(file)}: OK$`, 'm'));
    assert.match(run.stdout, new RegExp(`^${files.length} of ${files.length} config files are valid$`, 'm'));
    assert.match(run.stdout, /^ {2}watch: {6}\/tmp\/同步$/m, 'printed as UTF-8');
  } finally {
    if (made) fs.rmdirSync(chinese);
  }
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
