/**
 * Hostile file names through the real bin/sersync2, the kernel's inotify and a real rsync daemon:
 * quotes, backticks, `$(...)`, backslashes, a newline, a tab, a leading `-`, a leading U+FEFF
 * (a UTF-8 decoder's BOM), bytes that are not UTF-8, 255-byte names and rsync's wildcard
 * characters `*?[` are mirrored byte for byte and deleted exactly: deleting `star*` must not delete `starX` on the remote (sersync2 wrote names raw
 * into `--include` patterns, where they are wildcards). Names carrying shell code would create
 * PWNED files in the watch directory (the commands run there), and the names of
 * test/helpers/hostile.ts a CANARY: none may appear.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { writeConfig } from './helpers/config';
import { canaries, HOSTILE_NAMES } from './helpers/hostile';
import { startRsyncDaemon, type RsyncDaemon } from './helpers/rsyncd';
import { startSersync, type RunningSersync } from './helpers/sersync';
import { fanotifyModes, MODES } from './helpers/workload';
import { waitForMirror } from './helpers/tree';

const HOSTILE: Array<string | Buffer> = [
  'dq"uote',
  'back`touch PWNED1`tick',
  '$(touch PWNED2)',
  'back\\slash',
  'ends\\',
  "it's",
  'new\nline',
  'tab\there',
  '-leading',
  '--delete',
  Buffer.from([0x66, 0xff, 0xfe, 0x2e, 0x74]),
  Buffer.from('gbk-\xd6\xd0\\-\xce\xc4', 'latin1'),
  'x'.repeat(255),
  '\u4e2d'.repeat(85),
  'star*',
  'q?',
  'br[ac]ket',
  'sp ace  two',
  'semi;colon&amp|pipe>gt<lt',
  '\ufeffbom-first',
  ...HOSTILE_NAMES,
];

for (const { name: mode, args } of [...MODES, ...fanotifyModes()]) {
  describe(mode, () => {
    let root: string;
    let watch: string;
    let daemon: RsyncDaemon;
    let sersync: RunningSersync;

    before(async () => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), `hostile-${mode}-`));
      watch = path.join(root, 'w');
      fs.mkdirSync(watch);
      daemon = await startRsyncDaemon(root);
      const config = writeConfig(path.join(root, 'confxml.xml'), { watch, failLog: path.join(root, 'fail.sh'), port: daemon.port });
      sersync = await startSersync([...args, '-o', config], { cwd: root });
    });

    after(async () => {
      await sersync?.stop();
      await daemon?.stop();
      fs.rmSync(root, { recursive: true, force: true });
    });

    function converged(what: string): Promise<void> {
      return waitForMirror(what, watch, () => daemon.dir, { context: () => `sersync2 said: ${sersync.stdout().slice(-3000)}${sersync.stderr()}` });
    }

    const w = (...parts: Array<string | Buffer>): Buffer => Buffer.concat([Buffer.from(watch), ...parts.flatMap((p) => [Buffer.from('/'), Buffer.from(p)])]);

    const pwned = () => [...fs.readdirSync(root, { recursive: true }).map(String).filter((f) => /(^|\/)PWNED\d$/.test(f)), ...canaries(root)];

    test('hostile names are mirrored byte for byte, and no shell code runs', async () => {
      for (const [i, name] of HOSTILE.entries()) fs.writeFileSync(w(name), `content ${i}\n`);
      fs.mkdirSync(w('dir*[?]\\'));
      fs.writeFileSync(w('dir*[?]\\', 'in\nside'), 'x');
      await converged('hostile names');
      assert.deepEqual(pwned(), []);
    });

    test('deleting names with wildcard characters deletes exactly them, not their look-alikes', async () => {
      const decoys = ['starX', 'starYY', 'qZ', 'brakket', 'brcket', 'dirX', 'back\\\\slash', 'backslash', 'ends', 'dir', 'new'];
      for (const d of decoys) fs.writeFileSync(w(d), 'decoy');
      fs.mkdirSync(w('dirXYZ'));
      fs.writeFileSync(w('dirXYZ', 'keep'), 'decoy');
      fs.mkdirSync(w('bs\\dir'));
      fs.writeFileSync(w('bs\\dir', 'f'), 'x');
      fs.mkdirSync(w('bsdir'));
      fs.writeFileSync(w('bsdir', 'f'), 'decoy');
      await converged('decoys');
      for (const name of ['star*', 'q?', 'br[ac]ket', 'back\\slash', 'ends\\']) fs.rmSync(w(name));
      fs.rmSync(w('dir*[?]\\'), { recursive: true });
      fs.rmSync(w('bs\\dir'), { recursive: true });
      await converged('wildcard deletes');
      for (const d of decoys) assert.ok(fs.existsSync(path.join(daemon.dir, d)), `the decoy ${JSON.stringify(d)} is still on the remote`);
      assert.ok(fs.existsSync(path.join(daemon.dir, 'dirXYZ', 'keep')));
      assert.ok(fs.existsSync(path.join(daemon.dir, 'bsdir', 'f')));
      assert.deepEqual(pwned(), []);
    });

    test('deleting every hostile name empties the remote of them', async () => {
      for (const name of HOSTILE) fs.rmSync(w(name), { force: true });
      await converged('hostile deletes');
      assert.deepEqual(pwned(), []);
    });
  });
}
