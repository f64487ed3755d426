/**
 * The fail log with hostile file names: whatever the bytes of a name, reading the fail log gives
 * back exactly the commands written (our reader, a crash recovery, and sersync2-style entries
 * without our `#lines` count), our rerun runs each entry as one command through a real /bin/sh,
 * and `sh FILE` by hand runs each entry once and nothing else. The names try to run
 * `touch CANARY`; no CANARY may appear.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { systemClock } from '../lib/clock';
import { parseConfig } from '../lib/config/load';
import type { PathEvent } from '../lib/events/types';
import { failLogEntry, FailLogFile, parseFailLogEntries } from '../lib/failLog/file';
import { Failures } from '../lib/failLog/failures';
import { concatPath, type PathName } from '../lib/paths';
import { batchCommands as batchModels } from '../lib/rsync/batch';
import { commandSettings, commandSource, rsyncCommand as rsyncModel, type CommandSettings } from '../lib/rsync/command';
import { type Command, render } from '../lib/command/model';
import { readCommand } from '../lib/command/read';

/** The commands' `sh -c` strings, the fail log's text. */
const batchCommands = (...args: Parameters<typeof batchModels>) => batchModels(...args).map(render);
const rsyncCommand = (...args: Parameters<typeof rsyncModel>) => render(rsyncModel(...args));
import { ShellRunner } from '../lib/runner/shell';
import { GOLDEN_DIR } from './helpers/golden';
import { freePort } from './helpers/rsyncd';
import { rng } from '../workload/rng';
import { tempDir } from './helpers/tempDir';

const REMOTE = { ip: '127.0.0.1', name: 'mirror' };

function settings(watch: string, port?: number): CommandSettings {
  const stock = commandSettings(parseConfig(fs.readFileSync(path.join(GOLDEN_DIR, 'stock-confxml.xml')), '/x.xml').config);
  return { ...stock, watch, rsync: { ...stock.rsync, userDefinedPort: port ? { enabled: true, port } : stock.rsync.userDefinedPort } };
}

/** Names that try to end a command, start another, or confuse a reader of lines. */
const HOSTILE: PathName[] = [
  'x\ntouch CANARY #',
  'x\n\ntouch CANARY #',
  'ends-in-newline\n',
  'ends-in-two\n\n',
  '\nstarts-with-newline',
  'dq"; touch CANARY; "',
  'bt`touch CANARY`',
  '$(touch CANARY)',
  'bs\\\ntouch CANARY #',
  "sq'\ntouch CANARY #'",
  'x\n#errno 0\ntouch CANARY\n',
  'x\n#lines 1\ntouch CANARY #',
  '\ufeffbom',
  Buffer.concat([Buffer.from('raw-\xff\xfe', 'latin1'), Buffer.from('\ntouch CANARY #')]),
];

const PIECES = ['\n', '\n\n', '"', '`', '$(', ')', '\\', "'", '#', '#lines 2', '#errno 0', ' ', '\ufeff', '*', '?', '[', ';', '&', '|', 'touch CANARY', 'a', 'é', '\u4e2d', '\r'];

/** A seeded generator of names: hostile pieces, sometimes raw bytes that are not UTF-8. */
function generatedNames(seed: number, count: number): PathName[] {
  const random = rng(seed);
  const names: PathName[] = [];
  for (let n = 0; n < count; n++) {
    const parts: Buffer[] = [];
    for (let i = 1 + Math.floor(random() * 8); i > 0; i--) {
      parts.push(random() < 0.15 ? Buffer.from([0x80 + Math.floor(random() * 0x80)]) : Buffer.from(PIECES[Math.floor(random() * PIECES.length)]!));
    }
    const bytes = Buffer.concat(parts);
    const text = bytes.toString('utf8');
    names.push(Buffer.from(text).equals(bytes) ? text : bytes);
  }
  return names;
}

