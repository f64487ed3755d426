/**
 * Two transfers of the same path never overlap: a slow transfer of a directory that read the old
 * bytes of a file inside it must not be able to write them over newer ones. From outside: the
 * real bin/sersync2 (compat and --batch), a real `rsync --daemon` on 127.0.0.1, and an `rsync`
 * first in PATH that, for the one transfer the test arms, copies what it would send (cp -a of the
 * watch tree), says it started, waits for the test's release, then runs the real rsync from that
 * copy: an rsync that read the old bytes and writes them late. While it waits, the test rewrites a
 * file inside the directory (v1..vN, plain writes) and lets the daemon run whatever it will; once
 * it is released, the remote must end with vN and keep it. Every other command runs the real rsync.
 *
 * Two slow transfers of a directory, each round: a directory moved into the tree (its own
 * recursive sync), and a full sync of the whole tree (an inotify queue overflow, forced by a small
 * max_queued_events and a burst written while the daemon is stopped). In batch mode one batch runs
 * at a time anyway, so there only the full sync depends on the ordering rule.
 *
 * `-artz`, not the stock `-artuz`: with -u the late copy would skip the file for its older mtime,
 * whereas a real rsync compares mtimes before it sends, so -u narrows the race without closing it.
 */
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { configWorkspace } from './helpers/config';
import { withQueuedEventsLimit } from './helpers/queuedEventsLimit';
import { startRsyncDaemon, type RsyncDaemon } from './helpers/rsyncd';
import { startSersync, type RunningSersync } from './helpers/sersync';
import { tempDir } from './helpers/tempDir';
import { waitFor, waitForStable } from './helpers/wait';

const cleanups: Array<() => unknown> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const ROUNDS = 3;
/** Below the events of a burst (a create and a close-write for each file), far above a round's. */
const QUEUED_EVENTS = 256;
const BURST_FILES = 400;

interface StandIn {
  /** sersync2's environment: the stand-in first in PATH. */
  readonly env: NodeJS.ProcessEnv;
  /** Where its markers are. */
  readonly state: string;
  /** The lines of the runs that were not held: `start` and `end` for each. */
  log(): string[];
}

/**
 * The stand-in. `arm` holds `ROUND full` or `ROUND dir NAME`; the first command that transfers
 * that (`./` with no list on stdin, `./NAME` as an argument, or NAME in the list a batch hands it
 * on stdin) takes the arm file and is held; it writes `finished-ROUND` with its real rsync's exit
 * code. Every other run appends `start` and `end` to `log`.
 */
function installStandIn(root: string): StandIn {
  const which = spawnSync('/bin/sh', ['-c', 'command -v rsync'], { encoding: 'utf8' });
  assert.equal(which.status, 0, `no rsync in PATH: ${which.stderr}`);
  const real = which.stdout.trim();
  const bin = path.join(root, 'bin');
  const state = path.join(root, 'state');
  fs.mkdirSync(bin);
  fs.mkdirSync(state);
  fs.writeFileSync(path.join(bin, 'rsync'), `#!/bin/sh
S='${state}'
input=
case " $* " in *' --files-from=- '*|*' --include-from=- '*) input=$(mktemp "$S/input.XXXXXX") && cat > "$input" || exit 97;; esac
run() { if [ -n "$input" ]; then '${real}' "$@" < "$input"; else '${real}' "$@"; fi; }
if [ -e "$S/arm" ] && read -r round kind name 2>/dev/null < "$S/arm"; then
  hit=
  if [ "$kind" = full ]; then
    if [ -z "$input" ]; then for a; do [ "$a" = ./ ] && hit=1; done; fi
  elif [ -n "$input" ]; then
    tr '\\0' '\\n' < "$input" | grep -qxF -e "$name" -e "$name/***" && hit=1
  else
    for a; do [ "$a" = "./$name" ] && hit=1; done
  fi
  if [ -n "$hit" ] && mv "$S/arm" "$S/claimed-$round" 2>/dev/null; then
    fin="$S/finished-$round"
    snap="$S/snapshot-$round"
    { mkdir "$snap" && cp -a . "$snap"; } || { echo snapshot-failed > "$fin"; exit 98; }
    : > "$S/started-$round"
    i=0; while [ ! -e "$S/release-$round" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done
    [ -e "$S/release-$round" ] || { echo never-released > "$fin"; exit 99; }
    cd "$snap" && run "$@"; rc=$?
    echo "$rc" > "$fin.tmp" && mv "$fin.tmp" "$fin"
    exit $rc
  fi
fi
echo start >> "$S/log"
run "$@"; rc=$?
echo end >> "$S/log"
exit $rc
`, { mode: 0o755 });
  const logFile = path.join(state, 'log');
  return {
    env: { PATH: `${bin}:${process.env.PATH}` },
    state,
    log: () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').filter(Boolean) : []),
  };
}

interface Scene {
  readonly watch: string;
  readonly outside: string;
  readonly daemon: RsyncDaemon;
  readonly sersync: RunningSersync;
  readonly standIn: StandIn;
}

function remoteBytes(s: Scene, rel: string): string | undefined {
  const file = path.join(s.daemon.dir, rel);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
}

/** Until nothing has run or been printed for a while, and every run that started has ended. */
async function quiet(s: Scene, what: string): Promise<void> {
  await waitFor(what, async () => {
    const { log } = await waitForStable(what, () => ({ log: s.standIn.log(), out: s.sersync.stdout().length }), 400, 20_000);
    return log.filter((l) => l === 'start').length === log.filter((l) => l === 'end').length;
  }, 30_000);
}

/**
 * One slow transfer of a directory (`dir`: one moved in; `full`: the whole tree), with the file
 * inside it rewritten `rewrites` times while it runs.
 */
