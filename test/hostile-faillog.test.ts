/**
 * Hostile names on the failure paths, through the real bin/sersync2, the kernel's inotify and a
 * real rsync daemon, in compat and in batch mode. The names try to run `touch CANARY` (a newline
 * then a command, quotes, a backtick, `$()`, a `\` before a newline, a fake `#errno` header, bytes
 * that are not UTF-8); no file named CANARY may appear anywhere. The path they take:
 *
 * 1. the remote is down: the live command fails, its retry fails, the fail log gets it;
 * 2. the daemon is SIGKILLed; a new one starts its fail-log run while the remote hangs, and is
 *    SIGKILLed in the middle of it, leaving the run's aside file;
 * 3. the remote is back; a third daemon puts the interrupted run back at start and reruns it:
 *    the remote must then hold every name byte for byte (no -r: only the fail log can bring them);
 * 4. the fail log of step 1 run by hand with `sh FILE`: one rsync connection per entry, and again
 *    every name arrives.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseFailLogEntries } from '../lib/failLog/file';
import { writeConfig } from './helpers/config';
import { canaries, HOSTILE_NAMES } from './helpers/hostile';
import { startRsyncDaemon, type RsyncDaemon } from './helpers/rsyncd';
import { startSersync, type RunningSersync, untilReport } from './helpers/sersync';
import { snapshot, waitForMirror } from './helpers/tree';
import { waitFor } from './helpers/wait';

const connects = (daemonLog: string) => (fs.existsSync(daemonLog) ? fs.readFileSync(daemonLog, 'utf8').split('\n').filter((l) => l.includes('connect from')).length : 0);

for (const [mode, args] of [['compat', []], ['batch', ['--batch']]] as const) {
  describe(mode, () => {
    let root: string;
    let watch: string;
    let failLog: string;
    let config: string;
    let daemon: RsyncDaemon;
    const running: RunningSersync[] = [];

    before(async () => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), `hostile-faillog-${mode}-`));
      watch = path.join(root, 'w');
      failLog = path.join(root, 'fail.sh');
      fs.mkdirSync(watch);
      daemon = await startRsyncDaemon(root);
      config = writeConfig(path.join(root, 'confxml.xml'), { watch, failLog, port: daemon.port });
      fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace('timeToExecute="60"', 'timeToExecute="1"'));
    });

    after(async () => {
      for (const s of running) await s.stop('SIGKILL');
      await daemon?.stop();
      fs.rmSync(root, { recursive: true, force: true });
    });

    const w = (...parts: Array<string | Buffer>): Buffer => Buffer.concat([Buffer.from(watch), ...parts.flatMap((p) => [Buffer.from('/'), Buffer.from(p)])]);

    async function sersync(minuteMs: number): Promise<RunningSersync> {
      // cwd: root, where a piece of a split command would run.
      const s = await startSersync([...args, '-o', config], { cwd: root, env: { SERSYNC2_MINUTE_MS: String(minuteMs) } });
      running.push(s);
      return s;
    }

    test('remote down -> fail log -> crash -> a crash during the rerun -> remote up -> our rerun; then `sh FILE` by hand', { timeout: 120_000 }, async () => {
      await daemon.stop();
      const first = await sersync(600_000);
      for (const [i, name] of HOSTILE_NAMES.entries()) fs.writeFileSync(w(name), `content ${i}\n`);
      fs.mkdirSync(w('d\ntouch CANARY #'));
      for (const name of HOSTILE_NAMES.slice(0, 4)) fs.writeFileSync(w('d\ntouch CANARY #', name), 'inside');
      fs.writeFileSync(w('gone\ntouch CANARY #'), 'x');
      await waitFor('the file to be written', () => fs.existsSync(w('gone\ntouch CANARY #')));
      fs.rmSync(w('gone\ntouch CANARY #'));
      // A sentinel written last: once its entry is in the fail log, every event before it was read.
      fs.writeFileSync(w('zz-sentinel'), 'last');
      await waitFor('the sentinel in the fail log', () => fs.readFileSync(failLog).includes('zz-sentinel'), 20_000);
      // Every command that failed twice is in the fail log and in a backoff lane (the remote stays
      // down, so none leaves it): once nothing is queued or running and the lanes hold as many
      // commands as the fail log, no first retry is left to record.
      const entriesNow = () => parseFailLogEntries(fs.readFileSync(failLog, 'utf8')).length;
      await untilReport(first, 'every failure in the fail log', (r) => r.queued === 0 && r.running === 0 && r.retrying === entriesNow());
      await first.stop('SIGKILL');
      const written = fs.readFileSync(failLog);
      const entries = parseFailLogEntries(written.toString('utf8'));
      assert.ok(written.includes('\n#lines '), 'entries with a newline in a name carry their line count');
      const byHand = path.join(root, 'by-hand.sh');
      fs.writeFileSync(byHand, written);

      // A remote that accepts and never answers: the run hangs in its first entry, and dies there.
      const sockets: net.Socket[] = [];
      const hang = net.createServer((s) => sockets.push(s));
      await new Promise<void>((resolve) => hang.listen(daemon.port, '127.0.0.1', resolve));
      const second = await sersync(300);
      await waitFor('the fail-log run to start', () => fs.existsSync(`${failLog}.running`), 20_000);
      await second.stop('SIGKILL');
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => hang.close(resolve));
      assert.equal(fs.statSync(failLog).size, 0, 'the run took the entries aside');

      await daemon.restart();
      const third = await sersync(300);
      assert.match(third.stdout(), new RegExp(`${entries.length} commands of an interrupted fail-log run were put back`));
      await waitForMirror('the rerun of the fail log', watch, () => daemon.dir, { timeoutMs: 30_000, context: () => `canaries: ${JSON.stringify(canaries(root))}\n${third.stdout().slice(-3000)}` });
      await waitFor('the fail log to be done', () => !fs.existsSync(`${failLog}.running`) && fs.statSync(failLog).size === 0);
      await third.stop();
      assert.deepEqual(canaries(root), []);

      // The same fail log, run by hand: each entry once, nothing else.
      fs.rmSync(daemon.dir, { recursive: true });
      fs.mkdirSync(daemon.dir);
      const before = connects(path.join(root, 'rsyncd-mirror.log'));
      const r = spawnSync('/bin/sh', [byHand], { cwd: root, encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.error, undefined);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(connects(path.join(root, 'rsyncd-mirror.log')) - before, entries.length, 'one rsync connection per entry');
      assert.deepEqual([...snapshot(daemon.dir).keys()].sort(), [...snapshot(watch).keys()].sort());
      assert.deepEqual(canaries(root), []);
    });
  });
}
