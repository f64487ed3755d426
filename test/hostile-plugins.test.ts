/**
 * Hostile names through the plugins and --dry-run, with the real bin/sersync2, the kernel's
 * inotify and real servers on 127.0.0.1: the command plugin's shell string, the socket plugin's
 * bytes, the http plugin's form and the refreshCDN purge request carry each name exactly, as one
 * value (a name never adds a form field, a query parameter or a header), and no CANARY appears.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { parseConfig } from '../lib/config/load';
import { commandSettings, rsyncCommand } from '../lib/rsync/command';
import { render } from '../lib/command/model';
import { shellWord } from '../lib/shell/quote';
import { writeConfig } from './helpers/config';
import { canaries, HOSTILE_NAMES } from './helpers/hostile';
import { collectConnections, listenLoopback } from './helpers/loopback';
import { startSersync } from './helpers/sersync';
import { waitFor } from './helpers/wait';

const cleanups: Array<() => unknown> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function workspace(name: string) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `hostile-${name}-`));
  cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }));
  const watch = path.join(root, 'w');
  fs.mkdirSync(watch);
  const config = writeConfig(path.join(root, 'confxml.xml'), { watch, failLog: path.join(root, 'fail.sh') });
  const edit = (f: (xml: string) => string) => fs.writeFileSync(config, f(fs.readFileSync(config, 'utf8')));
  const abs = (name: string | Buffer) => Buffer.concat([Buffer.from(`${watch}/`), Buffer.from(name)]);
  return { root, watch, config, edit, abs };
}

const listen = (server: net.Server) => listenLoopback(server, cleanups);

/** Starts sersync2 with `args` in the workspace, writes every hostile name, waits until `done`. */
async function run(ws: ReturnType<typeof workspace>, args: string[], done: (stdout: string) => boolean): Promise<string> {
  const sersync = await startSersync([...args, '-o', ws.config], { cwd: ws.root });
  cleanups.push(() => sersync.stop());
  for (const [i, name] of HOSTILE_NAMES.entries()) fs.writeFileSync(ws.abs(name), `content ${i}\n`);
  await waitFor('every name to be delivered', () => done(sersync.stdout()), 20_000).catch((error: Error) => {
    throw new Error(`${error.message}\n${sersync.stdout().slice(-3000)}${sersync.stderr()}`);
  });
  assert.deepEqual(canaries(ws.root), []);
  return sersync.stdout();
}

const unique = (values: Buffer[]) => [...new Set(values.map((b) => b.toString('hex')))].sort();
const expectedPaths = (ws: ReturnType<typeof workspace>) => unique(HOSTILE_NAMES.map(ws.abs));

/** %XX-decoding to bytes (URLSearchParams would decode as UTF-8 and lose bytes that are not). */
function percentDecode(value: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '%') {
      out.push(parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(value.charCodeAt(i) === 0x2b ? 0x20 : value.charCodeAt(i));
  }
  return Buffer.from(out);
}

test('command plugin: each name reaches the command as one argument, byte for byte', async () => {
  const ws = workspace('command');
  const record = path.join(ws.root, 'args');
  ws.edit((x) => x.replace('<param prefix="/bin/sh" suffix="" ignoreError="true"/>', `<param prefix="printf '%s\\0'" suffix="&gt;&gt; ${record}" ignoreError="false"/>`));
  const seen = () => (fs.existsSync(record) ? fs.readFileSync(record).toString('latin1').split('\0').filter(Boolean).map((s) => Buffer.from(s, 'latin1')) : []);
  await run(ws, ['-m', 'command'], () => expectedPaths(ws).every((p) => unique(seen()).includes(p)));
  assert.deepEqual(unique(seen()), expectedPaths(ws));
});

test('socket plugin: each connection carries exactly one absolute path', async () => {
  const ws = workspace('socket');
  const { port, payloads } = await collectConnections(cleanups);
  ws.edit((x) => x.replace('<localpath watch="/opt/tongbu">\n\t    <deshost ip="192.168.138.20" port="8009"/>', `<localpath watch="${ws.watch}">\n<deshost ip="127.0.0.1" port="${port}"/>`));
  await run(ws, ['-m', 'socket'], () => expectedPaths(ws).every((p) => unique(payloads).includes(p)));
  assert.deepEqual(unique(payloads), expectedPaths(ws));
});

