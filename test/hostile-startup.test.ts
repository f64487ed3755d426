/**
 * Hostile directory names that are in the tree before the daemon starts. The start-up walk lists
 * them natively (native/names.c: a name as text where it is UTF-8, as its exact bytes otherwise)
 * and watches below each. So a file written there after the start must reach the remote byte for
 * byte, on every mode and watcher, and no name may run code (test/helpers/hostile.ts's CANARY).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { writeConfig } from './helpers/config';
import { canaries, HOSTILE_NAMES } from './helpers/hostile';
import { startRsyncDaemon } from './helpers/rsyncd';
import { startSersync } from './helpers/sersync';
import { waitForMirror } from './helpers/tree';
import { fanotifyModes, MODES } from './helpers/workload';

const DIRS: Array<string | Buffer> = [
  ...HOSTILE_NAMES,
  Buffer.from([0x66, 0xff, 0xfe, 0x2e, 0x74]),
  Buffer.from('gbk-\xd6\xd0\\-\xce\xc4', 'latin1'),
  '\u4e2d'.repeat(85),
  '--delete',
  'star*',
];

for (const mode of [...MODES, ...fanotifyModes()]) {
  test(`${mode.name}: directories with hostile names made before the start are watched below, and what is written there later arrives byte for byte`, { timeout: 120_000 }, async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), `hostile-start-${mode.name}-`));
    const watch = path.join(root, 'w');
    const at = (...parts: Array<string | Buffer>): Buffer => Buffer.concat([Buffer.from(watch), ...parts.flatMap((p) => [Buffer.from('/'), Buffer.from(p)])]);
    for (const name of DIRS) fs.mkdirSync(at(name, 'sub'), { recursive: true });
    // A raw name inside a raw name: a path the walk hands to the addon as bytes.
    fs.mkdirSync(at(DIRS[DIRS.length - 5]!, DIRS[DIRS.length - 4]!), { recursive: true });
    const daemon = await startRsyncDaemon(root);
    const config = writeConfig(path.join(root, 'confxml.xml'), { watch, failLog: path.join(root, 'fail.sh'), port: daemon.port });
    const sersync = await startSersync([...mode.args, '-r', '-o', config], { cwd: root });
    const converged = (what: string) => waitForMirror(what, watch, () => daemon.dir, { context: () => `sersync2 said: ${sersync.stdout().slice(-3000)}${sersync.stderr()}` });
    try {
      await converged('the tree as it was at the start (-r)');
      for (const [i, name] of DIRS.entries()) {
        fs.writeFileSync(at(name, 'file'), `top ${i}\n`);
        fs.writeFileSync(at(name, 'sub', 'file'), `sub ${i}\n`);
      }
      fs.writeFileSync(at(DIRS[DIRS.length - 5]!, DIRS[DIRS.length - 4]!, 'deep'), 'deep\n');
      await converged('the files written after the start below every hostile directory');
      assert.deepEqual(canaries(root), []);
    } finally {
      await sersync.stop();
      await daemon.stop();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
}
