/** The command plugin's command (`PREFIX ABSPATH SUFFIX` once rendered, as sersync2 builds it). */
import type { PluginCommand } from '../../command/model';
import { matchesAny } from '../../filter/config';
import { concatPath, type PathName } from '../../paths';
import type { CommandPluginConfig } from './config';

export function pluginCommand(plugin: CommandPluginConfig, absolutePath: PathName): PluginCommand {
  return { kind: 'plugin', prefix: plugin.prefix, path: absolutePath, suffix: plugin.suffix, quiet: plugin.ignoreError };
}

/** With `<filter start="true">`, only paths that fully match an include expression run the command. */
export function pluginWants(plugin: CommandPluginConfig, absolutePath: PathName): boolean {
  if (!plugin.filter.enabled) return true;
  return matchesAny(plugin.filter.includes, typeof absolutePath === 'string' ? absolutePath : absolutePath.toString('utf8'));
}

export function absolutePathOf(watch: string, rel: PathName): PathName {
  return concatPath(watch, '/', rel);
}
