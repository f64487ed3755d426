/** The plugin that runs after each synced event (or alone, with `-m`). */
import type { Config } from '../config/types';
import type { PathEvent } from '../events/types';
import type { CommandRunner } from '../runner/shell';
import { absolutePathOf, pluginCommand, pluginWants } from './command/command';
import type { PluginName } from './config';

export type PluginHook = (event: PathEvent) => Promise<void>;

export class PluginUnavailableError extends Error {
  readonly code = 'PLUGIN_UNAVAILABLE';
}

export interface PluginContext {
  readonly config: Config;
  readonly runner: CommandRunner;
  readonly trace: (command: string) => void;
  readonly warn: (message: string) => void;
}

export function createPluginHook(name: PluginName, ctx: PluginContext): PluginHook {
  switch (name) {
    case 'command': {
      const plugin = ctx.config.plugins.command!;
      const watch = ctx.config.sersync.localpath.watch;
      return async (event) => {
        const abs = absolutePathOf(watch, event.path);
        if (!pluginWants(plugin, abs)) return;
        const command = pluginCommand(plugin, abs);
        ctx.trace(command);
        const status = await ctx.runner.run(command);
        if (status !== 0 && !plugin.ignoreError) ctx.warn(`command plugin failed (wait status ${status}): ${command}`);
      };
    }
    default:
      throw new PluginUnavailableError(`the ${name} plugin is not available in this version of sersync2`);
  }
}
