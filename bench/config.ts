/**
 * Our confxml.xml for a bench run: the stock file pointed at the workspace's tree, fail log and
 * rsync daemon port, with the bench's rsync params. Only what the bench needs (the tests have
 * their own writer with more knobs).
 */
import fs from 'node:fs';
import { STOCK_CONFIG } from './paths';

export interface BenchConfig {
  readonly watch: string;
  readonly failLog: string;
  readonly port: number;
  readonly params: string;
}

export function writeConfig(file: string, c: BenchConfig): string {
  const xml = fs
    .readFileSync(STOCK_CONFIG, 'utf8')
    .replace(/<localpath watch="\/opt\/tongbu">\s*<remote ip="127.0.0.1" name="tongbu1"\/>/, `<localpath watch="${c.watch}">\n<remote ip="127.0.0.1" name="mirror"/>`)
    .replace('path="/tmp/rsync_fail_log.sh"', `path="${c.failLog}"`)
    .replace('<userDefinedPort start="false" port="874"/>', `<userDefinedPort start="true" port="${c.port}"/>`)
    .replace('params="-artuz"', `params="${c.params}"`);
  if (!xml.includes(`port="${c.port}"`) || !xml.includes(c.watch)) throw new Error(`${STOCK_CONFIG}: not the stock confxml.xml the bench expects`);
  fs.writeFileSync(file, xml);
  return file;
}
