/**
 * The plugins on the wire, against real servers on 127.0.0.1: what each one sends per event,
 * and that a dead or slow endpoint is retried within bounds, logged, and never holds anyone up.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { after, test } from 'node:test';
import { parseConfig } from '../lib/config/load';
import type { Config } from '../lib/config/types';
import type { PathEvent } from '../lib/events/types';
import { createDelivery, PluginDispatcher } from '../lib/plugin/hook';
import { resultOfStatus } from '../lib/runner/result';
import { maskPassword, purgeRequest, purgeUrl } from '../lib/plugin/refreshCDN/request';
import { freePort } from './helpers/rsyncd';
import { waitFor } from './helpers/wait';
import { GOLDEN_DIR } from './helpers/golden';
import { tempDir } from './helpers/tempDir';

const servers: Array<{ close(): void }> = [];
after(() => {
  for (const s of servers) s.close();
});

const fast = { timeoutMs: 500, attempts: 2, retryDelayMs: 20 };
const file = (p: string): PathEvent => ({ kind: 'sync', path: p, isDir: false, cause: 'closeWrite' });
const dir = (p: string): PathEvent => ({ kind: 'sync', path: p, isDir: true, cause: 'created' });
const gone = (p: string): PathEvent => ({ kind: 'delete', path: p, isDir: false, cause: 'deleted' });

/** The stock config with its plugin blocks pointed at loopback servers. */
function config(edit: (xml: string) => string): Config {
  const xml = edit(fs.readFileSync(path.join(GOLDEN_DIR, 'stock-confxml.xml'), 'utf8'));
  return parseConfig(Buffer.from(xml), '/tmp/plugin-test.xml').config;
}

/** A TCP server that records each connection's bytes. */
async function recordingTcp(reply?: (request: string) => string): Promise<{ port: number; received: Buffer[] }> {
  const received: Buffer[] = [];
  const server = net.createServer((socket) => {
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      if (reply && Buffer.concat(chunks).includes('\r\n\r\n')) socket.end(reply(Buffer.concat(chunks).toString('latin1')));
    });
    socket.on('end', () => socket.end());
    socket.on('close', () => received.push(Buffer.concat(chunks)));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  servers.push(server);
  return { port, received };
}

test('socket: one connection per event carrying the absolute path bytes, no newline', async () => {
  const tcp = await recordingTcp();
  const c = config((x) => x.replace('<deshost ip="192.168.138.20" port="8009"/>', `<deshost ip="127.0.0.1" port="${tcp.port}"/>`));
  const deliver = createDelivery('socket', { config: c, runner: { run: async (command) => resultOfStatus(command, 0) }, trace: () => {}, limits: fast });
  await deliver(file('a.txt'));
  await deliver(dir('d'));
  await deliver(gone('d/b c.txt'));
  await deliver({ kind: 'sync', path: Buffer.from([0x78, 0xff]), isDir: false, cause: 'closeWrite' });
  await waitFor('4 connections', () => tcp.received.length === 4);
  assert.deepEqual(tcp.received.map((b) => b.toString('latin1')), ['/opt/tongbu/a.txt', '/opt/tongbu/d', '/opt/tongbu/d/b c.txt', '/opt/tongbu/x\xff']);
});

test('http: a form POST of watchroot, isdir, inotifyPath and mask', async () => {
  const forms: Array<{ url: string; type: string; body: string }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      forms.push({ url: req.url ?? '', type: req.headers['content-type'] ?? '', body });
      res.end('ok');
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  servers.push(server);
  const c = config((x) => x.replace('</head>', `<plugin name="http"><localpath watch="/srv/www"><deshost host="127.0.0.1" port="${port}" url="/hook.php"/></localpath></plugin></head>`));
  const deliver = createDelivery('http', { config: c, runner: { run: async (command) => resultOfStatus(command, 0) }, trace: () => {}, limits: fast });
  await deliver(file('a b.txt'));
  await deliver(dir('sub'));
  assert.equal(forms.length, 2);
  assert.equal(forms[0]!.url, '/hook.php');
  assert.equal(forms[0]!.type, 'application/x-www-form-urlencoded');
  assert.deepEqual(Object.fromEntries(new URLSearchParams(forms[0]!.body)), { watchroot: '/srv/www', isdir: '0', inotifyPath: '/srv/www/a b.txt', mask: '8' });
  assert.deepEqual(Object.fromEntries(new URLSearchParams(forms[1]!.body)), { watchroot: '/srv/www', isdir: '1', inotifyPath: '/srv/www/sub', mask: String(0x40000100) });
});

