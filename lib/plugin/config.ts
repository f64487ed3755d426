/**
 * The `<plugin>` elements: `<sersync><plugin start name>` switches one plugin on after each sync,
 * and `<head><plugin name="...">` blocks configure them.
 */
import type { ElementView } from '../config/element';
import { suggest } from '../config/suggest';
import { parseCommandPlugin, type CommandPluginConfig } from './command/config';
import { parseHttpPlugin, type HttpPluginConfig } from './http/config';
import { parseRefreshCdnPlugin, type RefreshCdnPluginConfig } from './refreshCDN/config';
import { parseSocketPlugin, type SocketPluginConfig } from './socket/config';

export const PLUGIN_NAMES = ['command', 'socket', 'refreshCDN', 'http'] as const;
export type PluginName = (typeof PLUGIN_NAMES)[number];

export type PluginConfig = CommandPluginConfig | SocketPluginConfig | RefreshCdnPluginConfig | HttpPluginConfig;

export type PluginBlocks = { readonly [K in PluginName]?: Extract<PluginConfig, { name: K }> };

/** `<sersync><plugin start name>`. */
export interface PluginSwitch {
  readonly enabled: boolean;
  readonly name: PluginName | undefined;
}

export function isPluginName(name: string): name is PluginName {
  return (PLUGIN_NAMES as readonly string[]).includes(name);
}

function checkName(view: ElementView): PluginName | undefined {
  const name = view.required('name');
  if (name === undefined) return undefined;
  if (isPluginName(name)) return name;
  const hint = suggest(name, PLUGIN_NAMES);
  view.problem('BAD_VALUE', `unknown plugin "${name}"${hint ? `, did you mean "${hint}"?` : `; known: ${PLUGIN_NAMES.join(', ')}`}`, 'name');
  return undefined;
}

export function parsePluginSwitch(view: ElementView | undefined): PluginSwitch {
  if (!view) return { enabled: false, name: undefined };
  view.expect(['start', 'name']);
  return { enabled: view.bool('start'), name: checkName(view) };
}

export function parsePluginBlocks(views: readonly ElementView[]): PluginBlocks {
  const blocks: { -readonly [K in PluginName]?: Extract<PluginConfig, { name: K }> } = {};
  const seen = new Map<PluginName, number>();
  for (const view of views) {
    const name = checkName(view);
    if (!name) continue;
    const first = seen.get(name);
    if (first !== undefined) {
      view.problem('DUPLICATE_ELEMENT', `duplicate <plugin name="${name}"> block (first at line ${first})`);
      continue;
    }
    seen.set(name, view.line);
    switch (name) {
      case 'command': blocks.command = parseCommandPlugin(view); break;
      case 'socket': blocks.socket = parseSocketPlugin(view); break;
      case 'refreshCDN': blocks.refreshCDN = parseRefreshCdnPlugin(view); break;
      case 'http': blocks.http = parseHttpPlugin(view); break;
    }
  }
  return blocks;
}
