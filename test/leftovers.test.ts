/** What the stop writes to the fail log: the commands that would have run, batch commands in batch mode. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { render } from '../lib/command/model';
import { parseConfig } from '../lib/config/load';
import { writeQueued, writeRunning } from '../lib/daemon/leftovers';
import type { PathEvent } from '../lib/events/types';
import { FailLogFile, parseFailLogEntries } from '../lib/failLog/file';
import type { Logger } from '../lib/log/logger';
import { batchCommands } from '../lib/rsync/batch';
import { commandSettings, rsyncCommand } from '../lib/rsync/command';
import { GOLDEN_DIR } from './helpers/golden';
import { tempDir } from './helpers/tempDir';

const settings = commandSettings(parseConfig(fs.readFileSync(path.join(GOLDEN_DIR, 'stock-confxml.xml')), '/x.xml').config);
const remotes = [{ ip: '127.0.0.1', name: 'a' }, { ip: '10.0.0.2', name: 'b' }];
const queued: PathEvent[] = ['x', 'y', 'z'].map((p) => ({ kind: 'sync', path: p, isDir: false, cause: 'modified' }));

function failLog(): { file: FailLogFile; entries: () => ReturnType<typeof parseFailLogEntries> } {
  const file = new FailLogFile(path.join(tempDir('leftovers'), 'fail.sh'));
  return { file, entries: () => parseFailLogEntries(fs.readFileSync(file.path, 'utf8')) };
}

const lines: string[] = [];
const log = { info: (line: string) => lines.push(line) } as unknown as Logger; // only info is called

test('batch mode: the queued events are written as the batch commands that would have run, one per remote', () => {
  const { file, entries } = failLog();
  writeQueued(queued, { settings, remotes, batch: true }, file, log);
  assert.deepEqual(entries().map((e) => e.header), ['queued at shutdown', 'queued at shutdown']);
  assert.deepEqual(entries().map((e) => e.command), remotes.map((remote) => render(batchCommands(settings, remote, queued)[0]!)));
  assert.match(entries()[0]!.command, /printf '%s\\0' x y z \| rsync .*--files-from=- .*127\.0\.0\.1::a/);
  assert.equal(lines.at(-1), `3 queued events written to ${file.path}`);
});

test("compat mode: one of sersync2's commands per event and remote, running ones as such", () => {
  const { file, entries } = failLog();
  writeRunning(queued.slice(0, 1), { settings, remotes, batch: false }, file);
  assert.deepEqual(entries().map((e) => [e.header, e.command]), remotes.map((remote) => ['running at shutdown', render(rsyncCommand(settings, remote, queued[0]!))]));
});
