/**
 * A SIGHUP during start-up (a `reload` sent right after `start`, a logrotate hook): the files are
 * read again once every config has started, never while they are being started, when the ones not
 * started yet would have been started twice. The daemon as bin/sersync2 starts it (startDaemon),
 * on kernel inotify, its signals from an emitter, sent from inside its own log line.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { parseArgs } from '../lib/cli/args';
import { startDaemon } from '../lib/daemon/run';
import { Scope } from '../lib/daemon/scope';
import { createLogger } from '../lib/log/logger';
import { writeConfig } from './helpers/config';
import { tempDir } from './helpers/tempDir';
import { waitFor } from './helpers/wait';

// Configs started twice are never stopped, and their inotify descriptors would keep this file's
// process alive: it ends with a failure 5 s after its tests instead of hanging the suite.
after(() => {
  setTimeout(() => process.exit(1), 5000).unref();
});

test('SIGHUP while the first of three configs has started: read again once all three have, each started once', { timeout: 20_000 }, async () => {
  const root = tempDir('instances-hup-');
  const dir = path.join(root, 'conf.d');
  fs.mkdirSync(dir);
  for (const name of ['a', 'b', 'c']) {
    fs.mkdirSync(path.join(root, `w-${name}`));
    writeConfig(path.join(dir, `${name}.xml`), { watch: path.join(root, `w-${name}`), failLog: path.join(root, `${name}.fail.sh`) });
  }
  const source = new EventEmitter();
  const lines: string[] = [];
  const log = createLogger({
    console: (text) => {
      lines.push(text.trimEnd());
      // b and c are not read yet: the reload must not start them too.
      if (text.includes('[a] watch path is: ')) source.emit('SIGHUP', 'SIGHUP');
    },
  });
  process.env.SERSYNC2_SYSCTL = '0';
  const scope = new Scope();
  const { instances } = await startDaemon(parseArgs(['--config-dir', dir]), log, scope, { signalSource: source });
  await waitFor('the reload', () => lines.some((l) => l.includes('SIGHUP: config files read again')));
  const watching = lines.filter((l) => l.includes('watch path is: ')).map((l) => l.replace(/ watch path is: .*/, ''));
  assert.deepEqual(watching, ['[a]', '[b]', '[c]']);
  assert.ok(lines.includes('SIGHUP during start-up: the config files are read again once every config has started'), lines.join('\n'));
  assert.ok(lines.includes('SIGHUP: config files read again: 0 added, 0 removed, 0 restarted, 3 unchanged, 0 not usable'), lines.join('\n'));
  assert.deepEqual(['a', 'b', 'c'].map((n) => instances.get(path.join(dir, `${n}.xml`)) !== undefined), [true, true, true]);
  await scope.close();
});
