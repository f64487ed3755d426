/**
 * Plugins through the real daemon: `-m socket` alone, the http plugin after each sync, and a dead
 * endpoint that must not slow mirroring down. Servers are real, on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { writeConfig } from './helpers/config';
import { collectConnections, listenLoopback } from './helpers/loopback';
import { freePort } from './helpers/rsyncd';
import { commandRecorder, startSersync } from './helpers/sersync';
import { waitFor } from './helpers/wait';

const cleanups: Array<() => unknown> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function workspace(name: string) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));
  cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }));
  const watch = path.join(root, 'w');
  fs.mkdirSync(watch);
  const config = writeConfig(path.join(root, 'confxml.xml'), { watch, failLog: path.join(root, 'fail.sh') });
  const edit = (f: (xml: string) => string) => fs.writeFileSync(config, f(fs.readFileSync(config, 'utf8')));
  return { root, watch, config, edit };
}

const listen = (server: net.Server) => listenLoopback(server, cleanups);

test('-m socket: each event is sent alone as its absolute path, no rsync runs', async () => {
  const ws = workspace('socket-alone');
  const { port, payloads } = await collectConnections(cleanups);
  ws.edit((x) => x.replace('<localpath watch="/opt/tongbu">\n\t    <deshost ip="192.168.138.20" port="8009"/>', `<localpath watch="${ws.watch}">\n<deshost ip="127.0.0.1" port="${port}"/>`));
  const rec = commandRecorder(path.join(ws.root, 'rec'));
  const sersync = await startSersync(['-m', 'socket', '-o', ws.config], { env: rec.env });
  cleanups.push(() => sersync.stop());
  fs.writeFileSync(path.join(ws.watch, 'a.txt'), 'a');
  fs.mkdirSync(path.join(ws.watch, 'd'));
  await waitFor('two payloads', () => payloads.length >= 2);
  fs.rmSync(path.join(ws.watch, 'a.txt'));
  await waitFor('the delete', () => payloads.length >= 3);
  assert.deepEqual(payloads.map(String).sort(), [`${ws.watch}/a.txt`, `${ws.watch}/a.txt`, `${ws.watch}/d`].sort());
  assert.deepEqual(rec.commands(), [], 'no rsync with -m');
});

test('http after each sync: the rsync runs, then the form is posted', async () => {
  const ws = workspace('http-after');
  const forms: Record<string, string>[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      forms.push(Object.fromEntries(new URLSearchParams(body)));
      res.end();
    });
  });
  const port = await listen(server);
  ws.edit((x) => x.replace('<plugin start="false" name="command"/>', '<plugin start="true" name="http"/>').replace('</head>', `<plugin name="http"><localpath watch="${ws.watch}"><deshost host="127.0.0.1" port="${port}" url="/notify"/></localpath></plugin>\n</head>`));
  const rec = commandRecorder(path.join(ws.root, 'rec'));
  const sersync = await startSersync(['-o', ws.config], { env: rec.env });
  cleanups.push(() => sersync.stop());
  fs.writeFileSync(path.join(ws.watch, 'page.html'), 'p');
  await waitFor('the form', () => forms.length >= 1);
  assert.ok(rec.commands().some((c) => c.includes('"./page.html"')));
  assert.deepEqual(forms[0], { watchroot: ws.watch, isdir: '0', inotifyPath: `${ws.watch}/page.html`, mask: '8' });
});

test('a dead socket endpoint: mirroring goes on at full speed and the failures are logged', async () => {
  const ws = workspace('socket-dead');
  const dead = await freePort();
  ws.edit((x) => x.replace('<plugin start="false" name="command"/>', '<plugin start="true" name="socket"/>').replace('<localpath watch="/opt/tongbu">\n\t    <deshost ip="192.168.138.20" port="8009"/>', `<localpath watch="${ws.watch}">\n<deshost ip="127.0.0.1" port="${dead}"/>`));
  const rec = commandRecorder(path.join(ws.root, 'rec'));
  const sersync = await startSersync(['-o', ws.config], { env: rec.env });
  cleanups.push(() => sersync.stop());
  for (let i = 0; i < 50; i++) fs.writeFileSync(path.join(ws.watch, `f${i}.txt`), String(i));
  await waitFor('50 rsync commands', () => new Set(rec.commands()).size >= 50, 20_000);
  await waitFor('the plugin failures in the log', () => /WARN: plugin socket: sync f\d+\.txt: .*ECONNREFUSED/.test(sersync.stdout()), 20_000);
});

test('socket after each sync: events covered by a new directory\'s rsync still reach the plugin', async () => {
  const ws = workspace('socket-covered');
  const { port, payloads } = await collectConnections(cleanups);
  ws.edit((x) => x.replace('<plugin start="false" name="command"/>', '<plugin start="true" name="socket"/>').replace('<localpath watch="/opt/tongbu">\n\t    <deshost ip="192.168.138.20" port="8009"/>', `<localpath watch="${ws.watch}">\n<deshost ip="127.0.0.1" port="${port}"/>`));
  const rec = commandRecorder(path.join(ws.root, 'rec'));
  const sersync = await startSersync(['-o', ws.config], { env: rec.env });
  cleanups.push(() => sersync.stop());
  // A tree written at once, as `cp -a` would: the directory's rsync is still waiting for it to be quiet.
  fs.mkdirSync(path.join(ws.watch, 'd'));
  const files = Array.from({ length: 20 }, (_, i) => `d/f${i}`);
  for (const f of files) fs.writeFileSync(path.join(ws.watch, f), f);
  const expected = ['d', ...files].map((p) => `${ws.watch}/${p}`).sort();
  await waitFor('a payload for every path', () => new Set(payloads.map(String)).size >= expected.length, 20_000);
  assert.deepEqual([...new Set(payloads.map(String))].sort(), expected);
  // A file can bring two events (found by the new directory's read, then its own close): each is delivered.
  const commands = rec.commands();
  assert.ok(commands.some((c) => c.includes('"./d" ')), 'the directory is synced');
  // How many files its rsync covered depends on timing (test/queue.test.ts holds the rule); each command is sersync2's for one path.
  assert.ok(commands.every((c) => /-R "\.\/d(\/f\d+)?" /.test(c)), commands.join('\n'));
});
