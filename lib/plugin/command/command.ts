/** The command plugin's shell string: `PREFIX ABSPATH SUFFIX`, as sersync2 builds it. */
import { REDIRECT } from '../../rsync/commandModel';
import { matchesAny } from '../../filter/config';
import { concatPath, type PathName } from '../../paths';
import { shellWord } from '../../shell/quote';
import type { CommandPluginConfig } from './config';

export function pluginCommand(plugin: CommandPluginConfig, absolutePath: PathName): string {
  return `${plugin.prefix} ${shellWord(absolutePath)} ${plugin.suffix}${plugin.ignoreError ? REDIRECT : ''}`;
}

/** With `<filter start="true">`, only paths that fully match an include expression run the command. */
export function pluginWants(plugin: CommandPluginConfig, absolutePath: PathName): boolean {
  if (!plugin.filter.enabled) return true;
  return matchesAny(plugin.filter.includes, typeof absolutePath === 'string' ? absolutePath : absolutePath.toString('utf8'));
}

export function absolutePathOf(watch: string, rel: PathName): PathName {
  return concatPath(watch, '/', rel);
}
