/** The command plugin: a shell command per event (sersync2's `<plugin name="command">`). */
import { render } from '../../rsync/commandModel';
import { describeExit, waitStatusOf } from '../../runner/result';
import type { PluginModule } from '../plugin';
import { pluginCommand, pluginWants } from './command';

export const commandPlugin: PluginModule<'command'> = {
  name: 'command',
  delivery(ctx) {
    const plugin = ctx.config.plugins.command!;
    return async (event) => {
      if (!pluginWants(plugin, ctx.abs(event.path))) return;
      const command = render(pluginCommand(plugin, ctx.abs(event.path)));
      ctx.trace(command);
      const result = await ctx.runner.run(command);
      const ok = result.exit.kind === 'exited' && result.exit.code === 0;
      if (!ok && !plugin.ignoreError) throw new Error(`${describeExit(result.exit, 'command')} (wait status ${waitStatusOf(result.exit)}): ${command}`);
    };
  },
};
