/**
 * Golden, end to end: the real bin/sersync2 watches a real directory through the kernel's inotify,
 * the corpus steps run in it (and again on the fanotify watcher where the tests run as root), and every `sh -c` string it runs is recorded (SERSYNC2_SHELL) and
 * compared with what sersync2 2.5.4 ran, byte for byte. Extras are allowed only where
 * fixtures/golden-compat.json names them: our deviations (allowedExtra, each one documented in
 * COMPATIBILITY.md), and what a read between two system calls of a step gives (mayUnderLoad).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fill, goldenCases, isRsyncOrPluginCommand, placeholdersFor, type GoldenCase } from './helpers/golden';
import { watchers } from './helpers/fanotify';
import { commandRecorder, type SighupReport, startSersync, untilReport } from './helpers/sersync';
import { waitFor } from './helpers/wait';

const compat = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../fixtures/golden-compat.json'), 'utf8')) as {
  allowedExtra: Record<string, Record<string, { commands: string[] }>>;
  /** Commands a step may also run when a read falls between two of its system calls (not a deviation: sersync2's timing would give them too). */
  mayUnderLoad: Record<string, Record<string, { commands: string[] }>>;
};

/** Cases whose behaviour the engine covers; 17 (periodic fail-log execution) runs in the failLog tests. */
const E2E = ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12', '13', '14', '15', '16'];

const count = (list: readonly string[], item: string): number => list.filter((s) => s === item).length;

const roots: string[] = [];
after(() => {
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
});

async function replay(c: GoldenCase, watcher: string): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `golden-${c.name}-${watcher}-`));
  roots.push(root);
  const p = placeholdersFor(root);
  for (const dir of [p.WATCH, p.PWATCH, path.join(root, 'outside')]) fs.mkdirSync(dir);
  fs.writeFileSync(p.CONFIG, fill(fs.readFileSync(path.join(c.dir, 'confxml.xml'), 'utf8'), p));
  for (const command of c.setup ?? []) spawnSync('bash', ['-c', command], { cwd: p.WATCH });
  const recorder = commandRecorder(path.join(root, 'rec'), c.rsyncExit ?? 0);

  const watcherArgs = watcher === 'inotify' ? [] : ['--watcher', watcher];
  const sersync = await startSersync([...c.args.map((a) => fill(a, p)), ...watcherArgs], { env: recorder.env });
  try {
    const startup = c.startup.filter(isRsyncOrPluginCommand).map((s) => fill(s, p));
    assert.deepEqual(recorder.commands().sort(), [...startup].sort(), 'startup commands');
    recorder.clear();

    // A command that failed twice is retried in memory after 1, 2, 4 ... s (COMPATIBILITY.md: "after
    // a failed retry"); such a retry may land in any later step.
    const backoffRetries = new Set<string>();
    const failing = (c.rsyncExit ?? 0) !== 0 && c.rsyncExit !== 23;
    for (const [i, step] of c.steps.entries()) {
      const run = spawnSync('bash', ['-c', step.run], { cwd: p.WATCH });
      assert.equal(run.status, 0, `step ${i} failed to run: ${run.stderr}`);
      // A marker file written after the step: once its command shows up, every event of the step
      // has been read and queued before it. Then SIGHUP reports until the daemon is idle: nothing
      // queued or running, and nothing left to retry; where every command fails, the backoff
      // lanes never empty, so there each expected command must also have run as often as listed.
      const marker = `zz-marker-${i}`;
      fs.writeFileSync(path.join(p.WATCH, marker), '');
      await waitFor(`the marker command of step ${i}`, () => recorder.commands().some((cmd) => cmd.includes(marker)));
      const expected = step.commands.map((s) => fill(s, p));
      const stepCommands = () => recorder.commands().filter((cmd) => !cmd.includes('zz-marker-'));
      const ranAll = () => expected.every((cmd) => count(stepCommands(), cmd) >= count(expected, cmd));
      const done = (r: SighupReport) => r.queued === 0 && r.running === 0 && (failing ? ranAll() : r.retrying === 0);
      // A step that never settles fails below with what ran, or with the timeout when that matched.
      const unsettled = await untilReport(sersync, `step ${i} to be done`, done).then(() => undefined, (error: Error) => error);
      const seen = stepCommands();
      recorder.clear();

      const allowed = new Set([...expected, ...backoffRetries, ...(step.mayAlso ?? []).map((s) => fill(s, p)), ...[compat.allowedExtra, compat.mayUnderLoad].flatMap((list) => list[c.name]?.[String(i)]?.commands ?? []).map((s) => fill(s, p))]);
      const missing = expected.filter((cmd) => !seen.includes(cmd));
      const unexpected = seen.filter((cmd) => !allowed.has(cmd));
      assert.deepEqual({ missing, unexpected }, { missing: [], unexpected: [] }, `step ${i}: ${step.run}`);
      // sersync2 ran each expected command as often as listed (retries included). One more run of
      // the same command may come on either watcher: when the daemon reads a file's create before
      // the shell's write and close (a read between two system calls, more likely under the other
      // tests' load), the later events run it again, as they must. Seen in CI on 06's
      // `echo 1 > a.txt` (fanotify) and `echo 1 > d/x` (inotify). How often the rules themselves
      // emit each command is held exactly by test/golden-commands.test.ts.
      const readSplit = 1;
      for (const cmd of new Set(expected)) {
        const ran = count(seen, cmd);
        if (ran !== count(expected, cmd) + readSplit) assert.equal(ran, count(expected, cmd), `step ${i}: how often ${cmd} ran`);
        if (failing) backoffRetries.add(cmd);
      }
      if (unsettled) throw unsettled;
    }
  } finally {
    assert.equal(await sersync.stop(), 0, `exit code after SIGTERM; stderr: ${sersync.stderr()}`);
  }
  if (c.failLog !== null && (c.rsyncExit ?? 0) !== 0 && c.rsyncExit !== 23) {
    const failLog = fs.readFileSync(p.FAILLOG, 'utf8').split('\n\n').filter((entry) => entry && !entry.includes('zz-marker-'));
    const expected = fill(c.failLog, p).split('\n\n').filter(Boolean);
    assert.deepEqual(failLog, expected, 'fail log');
  }
}

