/** Writes confxml.xml files for tests: the stock file with a few values changed. */
import fs from 'node:fs';
import path from 'node:path';
import { GOLDEN_DIR } from './golden';
import { tempDir } from './tempDir';

export interface TestConfig {
  readonly watch: string;
  readonly failLog: string;
  readonly remotes?: ReadonlyArray<{ ip: string; name: string }>;
  readonly port?: number;
  readonly params?: string;
  readonly debug?: boolean;
  readonly timeout?: number;
}

export function writeConfig(file: string, c: TestConfig): string {
  let xml = fs.readFileSync(path.join(GOLDEN_DIR, 'stock-confxml.xml'), 'utf8');
  const remotes = (c.remotes ?? [{ ip: '127.0.0.1', name: 'mirror' }]).map((r) => `<remote ip="${r.ip}" name="${r.name}"/>`).join('\n');
  xml = xml
    .replace(/<localpath watch="\/opt\/tongbu">\s*<remote ip="127.0.0.1" name="tongbu1"\/>/, `<localpath watch="${c.watch}">\n${remotes}`)
    .replace('path="/tmp/rsync_fail_log.sh"', `path="${c.failLog}"`)
    .replace('<userDefinedPort start="false" port="874"/>', c.port ? `<userDefinedPort start="true" port="${c.port}"/>` : '<userDefinedPort start="false" port="874"/>')
    .replace('<timeout start="false" time="100"/>', c.timeout ? `<timeout start="true" time="${c.timeout}"/>` : '<timeout start="false" time="100"/>')
    .replace('<debug start="false"/>', `<debug start="${c.debug ? 'true' : 'false'}"/>`);
  if (c.params) xml = xml.replace('params="-artuz"', `params="${c.params}"`);
  fs.writeFileSync(file, xml);
  return file;
}

/**
 * A fresh root (removed when the test file's process exits) holding the watched directory `w`, the
 * fail log's path and a confxml.xml for them, with `extra` changed in it.
 */
export function configWorkspace(prefix: string, extra: Omit<Partial<TestConfig>, 'watch' | 'failLog'> = {}) {
  const root = tempDir(`${prefix}-`);
  const watch = path.join(root, 'w');
  fs.mkdirSync(watch);
  const failLog = path.join(root, 'rsync_fail_log.sh');
  const config = writeConfig(path.join(root, 'confxml.xml'), { watch, failLog, ...extra });
  return { root, watch, failLog, config };
}
