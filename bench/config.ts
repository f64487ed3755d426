/**
 * Our confxml.xml for a bench run: the stock file pointed at the workspace's tree, fail log and
 * rsync daemon port, with the bench's rsync params. Only what the bench needs (the tests have
 * their own writer with more knobs).
 */
import fs from 'node:fs';
import { STOCK_CONFIG } from './paths';

/** Archive, times, update; no -z: every tool runs archive mode without compression. */
export const BENCH_PARAMS = '-artu';

export interface BenchConfig {
  readonly watch: string;
  readonly failLog: string;
  readonly port: number;
  readonly params: string;
  /** The daemon's module, or a path in it (`mirror/i03`: one module, a directory per instance); `mirror` when absent. */
  readonly module?: string;
}

export function writeConfig(file: string, c: BenchConfig): string {
  const xml = fs
    .readFileSync(STOCK_CONFIG, 'utf8')
    .replace(/<localpath watch="\/opt\/tongbu">\s*<remote ip="127.0.0.1" name="tongbu1"\/>/, `<localpath watch="${c.watch}">\n<remote ip="127.0.0.1" name="${c.module ?? 'mirror'}"/>`)
    .replace('path="/tmp/rsync_fail_log.sh"', `path="${c.failLog}"`)
    .replace('<userDefinedPort start="false" port="874"/>', `<userDefinedPort start="true" port="${c.port}"/>`)
    .replace('params="-artuz"', `params="${c.params}"`);
  if (!xml.includes(`port="${c.port}"`) || !xml.includes(c.watch)) throw new Error(`${STOCK_CONFIG}: not the stock confxml.xml the bench expects`);
  const foreign = foreignTargets(xml);
  if (foreign.length > 0) throw new Error(`${file}: the bench sends only to 127.0.0.1, but the config would reach ${foreign.join(', ')}`);
  fs.writeFileSync(file, xml);
  return file;
}

/**
 * What a config would send to other than 127.0.0.1: remotes outside comments, ssh, a started
 * plugin. The reference binary reads the same file, and it must never reach another host.
 */
export function foreignTargets(xml: string): string[] {
  const live = xml.replace(/<!--[\s\S]*?-->/g, '');
  const out = [...live.matchAll(/<remote\b[^>]*\bip="([^"]*)"/g)].map((m) => m[1]!).filter((ip) => ip !== '127.0.0.1');
  if (/<ssh\s+start="true"/.test(live)) out.push('ssh');
  if (/<plugin\s+start="true"/.test(live)) out.push('a plugin');
  return out;
}