async function round(s: Scene, kind: 'dir' | 'full', n: number, rewrites: number): Promise<void> {
  const id = `${kind}${n}`;
  const rel = `${id}/sub/f`;
  const versions = Array.from({ length: rewrites + 1 }, (_, v) => `${id} v${v} ${'#'.repeat(v * 7)}\n`);
  const newest = versions[rewrites]!;
  const marker = (m: string) => path.join(s.standIn.state, `${m}-${id}`);
  if (kind === 'dir') {
    fs.mkdirSync(path.join(s.outside, id, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(s.outside, rel), versions[0]!);
    fs.writeFileSync(path.join(s.outside, id, 'other'), 'other');
    fs.writeFileSync(path.join(s.standIn.state, 'arm'), `${id} dir ${id}\n`);
    fs.renameSync(path.join(s.outside, id), path.join(s.watch, id));
  } else {
    fs.mkdirSync(path.join(s.watch, id, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(s.watch, rel), versions[0]!);
    await waitFor(`${id}: v0 on the remote`, () => remoteBytes(s, rel) === versions[0]);
    fs.writeFileSync(path.join(s.standIn.state, 'arm'), `${id} full\n`);
    // An overflow asks for a full sync: a burst while the daemon cannot read.
    const overflows = () => s.sersync.stdout().split('inotify queue overflow').length - 1;
    const before = overflows();
    fs.mkdirSync(path.join(s.watch, `burst-${id}`));
    await waitFor(`${id}: the burst's directory watched`, () => s.sersync.stdout().includes(`inotify name:burst-${id}\t`));
    assert.ok(process.kill(s.sersync.child.pid!, 'SIGSTOP'));
    let burst: SpawnSyncReturns<string>;
    try {
      burst = spawnSync('/bin/sh', ['-c', `cd "burst-${id}" && i=0; while [ $i -lt ${BURST_FILES} ]; do : > f$i; i=$((i+1)); done`], { cwd: s.watch, encoding: 'utf8' });
    } finally {
      assert.ok(process.kill(s.sersync.child.pid!, 'SIGCONT'));
    }
    assert.equal(burst.status, 0, burst.stderr);
    await waitFor(`${id}: the overflow`, () => overflows() > before);
  }
  await waitFor(`${id}: the slow transfer of ${kind === 'dir' ? id : 'the tree'} to start`, () => fs.existsSync(marker('started')), 20_000);
  assert.equal(fs.readFileSync(path.join(s.standIn.state, `snapshot-${id}`, rel), 'utf8'), versions[0], 'the slow transfer holds the old bytes');
  // A writer that does not wait for anybody; then a marker: once the daemon has read its event, it has read theirs.
  for (const version of versions.slice(1)) fs.writeFileSync(path.join(s.watch, rel), version);
  fs.writeFileSync(path.join(s.watch, `marker-${id}`), '');
  await waitFor(`${id}: the daemon to read the rewrites`, () => s.sersync.stdout().includes(`inotify name:marker-${id}\t`), 20_000);
  assert.equal(fs.existsSync(marker('finished')), false, 'the rewrites arrived while the slow transfer was running');
  // Whatever the daemon runs beside the slow transfer runs now, and ends.
  await quiet(s, `${id}: the daemon while the slow transfer is held`);
  fs.writeFileSync(marker('release'), '');
  const rc = await waitFor(`${id}: the slow transfer to finish`, () => fs.existsSync(marker('finished')) && fs.readFileSync(marker('finished'), 'utf8').trim(), 20_000);
  assert.equal(rc, '0', `${id}: the slow transfer's real rsync`);
  try {
    await waitFor(`${id}: the newest bytes on the remote`, () => remoteBytes(s, rel) === newest, 8_000);
  } catch {
    assert.equal(remoteBytes(s, rel), newest, `${id}: the remote holds older bytes after the slow transfer ended`);
  }
  await quiet(s, `${id}: the daemon after the slow transfer`);
  assert.equal(remoteBytes(s, rel), newest, `${id}: the newest bytes stay on the remote`);
  if (kind === 'full') {
    // Every held transfer copies the whole tree, on a disk where a file costs milliseconds.
    fs.rmSync(path.join(s.watch, `burst-${id}`), { recursive: true });
    await quiet(s, `${id}: the daemon after the burst's removal`);
  }
}

for (const [mode, args] of [['compat', []], ['batch', ['--batch']]] as const) {
  test(`${mode}: a slow transfer of a directory never writes its old bytes over newer ones of a file inside it`, { timeout: 90_000 }, async () => {
    const daemon = await startRsyncDaemon(tempDir(`ordering-remote-${mode}-`));
    cleanups.push(() => daemon.stop());
    const ws = configWorkspace(`ordering-${mode}`, { port: daemon.port, params: '-artz', debug: true });
    const outside = path.join(ws.root, 'outside');
    fs.mkdirSync(outside);
    const standIn = installStandIn(ws.root);
    // The limit is taken when the daemon's inotify instance is created.
    const sersync = await withQueuedEventsLimit(QUEUED_EVENTS, () => startSersync([...args, '-o', ws.config], { env: standIn.env }));
    cleanups.push(() => sersync.stop());
    const s: Scene = { watch: ws.watch, outside, daemon, sersync, standIn };
    const started = performance.now();
    for (let r = 1; r <= ROUNDS; r++) {
      await round(s, 'dir', r, 2 + r);
      await round(s, 'full', r, 2 + r);
    }
    console.log(`# ${mode}: ${ROUNDS * 2} slow transfers in ${Math.round(performance.now() - started)} ms`);
    assert.equal(await sersync.stop(), 0, sersync.stderr());
  });
}