for (const watcher of watchers()) {
  describe(`golden corpus, end to end (${watcher})`, () => {
    for (const c of goldenCases().filter((k) => E2E.includes(k.name.slice(0, 2)))) {
      test(c.name, { timeout: 120_000 }, () => replay(c, watcher));
    }
  });
}

test('17-faillog-execute: every timeToExecute the fail log runs again; what fails again stays, 0600', { timeout: 60_000 }, async () => {
  const c = goldenCases().find((k) => k.name.startsWith('17'))!;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'golden-17-'));
  roots.push(root);
  const p = placeholdersFor(root);
  fs.mkdirSync(p.WATCH);
  fs.writeFileSync(p.CONFIG, fill(fs.readFileSync(path.join(c.dir, 'confxml.xml'), 'utf8'), p));
  const recorder = commandRecorder(path.join(root, 'rec'), c.rsyncExit);
  // timeToExecute="1": one config minute lasts 500 ms here.
  const sersync = await startSersync(c.args.map((a) => fill(a, p)), { env: { ...recorder.env, SERSYNC2_MINUTE_MS: '500' } });
  try {
    spawnSync('bash', ['-c', c.steps[0]!.run], { cwd: p.WATCH });
    const command = fill(c.steps[0]!.commands[0]!, p);
    await waitFor('the first failure and its retry', () => recorder.commands().filter((cmd) => cmd === command).length >= 2);
    await waitFor('the entry in the fail log', () => fs.readFileSync(p.FAILLOG, 'utf8') === `#errno 2560\n${command}\n\n`);
    // sersync2 emptied the file after running it and lost the entry; here it is kept while it fails:
    // after each run that ended (its warning logged), the file holds the entry again until the next.
    const runsEnded = () => sersync.stdout().split('fail-log commands failed again and stay in').length - 1;
    await waitFor('two runs of the fail log to end', () => runsEnded() >= 2, 20_000);
    await waitFor('the entry kept after a run', () => fs.readFileSync(p.FAILLOG, 'utf8') === `#errno 2560\n${command}\n\n`, 10_000);
    assert.equal(fs.statSync(p.FAILLOG).mode & 0o777, 0o600);
    assert.ok(recorder.commands().every((cmd) => cmd === command), 'only the failing command ran: no chmod, no /bin/sh of the file');
  } finally {
    assert.equal(await sersync.stop(), 0);
  }
});