test('refreshCDN: HEAD requests with urls= or dirs=, a Host header, and the whatsup line in errorlog.txt', async () => {
  const tcp = await recordingTcp(() => 'HTTP/1.0 200 OK\r\nServer: cdn\r\nwhatsup: content=succeed\r\n\r\n');
  const errorLog = path.join(tempDir('cdn-'), 'errorlog.txt');
  const c = config((x) => x.replace('<cdninfo domainname="ccms.chinacache.com" port="80"', `<cdninfo domainname="127.0.0.1" port="${tcp.port}"`).replace('passwd="xxxx"', 'passwd="s3cret"'));
  const deliver = createDelivery('refreshCDN', { config: c, runner: { run: async (command) => resultOfStatus(command, 0) }, trace: () => {}, limits: fast, errorLog });
  await deliver(file('images/a.jpg'));
  await deliver(dir('images'));
  await waitFor('2 requests', () => tcp.received.length === 2);
  assert.deepEqual(tcp.received.map(String).sort(), [
    'HEAD /index.jsp?user=xxxx&pswd=s3cret&ok=ok&dirs=http://pic.xoyo.com/cms/images/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n',
    'HEAD /index.jsp?user=xxxx&pswd=s3cret&ok=ok&urls=http://pic.xoyo.com/cms/images/a.jpg HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n',
  ]);
  assert.equal(fs.readFileSync(errorLog, 'utf8'), 'whatsup: content=succeed\nwhatsup: content=succeed\n');
});

test('refreshCDN regexurl: base plus the first capture group plus what follows the match', () => {
  const c = config((x) => x.replace('regex="false"', 'regex="true"').replace('/data0/htdocs/cms.xoyo.com/site/', '/data0/htdocs'));
  const plugin = c.plugins.refreshCDN!;
  assert.equal(purgeUrl(plugin, '/data0/htdocs/cms.xoyo.com/site/pic.xoyo.com/images/a/b.jpg'), 'http://pic.xoyo.com/cms/pic/a/b.jpg');
  assert.equal(purgeUrl(plugin, '/data0/htdocs/other/c.jpg'), 'http://pic.xoyo.com/cms/other/c.jpg');
});

test('the CDN password never appears in what we log', () => {
  const c = config((x) => x.replace('passwd="xxxx"', 'passwd="TopSecret"'));
  const request = purgeRequest(c.plugins.refreshCDN!, '/data0/htdocs/cms.xoyo.com/site/a.jpg', false);
  assert.match(request, /pswd=TopSecret/);
  assert.doesNotMatch(maskPassword(request), /TopSecret/);
});

