/** `--log-config FILE`: an operator's log4js JSON replaces the flag-built logging; a bad file is exit 1. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { writeConfig } from './helpers/config';
import { BIN, commandRecorder, startSersync } from './helpers/sersync';
import { waitFor } from './helpers/wait';

const roots: string[] = [];
after(() => {
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
});

function workspace() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'log-config-'));
  roots.push(root);
  const watch = path.join(root, 'w');
  fs.mkdirSync(watch);
  const config = writeConfig(path.join(root, 'confxml.xml'), { watch, failLog: path.join(root, 'fail.sh') });
  return { root, watch, config, recorder: commandRecorder(root) };
}

test('--log-config: the log4js file appender and layout from the file are used', async () => {
  const w = workspace();
  const logFile = path.join(w.root, 'custom.log');
  const logConfig = path.join(w.root, 'log4js.json');
  fs.writeFileSync(logConfig, JSON.stringify({
    appenders: { f: { type: 'file', filename: logFile, layout: { type: 'pattern', pattern: 'CUSTOM %p %m' } } },
    categories: { default: { appenders: ['f'], level: 'debug' } },
  }));
  const s = await startSersync(['-o', w.config, '--log-config', logConfig], { env: w.recorder.env, readyText: '' });
  await waitFor('the start-up lines in the configured file', () => fs.existsSync(logFile) && fs.readFileSync(logFile, 'utf8').includes(`CUSTOM INFO watch path is: ${w.watch}`));
  // debug from the file's level: each command is logged.
  fs.writeFileSync(path.join(w.watch, 'a.txt'), 'a');
  await waitFor('a debug line for the rsync of a.txt', () => /CUSTOM DEBUG run: .*a\.txt/.test(fs.readFileSync(logFile, 'utf8')));
  assert.equal(s.stdout(), '', 'no stdout appender configured, so nothing on stdout');
  assert.equal(await s.stop(), 0);
});

test('--log-config: unreadable JSON or a bad configuration is exit 1 with the reason', () => {
  const w = workspace();
  const bad = path.join(w.root, 'bad.json');
  fs.writeFileSync(bad, '{ not json');
  const r = spawnSync(process.execPath, [BIN, '-o', w.config, '--log-config', bad], { encoding: 'utf8', env: { ...process.env, SERSYNC2_SYSCTL: '0' }, timeout: 20_000 });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /bad\.json: --log-config: /);
  fs.writeFileSync(bad, JSON.stringify({ appenders: { x: { type: 'no-such-appender' } }, categories: { default: { appenders: ['x'], level: 'info' } } }));
  const r2 = spawnSync(process.execPath, [BIN, '-d', '-o', w.config, '--log-config', bad], { encoding: 'utf8', env: { ...process.env, SERSYNC2_SYSCTL: '0' }, timeout: 20_000 });
  assert.equal(r2.status, 1, r2.stderr);
  assert.match(r2.stderr, /--log-config: not a log4js configuration/);
});
