/**
 * The start-up lines, worded as sersync2 printed them, so that the logs and the grep patterns of
 * existing watchdog scripts keep working.
 */
import type { CliOptions } from '../cli/args';
import type { Config } from '../config/types';
import { describeName } from '../paths';

export function configLines(options: CliOptions, config: Config, configFile: string): string[] {
  const out: string[] = ['parse the command param'];
  if (options.fullSyncAtStart) out.push('option: -r \trsync all the local files to the remote servers before the sersync work');
  if (options.daemon) out.push('option: -d \trun as a daemon');
  if (options.plugin) out.push(`option: -m \tworking plugin name: ${options.plugin}`);
  if (options.threads !== 10) out.push(`option: -n \tthread num is：  ${options.threads}`);
  out.push(`option: -o \tconfig xml name：  ${describeName(configFile)}`);
  if (options.threads === 10) out.push('daemon thread num: 10');
  out.push('parse xml config file', `host ip : ${config.host.hostip}\thost port: ${config.host.port}`);
  const { rsync, crontab, plugin } = config.sersync;
  if (rsync.auth.enabled) out.push('use rsync password-file :', `user is\t${rsync.auth.users}`, `passwordfile is \t${rsync.auth.passwordFile}`);
  if (config.debug) out.push('Open debug, you will see debug infomation ');
  if (!config.inotify.delete) out.push('will ignore the inotify delete event');
  if (config.filter.enabled) out.push('now the filter work ,if you set the crontab,you have to set crontab filter ');
  if (crontab.enabled) {
    const every = crontab.schedule.kind === 'minutes' ? `Every ${crontab.schedule.minutes} minutes` : `On cron schedule "${crontab.schedule.expression}"`;
    out.push(`Start the crontab \t${every} rsync all the files to the remote servers entirely`);
    if (config.filter.enabled && !crontab.filter.enabled) out.push('WARNING: the filter is on but crontabfilter is off, so crontab is switched off (as sersync2 does)');
  }
  if (plugin.enabled && plugin.name) out.push(`after each synchronize run the plugin \tplugin name is: ${plugin.name}`);
  out.push('config xml parse success');
  return out;
}

export function threadLines(threads: number, remotes: number): string[] {
  return [
    'please set /etc/rsyncd.conf max connections=0 Manually',
    `sersync working thread ${threads + 2}  = 1(primary thread) + 1(fail retry thread) + ${threads}(daemon sub threads) `,
    `Max threads numbers is: ${threads + 2 + threads * remotes} = ${threads + 2}(Thread pool nums) + ${threads * remotes}(Sub threads)`,
    'please according your cpu ，use -n param to adjust the cpu rate',
  ];
}
