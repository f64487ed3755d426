/** `--check`: what an operator reads before switching a config over from sersync2. */
import type { LoadedConfig } from '../config/types';
import { crontabActive } from '../crontab/timer';
import type { InotifyConfig } from '../inotify/config';
import { pluginCommand } from '../plugin/command/command';
import type { PluginName } from '../plugin/config';
import { pluginWatch } from '../plugin/hook';
import { commandSettings, rsyncCommand } from '../rsync/command';
import { remoteTarget, render } from '../command/model';

const SAMPLE_FILE = 'dir/file.txt';
const SAMPLE_DIR = 'dir/sub';

function onOff(on: boolean): string {
  return on ? 'on' : 'off';
}

function events(inotify: InotifyConfig): string {
  const names = Object.keys(inotify) as (keyof InotifyConfig)[];
  const on = names.filter((n) => inotify[n]);
  const off = names.filter((n) => !inotify[n]);
  return `${on.join(' ') || 'none'}${off.length ? ` (off: ${off.join(' ')})` : ''}`;
}

export function describeConfig(loaded: LoadedConfig, standalonePlugin?: PluginName): string[] {
  const { config } = loaded;
  const { sersync } = config;
  const out: string[] = [];
  const line = (label: string, value: string) => out.push(`  ${`${label}:`.padEnd(12)}${value}`);

  line('watch', sersync.localpath.watch);
  line('remotes', sersync.localpath.remotes.map((r) => remoteTarget(r, sersync.rsync.ssh)).join(', ') || 'none');
  line('events', events(config.inotify));
  const f = config.filter;
  line('filter', `${onOff(f.enabled)}${f.excludes.length ? `, exclude ${f.excludes.map((r) => `"${r.expression}"`).join(' ')}` : ''}`);
  line('fileSystem', `xfs ${onOff(config.fileSystem.xfs)}`);
  line('debug', onOff(config.debug));
  line('failLog', `${sersync.failLog.path}, run every ${sersync.failLog.timeToExecute} minutes`);
  const c = sersync.crontab;
  const schedule = c.schedule.kind === 'minutes' ? `every ${c.schedule.minutes} minutes` : `cron "${c.schedule.expression}"`;
  const crontabOn = crontabActive(c, f.enabled);
  line('crontab', `${onOff(crontabOn)}, full sync ${schedule}${c.filter.enabled && c.filter.excludes.length ? `, excluding ${c.filter.excludes.map((e) => `"${e}"`).join(' ')}` : ''}`);
  if (c.enabled && !crontabOn) out.push('  note:      the filter is on but crontabfilter is off, so crontab is switched off (as sersync2 does)');

  const inUse = standalonePlugin ?? (sersync.plugin.enabled ? sersync.plugin.name : undefined);
  const blocks = Object.keys(config.plugins).join(', ') || 'none';
  line('plugin', `${inUse ? `${inUse}${standalonePlugin ? ' alone (-m), no rsync' : ' after each sync'}` : 'none'}; configured blocks: ${blocks}`);
  if (inUse) {
    const watch = pluginWatch(config, inUse);
    if (watch !== sersync.localpath.watch) {
      out.push(`  note:      plugin ${inUse} watches its own <localpath> ${watch}, not ${sersync.localpath.watch}`);
    }
    const command = config.plugins.command;
    if (inUse === 'command' && command) {
      const only = command.filter.enabled ? ` (only for paths matching ${command.filter.includes.map((r) => `"${r.expression}"`).join(' ') || 'nothing'})` : '';
      line('command', `${render(pluginCommand(command, `${sersync.localpath.watch}/${SAMPLE_FILE}`))}${only}`);
    }
  }

  if (standalonePlugin === undefined) {
    const settings = commandSettings(config);
    for (const remote of sersync.localpath.remotes) {
      out.push(`  commands for ${remoteTarget(remote, sersync.rsync.ssh)} (for ${SAMPLE_FILE} and directory ${SAMPLE_DIR}):`);
      out.push(`    sync:        ${render(rsyncCommand(settings, remote, { kind: 'sync', path: SAMPLE_FILE }))}`);
      out.push(`    delete:      ${render(rsyncCommand(settings, remote, { kind: 'delete', path: SAMPLE_FILE, isDir: false }))}`);
      out.push(`    delete dir:  ${render(rsyncCommand(settings, remote, { kind: 'delete', path: SAMPLE_DIR, isDir: true }))}`);
      out.push(`    full sync:   ${render(rsyncCommand(settings, remote, { kind: 'full' }))}`);
    }
  }
  return out;
}