/** Every kind of command a name can end up in: sync, file and directory delete, both batch lists, the command plugin; and a full sync. */
function commandsFor(s: CommandSettings, names: readonly PathName[]): string[] {
  const events = names.map((name, i): PathEvent => ({ kind: i % 2 ? 'delete' : 'sync', path: name, isDir: i % 3 === 0, cause: i % 2 ? 'deleted' : 'modified' }));
  const plugin = (name: PathName) => render({ kind: 'plugin', prefix: 'false', path: concatPath(s.watch, '/', name), suffix: '-x', quiet: true }) // fails, so a rerun writes it back;
  return [
    rsyncCommand(s, REMOTE, { kind: 'full' }),
    ...events.flatMap((e) => [rsyncCommand(s, REMOTE, { kind: 'sync', path: e.path }), rsyncCommand(s, REMOTE, { kind: 'delete', path: e.path, isDir: e.isDir }), plugin(e.path)]),
    ...batchCommands(s, REMOTE, events.filter((e) => e.kind === 'sync'), 4096),
    ...batchCommands(s, REMOTE, events, 4096),
  ];
}

test('reading the fail log gives back exactly what was written, for any name bytes (seeded)', () => {
  const s = settings('/srv/w');
  for (const seed of [1, 2, 3, 4, 5]) {
    const commands = commandsFor(s, [...HOSTILE, ...generatedNames(seed, 200)]);
    assert.ok(commands.some((c) => c.includes('\n')), 'some commands span lines');
    const file = new FailLogFile(path.join(tempDir('faillog-names-'), 'fail.sh'));
    file.append(commands.map((c, i) => failLogEntry(`errno ${i}`, c)));
    const text = fs.readFileSync(file.path, 'utf8');
    const taken = file.takeAside();
    assert.deepEqual(taken.entries.map((e) => e.command), commands, `seed ${seed}: the entries read back`);
    assert.deepEqual(taken.entries.map((e) => e.header), commands.map((_, i) => `errno ${i}`), `seed ${seed}: the headers read back`);
    // A crash during the run: the entries come back, byte for byte.
    assert.equal(file.recoverAside(), commands.length);
    assert.equal(fs.readFileSync(file.path, 'utf8'), text);
    // Without our `#lines` counts (sersync2's file, or one edited by hand) entries end where the shell ends them.
    const withoutCounts = commands.map((c, i) => `#errno ${i}\n${c}\n\n`).join('');
    assert.deepEqual(parseFailLogEntries(withoutCounts).map((e) => e.command), commands, `seed ${seed}: read as the shell reads it`);
  }
});

test('a command without a newline keeps sersync2 fail-log bytes; one with a newline gets a "#lines N" comment', () => {
  const s = settings('/srv/w');
  const plain = rsyncCommand(s, REMOTE, { kind: 'sync', path: 'a.txt' });
  assert.equal(failLogEntry('errno 2560', plain), `#errno 2560\n${plain}\n\n`);
  const multi = rsyncCommand(s, REMOTE, { kind: 'sync', path: 'x\n\ny' });
  assert.equal(failLogEntry('errno 2560', multi), `#errno 2560\n#lines 3\n${multi}\n\n`);
});

/** An `rsync` stand-in that records each call's arguments, NUL-separated, one file per call. */
function recordingRsync(dir: string, exitCode = 0): { env: NodeJS.ProcessEnv; calls: () => Buffer[][] } {
  const bin = path.join(dir, 'bin');
  const calls = path.join(dir, 'calls');
  fs.mkdirSync(bin, { recursive: true });
  fs.mkdirSync(calls, { recursive: true });
  fs.writeFileSync(path.join(bin, 'rsync'), `#!/bin/sh\nf=$(mktemp "${calls}/call.XXXXXX")\nprintf '%s\\0' "$@" > "$f"\nexit ${exitCode}\n`, { mode: 0o755 });
  return {
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
    calls: () =>
      fs.readdirSync(calls).map((f) => {
        const bytes = fs.readFileSync(path.join(calls, f));
        const args: Buffer[] = [];
        for (let start = 0, end = bytes.indexOf(0); end !== -1; start = end + 1, end = bytes.indexOf(0, start)) args.push(bytes.subarray(start, end));
        return args;
      }),
  };
}

