/**
 * Many configs in one process: each config a site (a watch root, its own real rsync daemon on
 * loopback, its config file), the real bin/sersync2 started on them, and a probe that a site still
 * mirrors. What a test starts is stopped once the test file is done.
 */
import fs from 'node:fs';
import path from 'node:path';
import { after } from 'node:test';
import { writeConfig } from './config';
import { type RsyncDaemon, startRsyncDaemon } from './rsyncd';
import { type RunningSersync, startSersync } from './sersync';
import { tempDir } from './tempDir';
import { waitFor } from './wait';

/** Run in reverse once the importing test file's tests are done. */
export const cleanups: Array<() => unknown> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

export interface Site {
  readonly name: string;
  readonly watch: string;
  readonly failLog: string;
  readonly remote: RsyncDaemon;
  readonly config: string;
}

export interface SiteOptions {
  /** The fail log's path relative to the sites' root (its directory is made); default `fail-NAME.sh`. */
  readonly failLog?: string;
  /** Changes the written config's XML. */
  readonly edit?: (xml: string) => string;
}

/** A watch root, its own rsync daemon and its config file `NAME.xml` in `dir`. */
async function site(root: string, dir: string, name: string, options: SiteOptions = {}): Promise<Site> {
  const watch = path.join(root, `w-${name}`);
  fs.mkdirSync(watch);
  const remoteDir = path.join(root, `r-${name}`);
  fs.mkdirSync(remoteDir);
  const remote = await startRsyncDaemon(remoteDir);
  cleanups.push(() => remote.stop());
  const failLog = path.join(root, options.failLog ?? `fail-${name}.sh`);
  fs.mkdirSync(path.dirname(failLog), { recursive: true });
  const config = writeConfig(path.join(dir, `${name}.xml`), { watch, failLog, port: remote.port, timeout: 5 });
  if (options.edit) fs.writeFileSync(config, options.edit(fs.readFileSync(config, 'utf8')));
  return { name, watch, failLog, remote, config };
}

/** A fresh root with a `conf.d` directory and one site per name (`options[name]` for each). */
export async function sites(prefix: string, names: readonly string[], options: Readonly<Record<string, SiteOptions>> = {}) {
  const root = tempDir(`${prefix}-`);
  const dir = path.join(root, 'conf.d');
  fs.mkdirSync(dir);
  const all: Site[] = [];
  for (const name of names) all.push(await site(root, dir, name, options[name]));
  return { root, dir, sites: all };
}

/** Starts bin/sersync2 (SIGKILLed at the end if still running) and waits for `readyText`. */
export async function start(args: readonly string[], readyText = 'watch path is: '): Promise<RunningSersync> {
  const sersync = await startSersync(args, { readyText });
  cleanups.push(() => sersync.stop('SIGKILL'));
  return sersync;
}

/** Writes a file into the site's tree and waits for its bytes on the site's remote. */
export async function mirrors(s: Site, file: string, timeoutMs = 10_000): Promise<void> {
  const text = `${s.name} ${file} ${Date.now()}\n`;
  fs.writeFileSync(path.join(s.watch, file), text);
  const arrived = path.join(s.remote.dir, file);
  await waitFor(`${file} mirrored to ${s.name}'s remote`, () => fs.existsSync(arrived) && fs.readFileSync(arrived, 'utf8') === text, timeoutMs);
}

/** The process's lines (stdout and stderr) that carry config `name`'s tag `[name] `. */
export function linesOf(sersync: RunningSersync, name: string): string[] {
  return `${sersync.stdout()}\n${sersync.stderr()}`.split('\n').filter((line) => line.includes(`[${name}] `));
}

/** Config `name`'s warnings and errors (`WARN: [name] ...`, `ERROR: [name] ...`). */
export function troubleOf(sersync: RunningSersync, name: string): string[] {
  return linesOf(sersync, name).filter((line) => /\b(ERROR|WARN): \[/.test(line));
}
