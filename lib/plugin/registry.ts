/** Every plugin module by name: adding a plugin is a module and a line here. */
import { commandPlugin } from './command/plugin';
import type { PluginName } from './config';
import { httpPlugin } from './http/plugin';
import type { PluginModule } from './plugin';
import { refreshCdnPlugin } from './refreshCDN/plugin';
import { socketPlugin } from './socket/plugin';

export const PLUGINS: { readonly [K in PluginName]: PluginModule<K> } = {
  command: commandPlugin,
  socket: socketPlugin,
  http: httpPlugin,
  refreshCDN: refreshCdnPlugin,
};
