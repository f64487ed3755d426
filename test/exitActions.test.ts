/**
 * The exit-code table's actions and the results' remotes, against a real rsync daemon and the real
 * daemon: a refused password is said once as something the operator must fix while the retries go
 * on (sersync2's rule), and the `-r` full sync's failure is retried in its own remote's lane, so
 * the remote coming back shows in the status file without a new event.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import type { StatusSnapshot } from '../lib/status/collector';
import { configWorkspace } from './helpers/config';
import { type RsyncDaemon, startRsyncDaemon } from './helpers/rsyncd';
import { type RunningSersync, startSersync } from './helpers/sersync';
import { waitFor } from './helpers/wait';

const daemons: RsyncDaemon[] = [];
const running: RunningSersync[] = [];
after(async () => {
  for (const s of running) await s.stop();
  for (const d of daemons) await d.stop();
});

const OPERATOR = /the operator must fix this/g;

test('a refused password is said once as for the operator to fix; the retries go on and catch up once it is fixed', { timeout: 60_000 }, async () => {
  const { root, watch, config, failLog } = configWorkspace('exit-auth');
  fs.writeFileSync(path.join(root, 'secrets'), 'alice:right-one\n', { mode: 0o600 });
  const password = path.join(root, 'client.pas');
  fs.writeFileSync(password, 'wrong-one\n', { mode: 0o600 });
  const daemon = await startRsyncDaemon(root, 'mirror', `  auth users = alice\n  secrets file = ${root}/secrets\n`);
  daemons.push(daemon);
  const xml = fs.readFileSync(config, 'utf8').replace('<userDefinedPort start="false" port="874"/>', `<userDefinedPort start="true" port="${daemon.port}"/>`);
  fs.writeFileSync(config, xml.replace('<auth start="false" users="root" passwordfile="/etc/rsync.pas"/>', `<auth start="true" users="alice" passwordfile="${password}"/>`));
  const s = await startSersync(['-o', config]);
  running.push(s);

  for (let i = 0; i < 3; i++) fs.writeFileSync(path.join(watch, `f${i}.txt`), `file ${i}\n`);
  const refusals = () => (fs.readFileSync(path.join(root, 'rsyncd-mirror.log'), 'utf8').match(/auth failed on module mirror/g) ?? []).length;
  // 3 commands, 3 first retries, then the backoff's: the retries go on.
  await waitFor('8 refused logins at the rsync daemon', () => refusals() >= 8, 30_000, 50);
  assert.ok(fs.readFileSync(failLog, 'utf8').includes('#errno 1280\n'), 'exit 5 is kept in the fail log');
  const said = s.stdout().match(OPERATOR) ?? [];
  assert.equal(said.length, 1, `said once, not once per retry:\n${s.stdout()}`);
  assert.match(s.stdout(), /remote 127\.0\.0\.1::mirror: rsync exit 5 \(error starting client-server protocol\): the operator must fix this/);

  fs.writeFileSync(password, 'right-one\n', { mode: 0o600 });
  await waitFor('the 3 files on the remote, by the retries alone', () => [0, 1, 2].every((i) => fs.existsSync(path.join(daemon.dir, `f${i}.txt`))), 60_000, 50);
  assert.equal((s.stdout().match(OPERATOR) ?? []).length, 1);
});

test('the -r full sync keeps its remote: its retry, once the remote is back, counts there', { timeout: 60_000 }, async () => {
  const { root, watch, config } = configWorkspace('exit-full');
  fs.writeFileSync(path.join(watch, 'before.txt'), 'before\n');
  const daemon = await startRsyncDaemon(root);
  daemons.push(daemon);
  fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace('<userDefinedPort start="false" port="874"/>', `<userDefinedPort start="true" port="${daemon.port}"/>`));
  await daemon.stop();
  const statusFile = path.join(root, 'status.json');
  const s = await startSersync(['-r', '-o', config, '--status-file', statusFile, '--status-interval', '1']);
  running.push(s);
  const remote = () => {
    if (!fs.existsSync(statusFile)) return undefined;
    return (JSON.parse(fs.readFileSync(statusFile, 'utf8')) as StatusSnapshot).remotes.find((r) => r.remote === '127.0.0.1::mirror');
  };
  await waitFor('the full sync and its first retry failed', () => (remote()?.failures ?? 0) >= 2, 20_000, 50);
  await daemon.restart();
  // No event comes: only the full sync's retry, in the remote's lane, can say the remote is back.
  const back = await waitFor('the remote back in the status file', () => {
    const r = remote();
    return r && r.successes >= 1 && r;
  }, 30_000, 50);
  assert.equal(back.failingSince, null);
  assert.equal(fs.readFileSync(path.join(daemon.dir, 'before.txt'), 'utf8'), 'before\n');
});