test('a dead endpoint is retried within bounds, then logged; a slow one never holds up the caller', async () => {
  const deadPort = await freePort();
  const c = config((x) => x.replace('<deshost ip="192.168.138.20" port="8009"/>', `<deshost ip="127.0.0.1" port="${deadPort}"/>`));
  const warnings: string[] = [];
  const dispatcher = new PluginDispatcher('socket', createDelivery('socket', { config: c, runner: { run: async (command) => resultOfStatus(command, 0) }, trace: () => {}, limits: fast }), (m) => warnings.push(m), 2, 5);
  const started = performance.now();
  for (let i = 0; i < 20; i++) dispatcher.submit(file(`f${i}`));
  assert.ok(performance.now() - started < 50, 'submit returns at once');
  await dispatcher.idle();
  assert.ok(warnings.some((w) => /plugin socket: sync f\d+: .*ECONNREFUSED/.test(w)), warnings.join('\n'));
  assert.ok(warnings.some((w) => /deliveries waiting, dropped/.test(w)), 'the backlog is bounded');
  assert.equal(dispatcher.failed, 20);

  // A server that accepts and never answers: each attempt times out, nothing waits on it.
  const silent = net.createServer(() => {});
  const port = await freePort();
  await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
  servers.push(silent);
  const c2 = config((x) => x.replace('<cdninfo domainname="ccms.chinacache.com" port="80"', `<cdninfo domainname="127.0.0.1" port="${port}"`));
  const slow = new PluginDispatcher('refreshCDN', createDelivery('refreshCDN', { config: c2, runner: { run: async (command) => resultOfStatus(command, 0) }, trace: () => {}, limits: { timeoutMs: 100, attempts: 2, retryDelayMs: 10 }, errorLog: '/dev/null' }), (m) => warnings.push(m));
  slow.submit(file('x.jpg'));
  await slow.idle();
  assert.ok(warnings.some((w) => /plugin refreshCDN: .*timed out after 100 ms.*pswd=\*\*\*/.test(w)), warnings.join('\n'));
  assert.ok(!warnings.some((w) => /pswd=xxxx/.test(w)));
});

test('refreshCDN: a name is only ever a path in the purge URL, never a parameter or a header', () => {
  const plugin = config((x) => x).plugins.refreshCDN!;
  const w = '/data0/htdocs/cms.xoyo.com/site';
  const line = (p: string | Buffer, isDir = false) => purgeRequest(plugin, p, isDir).split('\r\n');
  const [whole] = line(`${w}/a&dirs=http://site/`);
  assert.equal(whole, 'HEAD /index.jsp?user=xxxx&pswd=xxxx&ok=ok&urls=http://pic.xoyo.com/cms/a%26dirs%3Dhttp%3A//site/ HTTP/1.0');
  assert.deepEqual(line(`${w}/x\r\nHost: evil\r\n\r\nGET /`), [
    'HEAD /index.jsp?user=xxxx&pswd=xxxx&ok=ok&urls=http://pic.xoyo.com/cms/x%0D%0AHost%3A%20evil%0D%0A%0D%0AGET%20/ HTTP/1.0',
    'Host: ccms.chinacache.com',
    '',
    '',
  ]);
  assert.equal(line(`${w}/d?x=1#f`, true)[0], 'HEAD /index.jsp?user=xxxx&pswd=xxxx&ok=ok&dirs=http://pic.xoyo.com/cms/d%3Fx%3D1%23f/ HTTP/1.0');
  // Bytes that are not UTF-8 are encoded as those bytes; a leading U+FEFF as its UTF-8 bytes.
  assert.equal(line(Buffer.concat([Buffer.from(`${w}/`), Buffer.from([0xd6, 0xd0, 0x26])]))[0], 'HEAD /index.jsp?user=xxxx&pswd=xxxx&ok=ok&urls=http://pic.xoyo.com/cms/%D6%D0%26 HTTP/1.0');
  assert.equal(line(`${w}/\ufeffbom`)[0], 'HEAD /index.jsp?user=xxxx&pswd=xxxx&ok=ok&urls=http://pic.xoyo.com/cms/%EF%BB%BFbom HTTP/1.0');
  // Plain names keep sersync2's bytes.
  assert.equal(line(`${w}/images/a-b_c.jpg`)[0], 'HEAD /index.jsp?user=xxxx&pswd=xxxx&ok=ok&urls=http://pic.xoyo.com/cms/images/a-b_c.jpg HTTP/1.0');
  // regexurl: the capture and the rest of the path are encoded the same way.
  const re = config((x) => x.replace('regex="false"', 'regex="true"')).plugins.refreshCDN!;
  assert.equal(purgeUrl(re, `${w}/pic.xoyo.com/images/a&urls=x`), 'http://pic.xoyo.com/cms/pic/a%26urls%3Dx');
  assert.equal(purgeUrl(re, Buffer.concat([Buffer.from(`${w}/pic.xoyo.com/images/`), Buffer.from([0xff, 0x3d])])), 'http://pic.xoyo.com/cms/pic/%FF%3D');
});