const canaries = (dir: string) => fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => /CANARY/.test(f));

test('`sh FILE` by hand runs each entry once, with the exact name bytes, and nothing else', () => {
  const dir = tempDir('faillog-sh-');
  const watch = path.join(dir, 'w');
  fs.mkdirSync(watch);
  const s = settings(watch);
  const file = new FailLogFile(path.join(dir, 'fail.sh'));
  const names = [...HOSTILE, ...generatedNames(7, 40)];
  file.append(names.map((name) => failLogEntry('errno 2560', rsyncCommand(s, REMOTE, { kind: 'sync', path: name }))));
  const rsync = recordingRsync(dir);
  const r = spawnSync('/bin/sh', [file.path], { cwd: watch, env: rsync.env, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.error, undefined);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(canaries(dir), []);
  const sent = rsync.calls().map((args) => args.find((a) => a.subarray(0, 2).toString() === './'));
  const expected = names.map((n) => Buffer.concat([Buffer.from('./'), Buffer.from(n)]));
  const hex = (bs: ReadonlyArray<Buffer | undefined>) => bs.map((b) => b?.toString('hex') ?? '(none)').sort();
  assert.equal(sent.length, names.length, 'one rsync per entry');
  assert.deepEqual(hex(sent), hex(expected));
});

test('`sh FILE` by hand: a failing batch entry (rsync exit 24, 23, 10) ends that entry alone, never the script', () => {
  const dir = tempDir('faillog-sh-batch-');
  const watch = path.join(dir, 'w');
  fs.mkdirSync(watch);
  const s = settings(watch);
  const file = new FailLogFile(path.join(dir, 'fail.sh'));
  const batches = HOSTILE.map((name): PathEvent => ({ kind: 'sync', path: name, isDir: false, cause: 'modified' })).map((e) => batchCommands(s, REMOTE, [e])[0]!);
  file.append(batches.map((c) => failLogEntry('errno 6144', c)));
  for (const code of [24, 23, 10]) {
    const rsync = recordingRsync(path.join(dir, String(code)), code);
    const r = spawnSync('/bin/sh', [file.path], { cwd: watch, env: rsync.env, encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.error, undefined);
    assert.equal(rsync.calls().length, batches.length, `rsync exit ${code}: every entry runs once`);
  }
  assert.deepEqual(canaries(dir), []);
});

test('a fail-log line reads back as the command it was, remote included, for any name bytes and options (seeded)', () => {
  const stock = settings('/srv/my w');
  const other = { ip: '10.0.0.2', name: 'backup' };
  const variants: CommandSettings[] = [
    stock,
    { ...stock, rsync: { ...stock.rsync, ssh: true, timeout: { enabled: true, time: 30 } }, deleteEnabled: false },
    { ...stock, rsync: { ...stock.rsync, auth: { enabled: true, users: 'alice', passwordFile: '/etc/rsync.pas' }, userDefinedPort: { enabled: true, port: 8730 } }, debug: true, fullSyncExcludes: ['*.tmp', 'a b/*'] },
  ];
  for (const [n, s] of variants.entries()) {
    const names = [...HOSTILE, ...generatedNames(n + 10, 100)];
    const events = names.map((name, i): PathEvent => ({ kind: i % 2 ? 'delete' : 'sync', path: name, isDir: i % 3 === 0, cause: i % 2 ? 'deleted' : 'modified' }));
    const models: Command[] = [REMOTE, other].flatMap((remote) => [
      rsyncModel(s, remote, { kind: 'full' }),
      ...events.flatMap((e) => [rsyncModel(s, remote, { kind: 'sync', path: e.path }), rsyncModel(s, remote, { kind: 'delete', path: e.path, isDir: e.isDir })]),
      ...batchModels(s, remote, events.filter((e) => e.kind === 'sync'), 4096),
      ...batchModels(s, remote, events, 4096),
    ]);
    const file = new FailLogFile(path.join(tempDir('faillog-read-'), 'fail.sh'));
    file.append(models.map((c) => failLogEntry('errno 2560', render(c))));
    const source = commandSource(s, [REMOTE, other]);
    const read = file.takeAside().entries.map((e) => readCommand(e.command, source));
    // Paths come back as the strings or bytes they were; the objects equal field for field.
    assert.deepEqual(read, models, `variant ${n}`);
  }
  // A line of another config, or sersync2's own: run as written, attributed to the remote it names.
  const legacy = 'cd /w && rsync -artuz -R "./b" 10.0.0.2::backup >/dev/null 2>&1 ';
  assert.deepEqual(readCommand(legacy, commandSource(stock, [REMOTE, other])), { kind: 'script', text: legacy, remote: other });
  assert.deepEqual(readCommand('touch x', commandSource(stock, [REMOTE])), { kind: 'script', text: 'touch x', remote: undefined });
});

test('our rerun runs each entry as one command through /bin/sh; what fails again is written back unchanged', async () => {
  const dir = tempDir('faillog-rerun-');
  const watch = path.join(dir, 'w');
  fs.mkdirSync(watch);
  const s = settings(watch, await freePort()); // nothing listens there: the remote is down
  const cwd = process.cwd();
  process.chdir(dir); // where a piece of a split command would run
  after(() => process.chdir(cwd));
  const file = new FailLogFile(path.join(dir, 'fail.sh'));
  const commands = commandsFor(s, HOSTILE);
  file.append(commands.map((c) => failLogEntry('errno 2560', c)));
  // The plugin lines exit 1, which the operator must fix: said once; nothing else may be an error.
  const log = { warn() {}, info() {}, error: (m: string) => /the operator must fix this/.test(m) || assert.fail(m) };
  const failures = new Failures({ runner: new ShellRunner('/bin/sh'), failLog: file, clock: systemClock(), log, timeToExecute: 1, requestFullSync: () => {} });
  await failures.runFailLog();
  assert.deepEqual(canaries(dir), []);
  assert.deepEqual(parseFailLogEntries(fs.readFileSync(file.path, 'utf8')).map((e) => e.command), commands);
});

test("a fail log sersync2 wrote: an entry with a newline in a name is one command, as sh reads it; raw bytes that are not UTF-8 are refused, the file kept whole", () => {
  const dir = tempDir('faillog-legacy-');
  // sersync2's bytes for a name with a newline: only `$` escaped, the newline raw inside the quotes.
  const legacy = '#errno 2560\ncd /w && rsync -artuz -R "./x\ntouch CANARY #" 127.0.0.1::m >/dev/null 2>&1 \n\n#errno 2560\ncd /w && rsync -artuz -R "./b" 127.0.0.1::m >/dev/null 2>&1 \n\n';
  assert.deepEqual(parseFailLogEntries(legacy).map((e) => e.command), [
    'cd /w && rsync -artuz -R "./x\ntouch CANARY #" 127.0.0.1::m >/dev/null 2>&1 ',
    'cd /w && rsync -artuz -R "./b" 127.0.0.1::m >/dev/null 2>&1 ',
  ]);
  const file = new FailLogFile(path.join(dir, 'fail.sh'));
  const raw = Buffer.concat([Buffer.from('#errno 2560\ncd /w && rsync -artuz -R "./'), Buffer.from([0xd6, 0xd0]), Buffer.from('" 127.0.0.1::m\n\n')]);
  fs.writeFileSync(file.path, raw, { mode: 0o600 });
  assert.throws(() => file.takeAside(), (e: NodeJS.ErrnoException) => e.code === 'FAILLOG_NOT_UTF8' && /not UTF-8.*run it by hand/.test(e.message));
  assert.deepEqual(fs.readFileSync(file.path), raw, 'left as it was');
  assert.equal(fs.existsSync(file.asidePath), false);
});
