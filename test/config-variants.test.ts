/**
 * The format variants real deployments contain (fixtures/good-configs: comments, CRLF, BOM, GBK,
 * tabs, open and close tags, off plugin blocks, a cron schedule) are accepted and mean what the
 * stock file means.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfigFile } from '../lib/config/load';
import type { Config } from '../lib/config/types';
import { escapeRegExp } from './helpers/regexp';
import { checkConfigs } from './helpers/sersync';

const GOOD = path.resolve(__dirname, '..', '..', 'fixtures', 'good-configs');

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
    const run = checkConfigs(files.flatMap((f) => ['-o', f]));
    assert.equal(run.stderr, '');
    assert.equal(run.status, 0);
    for (const file of files) assert.match(run.stdout, new RegExp(`^${escapeRegExp(file)}: OK$`, 'm'));
    assert.match(run.stdout, new RegExp(`^${files.length} of ${files.length} config files are valid$`, 'm'));
    assert.match(run.stdout, /^ {2}watch: {6}\/tmp\/同步$/m, 'printed as UTF-8');
  } finally {
    if (made) fs.rmdirSync(chinese);
  }
});
