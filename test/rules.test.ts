import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classify, watchMask, type EventRules } from '../lib/events/rules';
import { excludedAtStart, filterSubject } from '../lib/filter/exclude';
import { compileSersyncRegex } from '../lib/filter/regex';
import { INOTIFY_DEFAULTS } from '../lib/inotify/config';
import { IN } from '../lib/inotify/mask';

const regex = (e: string) => {
  const r = compileSersyncRegex(e);
  if (!r.ok) throw new Error(r.reason);
  return { expression: e, regex: r.regex };
};
const stockFilter = { enabled: true, excludes: ['(.*)\\.svn', '(.*)\\.gz', '^info/*', '^static/*'].map(regex) };
const stock: EventRules = { inotify: INOTIFY_DEFAULTS, filter: { enabled: false, excludes: [] } };
const ev = (dir: string, name: string | Buffer, mask: number, isDir = false) => ({ dir, name, mask, isDir });

test('kernel events map to sersync operations with the stock switches', () => {
  assert.deepEqual(classify(stock, ev('', 'a.txt', IN.CLOSE_WRITE)), { kind: 'sync', path: 'a.txt', isDir: false, mask: IN.CLOSE_WRITE });
  assert.equal(classify(stock, ev('d', 'b', IN.MOVED_TO))?.kind, 'sync');
  assert.equal(classify(stock, ev('d', 'b', IN.DELETE))?.kind, 'delete');
  assert.equal(classify(stock, ev('d', 'b', IN.MOVED_FROM))?.kind, 'delete');
  assert.equal(classify(stock, ev('', 'd', IN.CREATE | IN.ISDIR, true))?.kind, 'sync');
  // createFile, attrib and modify are off in the stock config
  assert.equal(classify(stock, ev('', 'a', IN.CREATE)), undefined);
  assert.equal(classify(stock, ev('', 'a', IN.ATTRIB)), undefined);
  assert.equal(classify(stock, ev('', 'a', IN.MODIFY)), undefined);
});

test('attrib gives a delete-shaped command when on (golden case 06)', () => {
  const rules: EventRules = { ...stock, inotify: { ...INOTIFY_DEFAULTS, attrib: true } };
  assert.equal(classify(rules, ev('', 'a.txt', IN.ATTRIB))?.kind, 'delete');
});

test('sersync ignores dotfiles, names ending in ~ and vim\'s 4913, but not dot-directories', () => {
  for (const name of ['.hidden', 'tmp~', '4913', Buffer.from('.x')]) assert.equal(classify(stock, ev('', name, IN.CLOSE_WRITE)), undefined, String(name));
  assert.equal(classify(stock, ev('', '.git', IN.CREATE | IN.ISDIR, true))?.kind, 'sync');
  assert.equal(classify(stock, ev('.git', 'config', IN.CLOSE_WRITE))?.path, '.git/config');
  assert.equal(classify(stock, ev('', '', IN.CLOSE_WRITE)), undefined);
});

test('the filter sees `name` at the root and `/sub/name` below it (golden case 08)', () => {
  assert.equal(filterSubject('', 'x.gz'), 'x.gz');
  assert.equal(filterSubject('sub/info', 'j.txt'), '/sub/info/j.txt');
  const rules: EventRules = { ...stock, filter: stockFilter };
  assert.equal(classify(rules, ev('', 'x.gz', IN.CLOSE_WRITE)), undefined);
  assert.equal(classify(rules, ev('sub', 'y.gz', IN.CLOSE_WRITE)), undefined);
  assert.equal(classify(rules, ev('', 'info', IN.CREATE | IN.ISDIR, true)), undefined);
  assert.equal(classify(rules, ev('sub', 'info', IN.CREATE | IN.ISDIR, true))?.path, 'sub/info');
  assert.equal(classify(rules, ev('', 'ok.txt', IN.CLOSE_WRITE))?.path, 'ok.txt');
  assert.equal(excludedAtStart(stockFilter, 'static'), true);
  assert.equal(excludedAtStart(stockFilter, 'sub/static'), false);
  assert.equal(excludedAtStart({ ...stockFilter, enabled: false }, 'static'), false);
});

test('links and other creations that never see close_write are synced with createFile off', () => {
  const rules: EventRules = { ...stock, isSpecialCreation: (p) => p === 'link' };
  assert.equal(classify(rules, ev('', 'link', IN.CREATE))?.kind, 'sync');
  assert.equal(classify(rules, ev('', 'plain', IN.CREATE)), undefined);
});

test('entries found in a new directory are synced whatever their switches', () => {
  assert.equal(classify(stock, { ...ev('new', 'f', IN.CLOSE_WRITE), scanned: true })?.kind, 'sync');
  assert.equal(classify(stock, { ...ev('new', '.f', IN.CLOSE_WRITE), scanned: true }), undefined);
});

test('the watch mask always follows the tree and adds what the switches ask for', () => {
  const mask = watchMask(INOTIFY_DEFAULTS);
  for (const bit of [IN.CREATE, IN.DELETE, IN.MOVED_FROM, IN.MOVED_TO, IN.CLOSE_WRITE]) assert.ok(mask & bit);
  assert.equal(mask & IN.ATTRIB, 0);
  assert.ok(watchMask({ ...INOTIFY_DEFAULTS, attrib: true, modify: true }) & IN.ATTRIB & ~0);
});

test('raw-byte names keep their bytes in the relative path', () => {
  const name = Buffer.from([0x61, 0xff]);
  const out = classify(stock, ev('d', name, IN.CLOSE_WRITE));
  assert.ok(Buffer.isBuffer(out?.path));
  assert.deepEqual(out?.path, Buffer.from([0x64, 0x2f, 0x61, 0xff]));
});
