/** bench/config.ts: the config every sersync2 of the bench reads reaches 127.0.0.1 only. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { foreignTargets, writeConfig } from '../bench/config';

test('the bench config has no remote but 127.0.0.1, no ssh, no plugin', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-config-'));
  try {
    const file = writeConfig(path.join(dir, 'confxml.xml'), { watch: '/w', failLog: path.join(dir, 'fail.sh'), port: 8873, params: '-artu' });
    const xml = fs.readFileSync(file, 'utf8');
    assert.deepEqual(foreignTargets(xml), []);
    assert.match(xml, /<remote ip="127.0.0.1" name="mirror"\/>/);
    assert.match(xml, /<userDefinedPort start="true" port="8873"\/>/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a remote elsewhere, ssh or a started plugin is found; commented ones are not', () => {
  const xml = `<localpath watch="/w">
    <remote ip="127.0.0.1" name="m"/>
    <!--<remote ip="192.168.8.39" name="t"/>-->
    <remote name="x" ip="10.0.0.2"/>
  </localpath><ssh start="true"/><plugin start="true" name="command"/>`;
  assert.deepEqual(foreignTargets(xml), ['10.0.0.2', 'ssh', 'a plugin']);
  assert.deepEqual(foreignTargets('<!-- <ssh start="true"/> --><ssh start="false"/><plugin start="false" name="command"/>'), []);
});