test('http plugin: each name is one form value, never another field', async () => {
  const ws = workspace('http');
  const forms: string[] = [];
  const port = await listen(http.createServer((req, res) => {
    let body = '';
    req.setEncoding('latin1');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      forms.push(body);
      res.end();
    });
  }));
  ws.edit((x) => x.replace('</head>', `<plugin name="http"><localpath watch="${ws.watch}"><deshost host="127.0.0.1" port="${port}" url="/notify"/></localpath></plugin>\n</head>`));
  const fields = (body: string) => body.split('&').map((kv) => kv.split('='));
  const paths = () => forms.map((f) => percentDecode(fields(f).find(([k]) => k === 'inotifyPath')?.[1] ?? ''));
  await run(ws, ['-m', 'http'], () => expectedPaths(ws).every((p) => unique(paths()).includes(p)));
  for (const form of forms) assert.deepEqual(fields(form).map(([k, ...v]) => `${k}:${v.length}`), ['watchroot:1', 'isdir:1', 'inotifyPath:1', 'mask:1'], form);
  assert.deepEqual(unique(paths()), expectedPaths(ws));
});

test('refreshCDN plugin: each name is one URL path, never a parameter or a header', async () => {
  const ws = workspace('cdn');
  const requests: string[] = [];
  const port = await listen(net.createServer((s) => {
    let text = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      text += d;
      if (!text.endsWith('\r\n\r\n')) return;
      requests.push(text);
      s.end('HTTP/1.0 200 OK\r\nwhatsup: content=succeed\r\n\r\n');
    });
  }));
  ws.edit((x) =>
    x
      .replace('<localpath watch="/data0/htdocs/cms.xoyo.com/site/">', `<localpath watch="${ws.watch}">`)
      .replace('<cdninfo domainname="ccms.chinacache.com" port="80"', `<cdninfo domainname="127.0.0.1" port="${port}"`),
  );
  const base = 'http://pic.xoyo.com/cms';
  const parse = (request: string) => {
    const [line, ...headers] = request.split('\r\n');
    const m = /^HEAD \/index\.jsp\?(\S*) HTTP\/1\.0$/.exec(line!);
    assert.ok(m, `one request line: ${JSON.stringify(request)}`);
    assert.deepEqual(headers, ['Host: 127.0.0.1', '', ''], 'no header but Host');
    const params = m[1]!.split('&').map((kv) => kv.split('='));
    assert.deepEqual(params.map(([k, ...v]) => `${k}:${v.length}`), ['user:1', 'pswd:1', 'ok:1', 'urls:1']);
    const url = params[3]![1]!;
    assert.ok(url.startsWith(base), url);
    return Buffer.concat([Buffer.from(ws.watch), percentDecode(url.slice(base.length))]);
  };
  await run(ws, ['-m', 'refreshCDN'], () => expectedPaths(ws).every((p) => unique(requests.map(parse)).includes(p)));
  assert.deepEqual(unique(requests.map(parse)), expectedPaths(ws));
});

for (const [mode, args] of [['compat', []], ['batch', ['--batch']]] as const) {
  test(`--dry-run (${mode}) prints each command with the name quoted exactly`, async () => {
    const ws = workspace(`dry-${mode}`);
    const settings = commandSettings(parseConfig(fs.readFileSync(ws.config), ws.config).config);
    const remote = { ip: '127.0.0.1', name: 'mirror' };
    const printed = (name: string | Buffer) => (mode === 'compat' ? render(rsyncCommand(settings, remote, { kind: 'sync', path: name })) : shellWord(name));
    const out = await run(ws, ['--dry-run', ...args], (stdout) => HOSTILE_NAMES.every((n) => stdout.includes(printed(n))));
    for (const name of HOSTILE_NAMES) assert.ok(out.includes(printed(name)), JSON.stringify(printed(name)));
  });
}
