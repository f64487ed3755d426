import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classify, watchMask, type EventRules } from '../lib/events/rules';
import { excludedAtStart, filterSubject } from '../lib/filter/exclude';
import { compileSersyncRegex } from '../lib/filter/regex';
import { INOTIFY_DEFAULTS } from '../lib/inotify/config';
import { changeMask, changeOf, type Change } from '../lib/inotify/change';
import { IN } from '../lib/inotify/mask';

const regex = (e: string) => {
  const r = compileSersyncRegex(e);
  if (!r.ok) throw new Error(r.reason);
  return { expression: e, regex: r.regex };
};
const stockFilter = { enabled: true, excludes: ['(.*)\\.svn', '(.*)\\.gz', '^info/*', '^static/*'].map(regex) };
const stock: EventRules = { inotify: INOTIFY_DEFAULTS, filter: { enabled: false, excludes: [] } };
const ev = (dir: string, name: string | Buffer, change: Change, isDir = false) => ({ dir, name, change, isDir });

test('kernel events map to sersync operations with the stock switches', () => {
  assert.deepEqual(classify(stock, ev('', 'a.txt', 'closeWrite')), { kind: 'sync', path: 'a.txt', isDir: false, cause: 'closeWrite' });
  assert.equal(classify(stock, ev('d', 'b', 'movedTo'))?.kind, 'sync');
  assert.equal(classify(stock, ev('d', 'b', 'deleted'))?.kind, 'delete');
  assert.equal(classify(stock, ev('d', 'b', 'movedFrom'))?.kind, 'delete');
  assert.equal(classify(stock, ev('', 'd', 'created', true))?.kind, 'sync');
  // createFile, attrib and modify are off in the stock config
  assert.equal(classify(stock, ev('', 'a', 'created')), undefined);
  assert.equal(classify(stock, ev('', 'a', 'attrib')), undefined);
  assert.equal(classify(stock, ev('', 'a', 'modified')), undefined);
});

test('attrib gives a delete-shaped command when on (golden case 06)', () => {
  const rules: EventRules = { ...stock, inotify: { ...INOTIFY_DEFAULTS, attrib: true } };
  assert.equal(classify(rules, ev('', 'a.txt', 'attrib'))?.kind, 'delete');
});

test('sersync ignores dotfiles, names ending in ~ and vim\'s 4913, but not dot-directories', () => {
  for (const name of ['.hidden', 'tmp~', '4913', Buffer.from('.x')]) assert.equal(classify(stock, ev('', name, 'closeWrite')), undefined, String(name));
  assert.equal(classify(stock, ev('', '.git', 'created', true))?.kind, 'sync');
  assert.equal(classify(stock, ev('.git', 'config', 'closeWrite'))?.path, '.git/config');
  assert.equal(classify(stock, ev('', '', 'closeWrite')), undefined);
});

test('the filter sees `name` at the root and `/sub/name` below it (golden case 08)', () => {
  assert.equal(filterSubject('', 'x.gz'), 'x.gz');
  assert.equal(filterSubject('sub/info', 'j.txt'), '/sub/info/j.txt');
  const rules: EventRules = { ...stock, filter: stockFilter };
  assert.equal(classify(rules, ev('', 'x.gz', 'closeWrite')), undefined);
  assert.equal(classify(rules, ev('sub', 'y.gz', 'closeWrite')), undefined);
  assert.equal(classify(rules, ev('', 'info', 'created', true)), undefined);
  assert.equal(classify(rules, ev('sub', 'info', 'created', true))?.path, 'sub/info');
  assert.equal(classify(rules, ev('', 'ok.txt', 'closeWrite'))?.path, 'ok.txt');
  assert.equal(excludedAtStart(stockFilter, 'static'), true);
  assert.equal(excludedAtStart(stockFilter, 'sub/static'), false);
  assert.equal(excludedAtStart({ ...stockFilter, enabled: false }, 'static'), false);
});

test('links and other creations that never see close_write are synced with createFile off', () => {
  const rules: EventRules = { ...stock, isSpecialCreation: (p) => p === 'link' };
  assert.equal(classify(rules, ev('', 'link', 'created'))?.kind, 'sync');
  assert.equal(classify(rules, ev('', 'plain', 'created')), undefined);
});

test('entries found in a new directory are synced whatever their switches', () => {
  assert.equal(classify(stock, { ...ev('new', 'f', 'closeWrite'), scanned: true })?.kind, 'sync');
  assert.equal(classify(stock, { ...ev('new', '.f', 'closeWrite'), scanned: true }), undefined);
});

test('the watch mask always follows the tree and adds what the switches ask for', () => {
  const mask = watchMask(INOTIFY_DEFAULTS);
  for (const bit of [IN.CREATE, IN.DELETE, IN.MOVED_FROM, IN.MOVED_TO, IN.CLOSE_WRITE]) assert.ok(mask & bit);
  assert.equal(mask & IN.ATTRIB, 0);
  assert.ok(watchMask({ ...INOTIFY_DEFAULTS, attrib: true, modify: true }) & IN.ATTRIB & ~0);
});

test('raw-byte names keep their bytes in the relative path', () => {
  const name = Buffer.from([0x61, 0xff]);
  const out = classify(stock, ev('d', name, 'closeWrite'));
  assert.ok(Buffer.isBuffer(out?.path));
  assert.deepEqual(out?.path, Buffer.from([0x64, 0x2f, 0x61, 0xff]));
});

test('a kernel mask is decoded once into its change, and the mask given back is the kernel\'s', () => {
  const kernel: Array<[number, Change, boolean]> = [
    [IN.CREATE | IN.ISDIR, 'created', true],
    [IN.CREATE, 'created', false],
    [IN.CLOSE_WRITE, 'closeWrite', false],
    [IN.MOVED_TO | IN.ISDIR, 'movedTo', true],
    [IN.MOVED_FROM, 'movedFrom', false],
    [IN.MODIFY, 'modified', false],
    [IN.DELETE | IN.ISDIR, 'deleted', true],
    [IN.ATTRIB, 'attrib', false],
  ];
  for (const [mask, change, isDir] of kernel) {
    assert.equal(changeOf(mask), change, String(mask));
    assert.equal(changeMask(change, isDir), mask, change);
  }
  assert.equal(changeOf(IN.OPEN), undefined);
  assert.equal(changeOf(IN.Q_OVERFLOW), undefined);
});
