/** The command plugin: a shell command per event (sersync2's `<plugin name="command">`). */
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
      const status = await ctx.runner.run(command);
      if (status !== 0 && !plugin.ignoreError) throw new Error(`wait status ${status}: ${command}`);
    };
  },
};
