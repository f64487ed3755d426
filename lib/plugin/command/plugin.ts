/** The command plugin: a shell command per event (sersync2's `<plugin name="command">`). */
import { describeResult, succeeded, waitStatusOf } from '../../runner/result';
import type { PluginModule } from '../plugin';
import { pluginCommand, pluginWants } from './command';

export const commandPlugin: PluginModule<'command'> = {
  name: 'command',
  delivery(ctx) {
    const plugin = ctx.config.plugins.command!;
    return async (event) => {
      if (!pluginWants(plugin, ctx.abs(event.path))) return;
      const command = pluginCommand(plugin, ctx.abs(event.path));
      ctx.trace(command);
      // Judged by the plugin's policy (lib/command/exitCodes.ts): 0 alone succeeds.
      const result = await ctx.runner.run(command);
      if (!succeeded(result) && !plugin.ignoreError) throw new Error(`${describeResult(result)} (wait status ${waitStatusOf(result.exit)}): ${result.text}`);
    };
  },
};
