/**
 * N instances in one workspace, laid out as a host with one config per directory: watch root
 * `DIR/iNN`, config `DIR/conf/iNN.xml` (the instance's name in ours' log prefix is the file's
 * base name, `[iNN] `), fail log beside it, and one directory per instance in the workspace's one
 * rsync module (`mirror/iNN`), so no two instances send to the same place.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BENCH_PARAMS, writeConfig } from '../config';
import type { Workspace } from '../workspace';

export interface Instance {
  /** `i00`, `i01`, ...: the config's base name. */
  readonly name: string;
  /** Its watch root. */
  readonly watch: string;
  readonly config: string;
  /** Where its files arrive, on the daemon's side. */
  readonly remote: string;
}

/** `i00`..: two digits keep them in name order, as --config-dir reads them. */
export const instanceName = (i: number): string => `i${String(i).padStart(2, '0')}`;

/** `count` instances under `ws`; `fill` makes each watch root's tree before anything starts. */
export function makeFleet(ws: Workspace, count: number, fill: (watch: string) => void): Instance[] {
  const conf = path.join(ws.dir, 'conf');
  fs.mkdirSync(conf, { recursive: true });
  const out: Instance[] = [];
  for (let i = 0; i < count; i++) {
    const name = instanceName(i);
    const watch = path.join(ws.dir, name);
    const remote = path.join(ws.daemon.dir, name);
    fs.mkdirSync(watch);
    fs.mkdirSync(remote);
    fill(watch);
    const config = writeConfig(path.join(conf, `${name}.xml`), { watch, failLog: path.join(conf, `${name}.fail.sh`), port: ws.daemon.port, params: BENCH_PARAMS, module: `mirror/${name}` });
    out.push({ name, watch, config, remote });
  }
  return out;
}
